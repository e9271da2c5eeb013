// Runs the real espeak-ng (Debian's espeak-ng package; scripts/install-test-deps.sh installs it), and small
// shell scripts standing in for it where a test needs espeak-ng to hang, fail or overlap.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { EspeakTts, espeakVoiceFor, POLLY_VOICES, TtsError, TtsUnavailableError } from '../../../src/telephony/media/tts.js';

const seconds = (audio: Int16Array): number => audio.length / 8000;

function rms(audio: Int16Array): number {
  let sum = 0;
  for (const sample of audio) sum += sample * sample;
  return Math.sqrt(sum / audio.length);
}

function assertSpeech(audio: Int16Array, minSeconds: number, maxSeconds: number): void {
  assert.ok(seconds(audio) >= minSeconds && seconds(audio) <= maxSeconds, `${seconds(audio)} s`);
  assert.ok(rms(audio) > 500, `audible (rms ${rms(audio).toFixed(0)})`);
}

describe('EspeakTts with espeak-ng', () => {
  const tts = new EspeakTts();
  let dir: string;

  /** An executable stand-in for espeak-ng. */
  async function script(name: string, body: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, `#!/bin/sh\n${body}\n`);
    await chmod(path, 0o755);
    return path;
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'outdial-tts-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finds espeak-ng installed', async () => {
    await EspeakTts.check();
  });

  it('reports a missing command as TtsUnavailableError, saying what to do', async () => {
    await assert.rejects(EspeakTts.check('/nonexistent'), (error: unknown) => {
      assert.ok(error instanceof TtsUnavailableError);
      assert.ok(error instanceof TtsError);
      assert.match(error.message, /^espeak-ng not found \(tried "\/nonexistent"\): install Debian's espeak-ng package or set telephony\.sip\.tts\.command$/);
      return true;
    });
    await assert.rejects(new EspeakTts({ command: '/nonexistent' }).render({ text: 'hi' }), TtsUnavailableError);
  });

  it('reports a command that is not espeak-ng, or fails, as TtsUnavailableError', async () => {
    await assert.rejects(EspeakTts.check(await script('quiet', 'exit 0')), { name: 'TtsUnavailableError', message: /is not espeak-ng/ });
    await assert.rejects(EspeakTts.check(await script('broken', 'echo "cannot open data" >&2; exit 1')), {
      name: 'TtsUnavailableError',
      message: /does not run as espeak-ng: .* exited with code 1: cannot open data/,
    });
  });

  it('speaks text as 8 kHz audio of a plausible length', async () => {
    assertSpeech(await tts.render({ text: 'Hello, this is a test call from the outbound dialer.' }), 2, 6);
  });

  it('speaks SSML without reading its tags aloud', async () => {
    const ssml = '<speak>Hello <break time="1s"/> world</speak>';
    const spoken = await tts.render({ ssml });
    const tagsReadAloud = await tts.render({ text: ssml });
    const withoutBreak = await tts.render({ ssml: '<speak>Hello world</speak>' });
    assertSpeech(spoken, 1.5, 3.5);
    assert.ok(seconds(spoken) < 0.6 * seconds(tagsReadAloud), `${seconds(spoken)} s vs ${seconds(tagsReadAloud)} s read out`);
    const breakSeconds = seconds(spoken) - seconds(withoutBreak);
    assert.ok(breakSeconds > 0.8 && breakSeconds < 1.3, `the break lasts ${breakSeconds} s`);
  });

  it("speaks Polly's own SSML tags' text only", async () => {
    const polly = await tts.render({
      ssml: '<speak><amazon:effect name="whispered">Hello</amazon:effect> <lang xml:lang="fr-FR">world</lang><amazon:breath/></speak>',
    });
    const plain = await tts.render({ ssml: '<speak>Hello world</speak>' });
    assert.ok(Math.abs(seconds(polly) / seconds(plain) - 1) < 0.2, `${seconds(polly)} s vs ${seconds(plain)} s`);
  });

  it('speaks in the voice a Polly voice name maps to', async () => {
    const joanna = await tts.render({ text: 'Welcome', voice: 'Joanna' });
    const matthew = await tts.render({ text: 'Welcome', voice: 'Matthew' });
    const celine = await tts.render({ text: 'Bienvenue chez nous', voice: 'Céline' });
    for (const audio of [joanna, matthew, celine]) assertSpeech(audio, 0.3, 3);
    assert.notDeepEqual(joanna, matthew);
  });

  it('has every mapped voice and language installed', async () => {
    const voices = new Set([...POLLY_VOICES.keys()].map((voice) => espeakVoiceFor({ voice })));
    const results = await Promise.allSettled([...voices].map(async (voice) => [voice, await tts.render({ text: 'one', voice })] as const));
    for (const result of results) {
      assert.equal(result.status, 'fulfilled', result.status === 'rejected' ? String(result.reason) : '');
    }
  });

  it('returns no audio for text with nothing to say', async () => {
    assert.equal((await tts.render({ text: '' })).length, 0);
  });

  it('stops audio past its length limit', async () => {
    const short = new EspeakTts({ maxAudioSeconds: 1 });
    await assert.rejects(short.render({ text: 'This sentence takes clearly more than one second to say.' }), {
      name: 'TtsError',
      message: /produced more than 44100 bytes/,
    });
  });

  it('reports a failed run with its exit code and stderr', async () => {
    const failing = new EspeakTts({ command: await script('fails', 'echo "Error: voice does not exist" >&2; exit 3') });
    await assert.rejects(failing.render({ text: 'hi' }), (error: unknown) => {
      assert.ok(error instanceof TtsError);
      assert.match(error.message, /exited with code 3: Error: voice does not exist$/);
      assert.equal(error.stderr, 'Error: voice does not exist');
      return true;
    });
  });

  it('reports audio it cannot read', async () => {
    const garbled = new EspeakTts({ command: await script('garbled', 'echo "this is not a wav file"') });
    await assert.rejects(garbled.render({ text: 'hi' }), { name: 'TtsError', message: /espeak-ng wrote unreadable audio: not a WAV file/ });
  });

  it('kills a run that takes longer than its timeout', async () => {
    const hanging = new EspeakTts({ command: await script('hangs', 'exec sleep 30'), timeoutMs: 300 });
    const started = Date.now();
    await assert.rejects(hanging.render({ text: 'hi' }), { name: 'TtsError', message: /did not finish within 300 ms/ });
    assert.ok(Date.now() - started < 5000);
  });

  it('runs at most maxConcurrent processes and queues the rest', async () => {
    // The stand-in fails when another copy of it holds the lock.
    const exclusive = await script('exclusive', `mkdir "${dir}/lock" 2>/dev/null || { echo overlap >&2; exit 9; }\nsleep 0.2\nrmdir "${dir}/lock"`);
    const one = new EspeakTts({ command: exclusive, maxConcurrent: 1 });
    const queued = await Promise.allSettled([1, 2, 3].map(() => one.render({ text: 'hi' })));
    assert.deepEqual(queued.map((r) => r.status), ['fulfilled', 'fulfilled', 'fulfilled']);
    const two = new EspeakTts({ command: exclusive, maxConcurrent: 2 });
    const overlapping = await Promise.allSettled([1, 2].map(() => two.render({ text: 'hi' })));
    assert.ok(overlapping.some((r) => r.status === 'rejected'), 'without the limit the runs overlap');
  });
});
