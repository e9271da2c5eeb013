/**
 * Turns a flow's prompts into 8 kHz audio, once: a campaign plays the same few prompts on every call, so
 * rendered audio is kept by content (least recently used out first, within a byte budget) and calls that
 * ask for a prompt already being rendered wait for that render instead of starting another.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';

import { loadAudioFile } from './audio-file.js';
import { holdMusic } from './hold-music.js';
import type { TtsInput } from './tts.js';

export type PromptSource =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'ssml'; readonly ssml: string }
  | { readonly kind: 'file'; readonly path: string }
  /** Built-in hold music (hold-music.ts), synthesized rather than rendered: never held in this cache. */
  | { readonly kind: 'music'; readonly seconds: number };

/** The sources the renderer produces and caches itself. */
type RenderedSource = Exclude<PromptSource, { readonly kind: 'music' }>;

export interface PromptVoice {
  readonly voice?: string;
  readonly languageCode?: string;
}

/** What the renderer needs of a text-to-speech engine; `EspeakTts` is one. */
export interface SpeechSynthesizer {
  render(input: TtsInput): Promise<Int16Array>;
}

export interface PromptRendererOptions {
  /** Total size of cached audio; 0 turns the cache off (concurrent renders are still shared). */
  readonly maxCacheBytes?: number;
}

const DEFAULT_MAX_CACHE_BYTES = 64 * 1024 * 1024; // ~70 minutes of 8 kHz 16-bit audio

export class PromptRenderer {
  readonly #tts: SpeechSynthesizer;
  readonly #maxCacheBytes: number;
  /** Key → audio, least recently used first (a Map keeps insertion order; a hit re-inserts). */
  readonly #cache = new Map<string, Int16Array>();
  #cachedBytes = 0;
  readonly #rendering = new Map<string, Promise<Int16Array>>();

  constructor(tts: SpeechSynthesizer, options: PromptRendererOptions = {}) {
    const maxCacheBytes = options.maxCacheBytes ?? DEFAULT_MAX_CACHE_BYTES;
    if (!(Number.isInteger(maxCacheBytes) && maxCacheBytes >= 0)) {
      throw new RangeError(`PromptRenderer maxCacheBytes must be a non-negative integer, got ${maxCacheBytes}`);
    }
    this.#tts = tts;
    this.#maxCacheBytes = maxCacheBytes;
  }

  /**
   * 8 kHz mono 16-bit audio for the prompt. The array is shared with other calls of the same prompt, so
   * it must be read, never written. A file is read again once its modification time or size changes.
   */
  async render(prompt: PromptSource, voice: PromptVoice = {}): Promise<Int16Array> {
    if (prompt.kind === 'music') return holdMusic(prompt.seconds);
    const key = await cacheKey(prompt, voice);
    const cached = this.#cache.get(key);
    if (cached !== undefined) {
      this.#cache.delete(key);
      this.#cache.set(key, cached);
      return cached;
    }
    const inFlight = this.#rendering.get(key);
    if (inFlight !== undefined) return inFlight;
    const rendering = this.#produce(prompt, voice)
      .then((audio) => {
        this.#remember(key, audio);
        return audio;
      })
      .finally(() => this.#rendering.delete(key));
    this.#rendering.set(key, rendering);
    return rendering;
  }

  #produce(prompt: RenderedSource, { voice, languageCode }: PromptVoice): Promise<Int16Array> {
    const speaker = { ...(voice !== undefined && { voice }), ...(languageCode !== undefined && { languageCode }) };
    switch (prompt.kind) {
      case 'text':
        return this.#tts.render({ text: prompt.text, ...speaker });
      case 'ssml':
        return this.#tts.render({ ssml: prompt.ssml, ...speaker });
      case 'file':
        return loadAudioFile(prompt.path);
    }
  }

  #remember(key: string, audio: Int16Array): void {
    if (audio.byteLength > this.#maxCacheBytes) return;
    this.#cache.set(key, audio);
    this.#cachedBytes += audio.byteLength;
    for (const [oldKey, oldAudio] of this.#cache) {
      if (this.#cachedBytes <= this.#maxCacheBytes) break;
      this.#cache.delete(oldKey);
      this.#cachedBytes -= oldAudio.byteLength;
    }
  }
}

/** A digest of what decides the audio: the words and the voice, or a file's identity and version. */
async function cacheKey(prompt: RenderedSource, { voice, languageCode }: PromptVoice): Promise<string> {
  let parts: unknown[];
  switch (prompt.kind) {
    case 'text':
      parts = ['text', voice, languageCode, prompt.text];
      break;
    case 'ssml':
      parts = ['ssml', voice, languageCode, prompt.ssml];
      break;
    case 'file': {
      const path = resolve(prompt.path);
      const { mtimeMs, size } = await stat(path);
      parts = ['file', path, mtimeMs, size];
      break;
    }
  }
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}
