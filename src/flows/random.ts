/** A tiny seeded generator (mulberry32) whose whole state is one uint32, so it persists in FlowState. */

export function seedRandom(seed: number | string): number {
  if (typeof seed === 'number') return seed >>> 0;
  // FNV-1a, so string seeds such as a contact id spread over the whole range.
  let hash = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) hash = Math.imul(hash ^ seed.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** A float in [0, 1) and the generator's next state. */
export function nextRandom(state: number): { value: number; state: number } {
  const next = (state + 0x6d2b79f5) >>> 0;
  let t = Math.imul(next ^ (next >>> 15), next | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return { value: ((t ^ (t >>> 14)) >>> 0) / 4294967296, state: next };
}
