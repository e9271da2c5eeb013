import assert from 'node:assert/strict';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { PromptRenderer, type SpeechSynthesizer } from '../../../../src/telephony/media/prompt-renderer.js';
import type { TtsInput } from '../../../../src/telephony/media/tts.js';
import { encodePcm, FORMAT, wav } from './audio-helpers.js';

/** Renders each input as `samples` samples of a value that counts renders; can hold renders until released. */
class FakeTts implements SpeechSynthesizer {
  readonly inputs: TtsInput[] = [];
  #held: (() => void)[] | undefined;
  #failures = 0;

  constructor(private readonly samples = 100) {}

  hold(): void {
    this.#held = [];
  }
  release(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const resume of held) resume();
  }
  failNext(): void {
    this.#failures++;
  }

  async render(input: TtsInput): Promise<Int16Array> {
    this.inputs.push(input);
    const renders = this.inputs.length;
    const held = this.#held;
    if (held !== undefined) await new Promise<void>((resolve) => held.push(resolve));
    if (this.#failures > 0) {
      this.#failures--;
      throw new Error('espeak-ng broke');
    }
    return new Int16Array(this.samples).fill(renders);
  }
}

const hello = { kind: 'text', text: 'Hello' } as const;

describe('PromptRenderer', () => {
  it('renders text and SSML with the voice and language, leaving out what is not given', async () => {
    const tts = new FakeTts();
    const renderer = new PromptRenderer(tts);
    await renderer.render(hello);
    await renderer.render({ kind: 'ssml', ssml: '<speak>Hi</speak>' }, { voice: 'Joanna', languageCode: 'en-US' });
    await renderer.render(hello, { languageCode: 'fr-FR' });
    assert.deepEqual(tts.inputs, [
      { text: 'Hello' },
      { ssml: '<speak>Hi</speak>', voice: 'Joanna', languageCode: 'en-US' },
      { text: 'Hello', languageCode: 'fr-FR' },
    ]);
  });

  it('hands out built-in hold music for a music prompt, without text-to-speech', async () => {
    const tts = new FakeTts();
    const renderer = new PromptRenderer(tts);
    const music = await renderer.render({ kind: 'music', seconds: 3 });
    assert.equal(music.length, 24_000);
    assert.equal(await renderer.render({ kind: 'music', seconds: 3 }), music);
    assert.deepEqual(tts.inputs, []);
  });

  it('renders a prompt once and hands the same audio out again', async () => {
    const tts = new FakeTts();
    const renderer = new PromptRenderer(tts);
    const first = await renderer.render(hello, { voice: 'Joanna' });
    const second = await renderer.render({ kind: 'text', text: 'Hello' }, { voice: 'Joanna' });
    assert.equal(second, first);
    assert.equal(tts.inputs.length, 1);
  });

  it('keeps prompts apart by kind, text, voice and language', async () => {
    const tts = new FakeTts();
    const renderer = new PromptRenderer(tts);
    const variants = [
      renderer.render(hello),
      renderer.render({ kind: 'text', text: 'Hello!' }),
      renderer.render({ kind: 'ssml', ssml: 'Hello' }),
      renderer.render(hello, { voice: 'Matthew' }),
      renderer.render(hello, { languageCode: 'en-GB' }),
      renderer.render(hello, { voice: 'Matthew', languageCode: 'en-GB' }),
    ];
    const audio = await Promise.all(variants);
    assert.equal(tts.inputs.length, 6);
    assert.equal(new Set(audio.map((a) => a[0])).size, 6);
  });

  it('shares one render among calls that ask while it runs', async () => {
    const tts = new FakeTts();
    const renderer = new PromptRenderer(tts);
    tts.hold();
    const waiting = [renderer.render(hello), renderer.render(hello), renderer.render(hello)];
    await new Promise((resolve) => setImmediate(resolve));
    tts.release();
    const [a, b, c] = await Promise.all(waiting);
    assert.equal(tts.inputs.length, 1);
    assert.ok(a === b && b === c);
  });

  it('does not keep a failure: the next call renders again', async () => {
    const tts = new FakeTts();
    const renderer = new PromptRenderer(tts);
    tts.failNext();
    tts.hold();
    const both = [renderer.render(hello), renderer.render(hello)];
    await new Promise((resolve) => setImmediate(resolve));
    tts.release();
    for (const outcome of await Promise.allSettled(both)) assert.equal(outcome.status, 'rejected');
    assert.equal(tts.inputs.length, 1, 'the waiting call shared the failed render');
    assert.equal((await renderer.render(hello))[0], 2);
  });

  it('evicts the least recently used audio past its byte budget', async () => {
    const tts = new FakeTts(500); // 1000 bytes each
    const renderer = new PromptRenderer(tts, { maxCacheBytes: 3000 });
    const text = (t: string) => ({ kind: 'text', text: t }) as const;
    await renderer.render(text('a'));
    await renderer.render(text('b'));
    await renderer.render(text('c'));
    await renderer.render(text('a')); // now b is the least recently used
    await renderer.render(text('d')); // 4000 bytes: b goes
    assert.equal(tts.inputs.length, 4);
    await renderer.render(text('a'));
    await renderer.render(text('c'));
    await renderer.render(text('d'));
    assert.equal(tts.inputs.length, 4, 'a, c and d stayed');
    await renderer.render(text('b'));
    assert.deepEqual(tts.inputs.map((input) => input.text), ['a', 'b', 'c', 'd', 'b']);
  });

  it('does not cache audio larger than the whole budget, nor anything when the budget is 0', async () => {
    for (const [samples, maxCacheBytes] of [[2000, 3000], [1, 0]]) {
      const tts = new FakeTts(samples);
      const renderer = new PromptRenderer(tts, { maxCacheBytes });
      await renderer.render(hello);
      await renderer.render(hello);
      assert.equal(tts.inputs.length, 2, `${samples} samples, budget ${maxCacheBytes}`);
    }
  });

  it('refuses a budget that is not a byte count', () => {
    for (const maxCacheBytes of [-1, 1.5, Number.NaN]) {
      assert.throws(() => new PromptRenderer(new FakeTts(), { maxCacheBytes }), RangeError);
    }
  });

  describe('files', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'outdial-prompts-'));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    const constant = (value: number) =>
      wav({ format: FORMAT.pcm, bits: 16, channels: 1, sampleRate: 8000, data: encodePcm(new Float32Array(80).fill(value), 16) });

    it('plays a file, reading it again only when its modification time or size changes', async () => {
      const tts = new FakeTts();
      const renderer = new PromptRenderer(tts);
      const path = join(dir, 'welcome.wav');
      await writeFile(path, constant(0.25));
      // Whole seconds, so that setting the time back below is exact on every file system.
      const mtime = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
      await utimes(path, mtime, mtime);
      const first = await renderer.render({ kind: 'file', path }, { voice: 'Joanna' });
      assert.equal(first[0], 8192);

      // Same size, same modification time: the cached audio, even though the bytes changed.
      await writeFile(path, constant(0.5));
      await utimes(path, mtime, mtime);
      assert.equal(await renderer.render({ kind: 'file', path }, { voice: 'Matthew' }), first);

      await utimes(path, mtime, new Date(mtime.getTime() + 1000));
      assert.equal((await renderer.render({ kind: 'file', path }))[0], 16384);

      await writeFile(path, wav({ format: FORMAT.pcm, bits: 16, channels: 1, sampleRate: 8000, data: encodePcm(new Float32Array(40).fill(-0.5), 16) }));
      await utimes(path, mtime, new Date(mtime.getTime() + 1000));
      assert.equal((await renderer.render({ kind: 'file', path }))[0], -16384);
      assert.equal(tts.inputs.length, 0);
    });

    it('fails for a missing file, and for one it cannot decode', async () => {
      const renderer = new PromptRenderer(new FakeTts());
      await assert.rejects(renderer.render({ kind: 'file', path: join(dir, 'missing.wav') }), { code: 'ENOENT' });
      const path = join(dir, 'notes.txt');
      await writeFile(path, 'hello');
      await assert.rejects(renderer.render({ kind: 'file', path }), { name: 'AudioFormatError' });
    });
  });
});
