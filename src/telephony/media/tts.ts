/**
 * Text-to-speech with the espeak-ng program. It runs as a child process, never a library in ours, so its
 * GPL code stays out of outdial. Prompts name Amazon Polly voices and languages, as Connect flows do; each
 * is mapped to the nearest espeak-ng voice, and Polly's SSML is trimmed to what espeak-ng reads.
 */
import { spawn } from 'node:child_process';

import { AudioFormatError } from './audio-errors.js';
import { toTelephonyPcm } from './resample.js';
import { readWav, type DecodedWav } from './wav.js';

/** A render that failed: bad input, or espeak-ng exited badly, timed out or wrote unreadable audio. */
export class TtsError extends Error {
  override readonly name: string = 'TtsError';

  /** What espeak-ng wrote to stderr, when it ran. */
  readonly stderr: string;

  constructor(message: string, options?: { stderr?: string; cause?: unknown }) {
    super(message, { cause: options?.cause });
    this.stderr = options?.stderr ?? '';
  }
}

/** The configured command cannot be run at all. */
export class TtsUnavailableError extends TtsError {
  override readonly name = 'TtsUnavailableError';
}

export interface TtsInput {
  /** Exactly one of `text` and `ssml`. */
  readonly text?: string;
  readonly ssml?: string;
  /** An Amazon Polly voice name (Joanna, Matthew, Céline, …). */
  readonly voice?: string;
  /** A Polly language code (en-US, fr-FR, …); it wins over the voice's own language. */
  readonly languageCode?: string;
}

export interface EspeakTtsOptions {
  /** The espeak-ng executable, looked up on PATH unless it is a path. */
  readonly command?: string;
  /** espeak-ng processes at once; further renders wait their turn. */
  readonly maxConcurrent?: number;
  readonly timeoutMs?: number;
  /** Longest text or SSML, in characters; Polly's own limit is 6000. */
  readonly maxInputChars?: number;
  /** Longest audio one render may produce, so a prompt of long breaks cannot fill memory. */
  readonly maxAudioSeconds?: number;
}

const DEFAULTS = {
  command: 'espeak-ng',
  maxConcurrent: 2,
  timeoutMs: 10_000, // 6000 characters of text render in about 0.3 s
  maxInputChars: 6000,
  maxAudioSeconds: 600,
} as const;

const CHECK_TIMEOUT_MS = 5000;
/** espeak-ng writes 22050 Hz 16-bit mono. */
const ESPEAK_BYTES_PER_SECOND = 22050 * 2;
const MAX_STDERR_BYTES = 8192;

export class EspeakTts {
  readonly #command: string;
  readonly #timeoutMs: number;
  readonly #maxInputChars: number;
  readonly #maxOutputBytes: number;
  readonly #slots: Slots;

  constructor(options: EspeakTtsOptions = {}) {
    this.#command = options.command ?? DEFAULTS.command;
    this.#timeoutMs = positiveInteger('timeoutMs', options.timeoutMs ?? DEFAULTS.timeoutMs);
    this.#maxInputChars = positiveInteger('maxInputChars', options.maxInputChars ?? DEFAULTS.maxInputChars);
    const maxAudioSeconds = positiveInteger('maxAudioSeconds', options.maxAudioSeconds ?? DEFAULTS.maxAudioSeconds);
    this.#maxOutputBytes = maxAudioSeconds * ESPEAK_BYTES_PER_SECOND;
    this.#slots = new Slots(positiveInteger('maxConcurrent', options.maxConcurrent ?? DEFAULTS.maxConcurrent));
  }

  /** Resolves when `command` runs and is espeak-ng; meant for start-up, so a missing package fails early. */
  static async check(command: string = DEFAULTS.command): Promise<void> {
    let version: string;
    try {
      const limits = { timeoutMs: CHECK_TIMEOUT_MS, maxOutputBytes: 65_536 };
      version = (await runProcess(command, ['--version'], '', limits)).stdout.toString('utf8');
    } catch (error) {
      if (error instanceof TtsUnavailableError || !(error instanceof TtsError)) throw error;
      throw new TtsUnavailableError(`"${command}" does not run as espeak-ng: ${error.message}`, { stderr: error.stderr, cause: error });
    }
    if (!version.includes('eSpeak NG')) {
      throw new TtsUnavailableError(`"${command}" is not espeak-ng: its --version does not say eSpeak NG`);
    }
  }

  /** Speaks the input; resolves to 8 kHz mono 16-bit audio (empty when there was nothing to say). */
  async render(input: TtsInput): Promise<Int16Array> {
    const { text, ssml } = input;
    if ((text === undefined) === (ssml === undefined)) throw new TypeError('EspeakTts.render needs exactly one of text and ssml');
    const body = text ?? ssml ?? '';
    if (body.length > this.#maxInputChars) {
      throw new TtsError(`prompt is ${body.length} characters; the limit is ${this.#maxInputChars}`);
    }
    const args = ['--stdout', '--stdin', '-b', '1', '-v', espeakVoiceFor(input)];
    if (ssml !== undefined) args.push('-m');
    const limits = { timeoutMs: this.#timeoutMs, maxOutputBytes: this.#maxOutputBytes };
    const { stdout, stderr } = await this.#slots.run(() =>
      runProcess(this.#command, args, ssml === undefined ? body : toEspeakSsml(body), limits),
    );
    // espeak-ng writes nothing at all, not even a header, when the input has no words.
    if (stdout.length === 0) return new Int16Array(0);
    let wav: DecodedWav;
    try {
      wav = readWav(stdout);
    } catch (error) {
      if (!(error instanceof AudioFormatError)) throw error;
      throw new TtsError(`espeak-ng wrote unreadable audio: ${error.message}`, { stderr, cause: error });
    }
    return toTelephonyPcm(wav.samples, wav.sampleRate);
  }
}

function positiveInteger(name: string, value: number): number {
  if (!(Number.isInteger(value) && value > 0)) throw new RangeError(`EspeakTts ${name} must be a positive integer, got ${value}`);
  return value;
}

// ---- voices ---------------------------------------------------------------------------------------------

export interface PollyVoice {
  readonly languageCode: string;
  /** The espeak-ng voice variant that stands in for it (f… female, m… male, '' espeak's default male). */
  readonly variant: string;
}

/** espeak-ng's variants, handed out in this order to a language's voices so that they differ audibly. */
const FEMALE_VARIANTS = ['f3', 'f2', 'f4', 'f1', 'f5'];
const MALE_VARIANTS = ['', 'm3', 'm1', 'm2', 'm4', 'm5', 'm6', 'm7'];

/** Amazon Polly's voices by language: [female, male]. Bilingual voices are listed under their first language. */
const POLLY_VOICES_BY_LANGUAGE: Readonly<Record<string, readonly [female: string[], male: string[]]>> = {
  'en-US': [['Joanna', 'Salli', 'Kendra', 'Kimberly', 'Ivy', 'Ruth', 'Danielle'], ['Matthew', 'Joey', 'Justin', 'Kevin', 'Stephen', 'Gregory', 'Patrick']],
  'en-GB': [['Amy', 'Emma'], ['Brian', 'Arthur']],
  'en-AU': [['Nicole', 'Olivia'], ['Russell']],
  'en-IN': [['Aditi', 'Raveena', 'Kajal'], []],
  'en-IE': [['Niamh'], []],
  'en-NZ': [['Aria'], []],
  'en-SG': [['Jasmine'], []],
  'en-ZA': [['Ayanda'], []],
  'en-GB-WLS': [[], ['Geraint']],
  'fr-FR': [['Celine', 'Lea'], ['Mathieu', 'Remi']],
  'fr-CA': [['Chantal', 'Gabrielle'], ['Liam']],
  'fr-BE': [['Isabelle'], []],
  'de-DE': [['Marlene', 'Vicki'], ['Hans', 'Daniel']],
  'de-AT': [['Hannah'], []],
  'de-CH': [['Sabrina'], []],
  'es-ES': [['Conchita', 'Lucia'], ['Enrique', 'Sergio']],
  'es-MX': [['Mia'], ['Andres']],
  'es-US': [['Lupe', 'Penelope'], ['Miguel', 'Pedro']],
  'it-IT': [['Carla', 'Bianca'], ['Giorgio', 'Adriano']],
  'pt-BR': [['Camila', 'Vitoria'], ['Ricardo', 'Thiago']],
  'pt-PT': [['Ines'], ['Cristiano']],
  'ja-JP': [['Mizuki', 'Kazuha', 'Tomoko'], ['Takumi']],
  'ko-KR': [['Seoyeon', 'Jihye'], []],
  'cmn-CN': [['Zhiyu'], []],
  'yue-CN': [['Hiujin'], []],
  arb: [['Zeina'], []],
  'ar-AE': [['Hala'], ['Zayd']],
  'nl-NL': [['Lotte', 'Laura'], ['Ruben']],
  'nl-BE': [['Lisa'], []],
  'da-DK': [['Naja', 'Sofie'], ['Mads']],
  'nb-NO': [['Liv', 'Ida'], []],
  'sv-SE': [['Astrid', 'Elin'], []],
  'fi-FI': [['Suvi'], []],
  'is-IS': [['Dora'], ['Karl']],
  'pl-PL': [['Ewa', 'Maja', 'Ola'], ['Jacek', 'Jan']],
  'ru-RU': [['Tatyana'], ['Maxim']],
  'tr-TR': [['Filiz', 'Burcu'], []],
  'ro-RO': [['Carmen'], []],
  'cs-CZ': [['Jitka'], []],
  'ca-ES': [['Arlet'], []],
  'cy-GB': [['Gwyneth'], []],
};

/** Polly voice (lower case, without accents) → language and variant. */
export const POLLY_VOICES: ReadonlyMap<string, PollyVoice> = new Map(
  Object.entries(POLLY_VOICES_BY_LANGUAGE).flatMap(([languageCode, [female, male]]) => [
    ...female.map((name, i) => [voiceKey(name), { languageCode, variant: FEMALE_VARIANTS[i % FEMALE_VARIANTS.length]! }] as const),
    ...male.map((name, i) => [voiceKey(name), { languageCode, variant: MALE_VARIANTS[i % MALE_VARIANTS.length]! }] as const),
  ]),
);

/**
 * Polly language (lower case) → espeak-ng voice. Where espeak-ng has no such accent the nearest one it has
 * stands in (British English for the Commonwealth, Latin American Spanish for es-US).
 */
const ESPEAK_LANGUAGES: Readonly<Record<string, string>> = {
  'en-us': 'en-us', 'en-gb': 'en-gb', 'en-au': 'en-gb', 'en-in': 'en-gb', 'en-ie': 'en-gb', 'en-nz': 'en-gb',
  'en-sg': 'en-gb', 'en-za': 'en-gb', 'en-gb-wls': 'en-gb',
  'fr-fr': 'fr-fr', 'fr-ca': 'fr-fr', 'fr-be': 'fr-be', 'fr-ch': 'fr-ch',
  'de-de': 'de', 'de-at': 'de', 'de-ch': 'de',
  'es-es': 'es', 'es-mx': 'es-419', 'es-us': 'es-419',
  'it-it': 'it', 'pt-br': 'pt-br', 'pt-pt': 'pt', 'ja-jp': 'ja', 'ko-kr': 'ko', 'cmn-cn': 'cmn', 'yue-cn': 'yue',
  arb: 'ar', 'ar-ae': 'ar', 'nl-nl': 'nl', 'nl-be': 'nl', 'da-dk': 'da', 'nb-no': 'nb', 'sv-se': 'sv', 'fi-fi': 'fi',
  'is-is': 'is', 'pl-pl': 'pl', 'ru-ru': 'ru', 'tr-tr': 'tr', 'ro-ro': 'ro', 'cs-cz': 'cs', 'ca-es': 'ca',
  'cy-gb': 'cy', 'hi-in': 'hi',
};

/** The espeak-ng `-v` argument for a Polly voice and language, e.g. Joanna → `en-us+f3`. */
export function espeakVoiceFor({ voice, languageCode }: Pick<TtsInput, 'voice' | 'languageCode'>): string {
  const polly = voice === undefined ? undefined : POLLY_VOICES.get(voiceKey(voice));
  const language = espeakLanguage(languageCode ?? polly?.languageCode ?? 'en-US');
  return polly === undefined || polly.variant === '' ? language : `${language}+${polly.variant}`;
}

function voiceKey(name: string): string {
  return name.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase();
}

/** Exact code, else any code of the same primary language (de-LU → de), else American English. */
function espeakLanguage(languageCode: string): string {
  const code = languageCode.toLowerCase();
  const primary = code.split('-')[0];
  return (
    ESPEAK_LANGUAGES[code] ??
    Object.entries(ESPEAK_LANGUAGES).find(([known]) => known.split('-')[0] === primary)?.[1] ??
    'en-us'
  );
}

// ---- SSML -----------------------------------------------------------------------------------------------

/** Elements both Polly and espeak-ng understand. Others (amazon:*, lang, phoneme, w, audio, voice) lose their
 * tags but keep their text, as a Polly voice would still speak it. */
const KEPT_SSML_ELEMENTS = new Set(['speak', 'p', 's', 'break', 'prosody', 'emphasis', 'say-as', 'sub', 'mark']);
/** A start, end or empty-element tag; its name is group 1, and a quoted `>` does not end it. */
const SSML_TAG = /<\/?([A-Za-z_][\w.:-]*)(?:[^>"']|"[^"]*"|'[^']*')*>/g;
const XML_DECLARATIONS_AND_COMMENTS = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<![A-Za-z][^>]*>/g;
/** espeak-ng switches to its default voice for a language named in SSML, losing the one we chose. */
const XML_LANG = /\s+xml:lang\s*=\s*("[^"]*"|'[^']*')/g;

export function toEspeakSsml(ssml: string): string {
  return ssml
    .replace(XML_DECLARATIONS_AND_COMMENTS, '')
    .replace(SSML_TAG, (tag, name: string) => (KEPT_SSML_ELEMENTS.has(name.toLowerCase()) ? tag.replace(XML_LANG, '') : ''));
}

// ---- processes ------------------------------------------------------------------------------------------

interface ProcessOutput {
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** Runs `command` without a shell, feeding `input` on stdin; rejects unless it exits 0 within the limits. */
function runProcess(
  command: string,
  args: string[],
  input: string,
  limits: { timeoutMs: number; maxOutputBytes: number },
): Promise<ProcessOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let stdoutBytes = 0;
    let stderrBytes = 0;
    let settled = false;
    const stderrText = (): string => Buffer.concat(stderr).toString('utf8').trim();
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    // Settles at once rather than on 'close', which a grandchild holding the pipes open could delay.
    const abort = (reason: string): void => {
      settle(() => reject(new TtsError(reason, { stderr: stderrText() })));
      child.kill('SIGKILL');
      child.stdout.destroy();
      child.stderr.destroy();
    };
    // A safety net for a hung process, not a schedule: it only ever kills.
    const timer = setTimeout(() => abort(`${command} did not finish within ${limits.timeoutMs} ms`), limits.timeoutMs);

    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > limits.maxOutputBytes) abort(`${command} produced more than ${limits.maxOutputBytes} bytes`);
      else stdout.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderrBytes < MAX_STDERR_BYTES) stderr.push(chunk);
      stderrBytes += chunk.length;
    });
    // A process that exits before reading all its input breaks the pipe; its exit status says why.
    child.stdin.on('error', () => {});
    child.on('error', (error: NodeJS.ErrnoException) => {
      const unavailable = error.code === 'ENOENT' || error.code === 'EACCES';
      settle(() =>
        reject(
          unavailable
            ? new TtsUnavailableError(
                `espeak-ng not found (tried "${command}"): install Debian's espeak-ng package or set telephony.sip.tts.command`,
                { cause: error },
              )
            : new TtsError(`${command} could not be started: ${error.message}`, { cause: error }),
        ),
      );
    });
    child.on('close', (code, signal) => {
      const errorText = stderrText();
      settle(() => {
        if (code === 0) return resolve({ stdout: Buffer.concat(stdout), stderr: errorText });
        const how = code === null ? `was killed by ${signal}` : `exited with code ${code}`;
        reject(new TtsError(`${command} ${how}${errorText === '' ? '' : `: ${errorText}`}`, { stderr: errorText }));
      });
    });
    child.stdin.end(input, 'utf8');
  });
}

/** A counting semaphore: at most `size` tasks run at once, the rest start in arrival order. */
class Slots {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(size: number) {
    this.#free = size;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiter, so a newcomer cannot overtake the queue.
      const next = this.#waiting.shift();
      if (next === undefined) this.#free++;
      else next();
    }
  }
}
