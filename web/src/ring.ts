/**
 * The offer's ring: a soft two-note chime every 2.5 s, made with Web Audio (no sound file to fetch). Where
 * audio is unavailable or not yet allowed (no user gesture, a headless browser), it stays silent.
 */
export class Ringer {
  #context: AudioContext | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;

  start(): void {
    if (this.#timer !== undefined) return;
    const context = this.#audio();
    if (context === undefined) return;
    const chime = (): void => {
      try {
        this.#note(context, 880, 0);
        this.#note(context, 660, 0.35);
      } catch {
        // Audio failed mid-way (device gone): stay silent.
      }
    };
    chime();
    this.#timer = setInterval(chime, 2500);
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #audio(): AudioContext | undefined {
    try {
      if (typeof AudioContext === 'undefined') return undefined;
      this.#context ??= new AudioContext();
      if (this.#context.state === 'suspended') void this.#context.resume().catch(() => undefined);
      return this.#context;
    } catch {
      return undefined;
    }
  }

  #note(context: AudioContext, frequency: number, delay: number): void {
    const start = context.currentTime + delay;
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.type = 'sine';
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.12, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.6);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(start);
    oscillator.stop(start + 0.65);
  }
}
