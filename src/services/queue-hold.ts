/**
 * The default queue experience: what a customer hears while waiting for an agent when the flow set no
 * customer-queue flow. A short message, then hold music, round and round until an agent takes the call.
 */
import type { Prompt } from '../telephony/carrier.js';

/** How long the music plays between two messages. */
export const HOLD_MUSIC_SECONDS = 20;

export const DEFAULT_HOLD_LOOP: readonly Prompt[] = [
  { text: 'Thank you for waiting. Your call is important to us, and an agent will be with you shortly.' },
  { text: '', music: { seconds: HOLD_MUSIC_SECONDS } },
];

export class QueueHold {
  #next = 0;
  #stopped = false;

  constructor(
    private readonly play: (prompt: Prompt) => void,
    private readonly loop: readonly Prompt[] = DEFAULT_HOLD_LOOP,
  ) {}

  start(): void {
    this.promptFinished();
  }

  /** The last prompt ended: the next one in the loop starts. */
  promptFinished(): void {
    const prompt = this.loop[this.#next % this.loop.length];
    if (this.#stopped || prompt === undefined) return;
    this.#next++;
    this.play(prompt);
  }

  stop(): void {
    this.#stopped = true;
  }
}
