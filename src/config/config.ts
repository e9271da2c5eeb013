/**
 * Config: a pure function of a file, the environment and CLI flags, validated strictly (unknown keys are
 * errors) and frozen. Precedence: flags over environment over file over DEFAULTS. No other module reads
 * `process.env`.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { calleeScriptSchema, DEMO_CALLEE_SCRIPTS } from '../telephony/sim/callee-script.js';
import { DEFAULTS } from './defaults.js';
import { CONTACT_EVENT_TYPES } from '../services/contact-events.js';
import type { DeclaredSink } from '../services/event-sinks.js';
import { passwordProblem } from '../services/user-service.js';
import { isValidSecret } from '../events/signing.js';
import type { TrunkConfig } from '../telephony/sip/trunk.js';

const e164 = z.string().regex(/^\+[1-9]\d{1,14}$/, 'an E.164 number such as +12065550100');
const rate = z.object({ ratePerSecond: z.number().positive(), burst: z.number().int().min(1) }).strict();

const flowSchema = z
  .object({
    name: z.string().min(1),
    type: z.string().default('CONTACT_FLOW'),
    description: z.string().optional(),
    /** A JSON file (relative to the config file) holding flow-language content, or the content inline. */
    file: z.string().optional(),
    content: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .refine((f) => (f.file === undefined) !== (f.content === undefined), 'give exactly one of "file" or "content"');

const sinkName = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, '1 to 64 letters, digits, ".", "_" or "-"');
const sinkStream = z.enum(['events', 'records']).default('events');
const eventTypes = z.array(z.enum(CONTACT_EVENT_TYPES)).default([]);
const webhookSecret = z.string().refine(isValidSecret, 'a Standard Webhooks secret: "whsec_" and base64 of 24 to 64 bytes');
const sinkSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('webhook'),
      name: sinkName,
      url: z.url({ protocol: /^https?$/ }),
      /** Signing secrets, newest first; several sign side by side during a rotation. */
      secrets: z.array(webhookSecret).default([]),
      stream: sinkStream,
      eventTypes,
    })
    .strict(),
  z.object({ type: z.literal('file'), name: sinkName, path: z.string().min(1), stream: sinkStream, eventTypes }).strict(),
  z.object({ type: z.literal('stdout'), name: sinkName, stream: sinkStream, eventTypes }).strict(),
]);

const hostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/, 'host or host:port')
  .refine((s) => {
    const port = /:(\d+)$/.exec(s)?.[1];
    return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
  }, 'a port from 1 to 65535');
const trunkSchema = z
  .object({
    name: sinkName,
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(5060),
    transport: z.enum(['udp', 'tcp']).default('udp'),
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    fromDomain: z.string().min(1).optional(),
    fromUser: z.string().min(1).optional(),
    callerIdNumber: e164.optional(),
    callerIdName: z.string().max(64).optional(),
    assertIdentity: z.boolean().default(false),
    numberFormat: z.enum(['e164', 'digits']).default('e164'),
    outboundProxy: hostPort.optional(),
  })
  .strict()
  .refine((t) => (t.username === undefined) === (t.password === undefined), 'give both "username" and "password", or neither');

const telephonySchema = z
  .object({
    /** The carrier for calls no route matches: "sim" or a trunk's name. */
    default: z.string().min(1).optional(),
    routes: z
      .array(
        z
          .object({
            match: z.string().regex(/^\+[0-9]*\*?$/, 'an E.164 number, or a prefix such as "+44*"').optional(),
            instance: z.string().min(1).optional(),
            carrier: z.string().min(1),
          })
          .strict(),
      )
      .default([]),
    trunks: z.array(trunkSchema).default([]),
    sip: z
      .object({
        bindAddress: z.string().min(1).optional(),
        port: z.number().int().min(0).max(65535).optional(),
        publicAddress: z.string().min(1).optional(),
        rtpPortMin: z.number().int().min(1024).max(65534).optional(),
        rtpPortMax: z.number().int().min(1025).max(65535).optional(),
        rtpInactivitySeconds: z.number().min(0).optional(),
        sessionExpiresSeconds: z.number().int().min(0).optional(),
        udpMtuBytes: z.number().int().min(500).max(65000).optional(),
        recordingsDir: z.string().min(1).optional(),
        mediaWorkers: z.number().int().min(0).max(64).optional(),
        tts: z.object({ command: z.string().min(1).optional() }).strict().optional(),
        /** Connect prompt ids/ARNs or media URIs → audio files (WAV or MP3) to play for them. */
        promptFiles: z.record(z.string().min(1), z.string().min(1)).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const channel = z.enum(['VOICE', 'CHAT', 'TASK', 'EMAIL']);
const routingProfileSchema = z
  .object({
    name: z.string().min(1).max(127),
    description: z.string().min(1).max(250).optional(),
    /** The name of a queue of the instance (declared, or existing). */
    defaultOutboundQueue: z.string().min(1),
    queues: z
      .array(
        z
          .object({
            queue: z.string().min(1),
            channel: channel.default('VOICE'),
            priority: z.number().int().min(1).max(99).default(1),
            delay: z.number().int().min(0).max(9999).default(0),
          })
          .strict(),
      )
      .max(10)
      .default([]),
    mediaConcurrencies: z
      .array(z.object({ channel: channel.default('VOICE'), concurrency: z.number().int().min(1).max(10) }).strict())
      .default([{ channel: 'VOICE', concurrency: 1 }]),
  })
  .strict();

const userSchema = z
  .object({
    username: z.string().min(1).max(100),
    /** The password in the file, or the name of an environment variable holding it; exactly one. */
    password: z.string().optional(),
    passwordEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name').optional(),
    firstName: z.string().min(1).max(255),
    lastName: z.string().min(1).max(300),
    email: z.string().optional(),
    /** The name of a routing profile of the instance. */
    routingProfile: z.string().min(1),
    phoneType: z.enum(['SOFT_PHONE', 'DESK_PHONE']).default('SOFT_PHONE'),
    deskPhoneNumber: e164.optional(),
    autoAccept: z.boolean().default(false),
    afterContactWorkTimeLimit: z.number().int().min(0).max(2_000_000).default(0),
    securityProfileIds: z.array(z.string().min(1)).min(1).max(10).optional(),
  })
  .strict()
  .refine((u) => (u.password === undefined) !== (u.passwordEnv === undefined), 'give exactly one of "password" or "passwordEnv"')
  .refine((u) => u.password === undefined || passwordProblem(u.password) === undefined, {
    message: 'password: 8 to 64 characters without spaces, with a lower-case letter, an upper-case letter and a digit',
  })
  .refine((u) => u.phoneType !== 'DESK_PHONE' || u.deskPhoneNumber !== undefined, 'DESK_PHONE needs "deskPhoneNumber"');

const instanceSchema = z
  .object({
    alias: z.string().min(1),
    outboundCallsEnabled: z.boolean().default(true),
    inboundCallsEnabled: z.boolean().default(true),
    maxConcurrentCalls: z.number().int().min(0).optional(),
    maxConcurrentCampaignCalls: z.number().int().min(0).optional(),
    allowedPrefixes: z.array(z.string().regex(/^\+\d+$/)).optional(),
    blockedPrefixes: z.array(z.string().regex(/^\+\d+$/)).optional(),
    hoursOfOperation: z
      .array(
        z
          .object({
            name: z.string().min(1),
            timeZone: z.string().default('UTC'),
            description: z.string().optional(),
            /** Connect's HoursOfOperationConfig list; omitted means open around the clock. */
            config: z.array(z.unknown()).optional(),
          })
          .strict(),
      )
      .default([]),
    phoneNumbers: z
      .array(z.object({ number: e164, type: z.enum(['DID', 'TOLL_FREE']).default('DID'), description: z.string().optional() }).strict())
      .default([]),
    flows: z.array(flowSchema).default([]),
    queues: z
      .array(
        z
          .object({
            name: z.string().min(1),
            description: z.string().optional(),
            hoursOfOperation: z.string(),
            outboundCallerIdName: z.string().optional(),
            outboundCallerIdNumber: e164.optional(),
            outboundFlow: z.string().optional(),
          })
          .strict(),
      )
      .default([]),
    routingProfiles: z.array(routingProfileSchema).default([]),
    users: z.array(userSchema).default([]),
  })
  .strict();

export const fileSchema = z
  .object({
    host: z.string().optional(),
    port: z.number().int().min(0).max(65535).optional(),
    db: z.string().optional(),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/).optional(),
    accountId: z.string().regex(/^\d{12}$/).optional(),
    nodeId: z.string().min(1).optional(),
    logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent']).optional(),
    bodyLimitBytes: z.number().int().min(1024).optional(),
    credentials: z.array(z.object({ accessKeyId: z.string().min(1), secretAccessKey: z.string().min(1) }).strict()).optional(),
    /** Seed an empty store with the demo instance (default true). */
    demo: z.boolean().optional(),
    network: z
      .object({
        speed: z.number().positive().optional(),
        /** Appended after the demo scripts; the first match wins, so these can't shadow demo numbers. */
        callees: z.array(calleeScriptSchema).optional(),
      })
      .strict()
      .optional(),
    quotas: z
      .object({
        concurrentActiveCallsPerInstance: z.number().int().min(0).optional(),
        concurrentCampaignActiveCallsPerInstance: z.number().int().min(0).optional(),
        instancesPerAccount: z.number().int().min(0).optional(),
        phoneNumbersPerInstance: z.number().int().min(0).optional(),
        queuesPerInstance: z.number().int().min(0).optional(),
        flowsPerInstance: z.number().int().min(0).optional(),
        usersPerInstance: z.number().int().min(0).optional(),
        routingProfilesPerInstance: z.number().int().min(0).optional(),
      })
      .strict()
      .optional(),
    rateLimit: rate.optional(),
    rateLimitOverrides: z.record(z.string(), rate).optional(),
    /** Disables API throttling altogether (benchmarks, load tests). */
    rateLimitDisabled: z.boolean().optional(),
    allowedPrefixes: z.array(z.string().regex(/^\+\d+$/)).optional(),
    blockedPrefixes: z.array(z.string().regex(/^\+\d+$/)).optional(),
    instances: z.array(instanceSchema).optional(),
    /** Lambda function ARN (or bare function name) → HTTP endpoint that InvokeLambdaFunction POSTs to. */
    lambdaFunctions: z.record(z.string().min(1), z.url()).optional(),
    /** Prometheus metrics on `GET /metrics` (default enabled). */
    metrics: z.object({ enabled: z.boolean().optional() }).strict().optional(),
    /** The agent console (docs/console.md): `secureCookies` true behind a TLS-terminating proxy; `auto` by default. */
    console: z.object({ secureCookies: z.union([z.boolean(), z.literal('auto')]).optional() }).strict().optional(),
    telephony: telephonySchema.optional(),
    routing: z
      .object({
        offerTimeoutSeconds: z.number().min(1).max(600).optional(),
        agentRingTimeoutSeconds: z.number().min(1).max(600).optional(),
      })
      .strict()
      .optional(),
    events: z
      .object({
        source: z.string().min(1).optional(),
        sinks: z.array(sinkSchema).optional(),
        timeoutMs: z.number().int().min(100).optional(),
        webhookConcurrency: z.number().int().min(1).max(256).optional(),
        retryScheduleSeconds: z.array(z.number().min(0)).optional(),
        retentionDays: z.number().positive().optional(),
        secretGraceSeconds: z.number().min(0).optional(),
        rotateFileBytes: z.number().int().min(0).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** A flow declared in config, its content already read and serialized. */
export interface DeclaredFlow {
  name: string;
  type: string;
  description?: string;
  content: string;
}

/** A user declared in config, its password already read (from the file or the environment). */
export type DeclaredUser = Omit<z.infer<typeof userSchema>, 'password' | 'passwordEnv'> & { password: string };

/** An instance declared in config, created on start when no instance has its alias. */
export type DeclaredInstance = Omit<z.infer<typeof instanceSchema>, 'flows' | 'users'> & { flows: DeclaredFlow[]; users: DeclaredUser[] };

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly db: string;
  readonly region: string;
  readonly accountId: string;
  readonly nodeId: string;
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';
  readonly bodyLimitBytes: number;
  readonly credentials: readonly { accessKeyId: string; secretAccessKey: string }[];
  /** True when the credentials are the built-in local pair. */
  readonly usingLocalCredentials: boolean;
  readonly demo: boolean;
  readonly speed: number;
  readonly callees: z.infer<typeof calleeScriptSchema>[];
  readonly quotas: { readonly [K in keyof typeof DEFAULTS.quotas]: number };
  readonly rateLimit: { ratePerSecond: number; burst: number } | null;
  readonly rateLimitOverrides: Readonly<Record<string, { ratePerSecond: number; burst: number }>>;
  readonly allowedPrefixes: readonly string[];
  readonly blockedPrefixes: readonly string[];
  readonly signatureMaxSkewMs: number;
  readonly clientTokenTtlMs: number;
  readonly lambdaFunctions: Readonly<Record<string, string>>;
  readonly metrics: { readonly enabled: boolean };
  /** The agent console's session cookie: `Secure` always (true), never (false), or when the request came over TLS (`auto`). */
  readonly console: { readonly secureCookies: boolean | 'auto' };
  /** Declared resources, with flow files already read. */
  readonly instances: readonly DeclaredInstance[];
  readonly events: EventsConfig;
  readonly telephony: TelephonyConfig;
  /** Offers to agents; see docs/agents.md. */
  readonly routing: { readonly offerTimeoutSeconds: number; readonly agentRingTimeoutSeconds: number };
}

/** Which carrier dials what, and the SIP user agent's settings; see docs/sip.md. */
export interface TelephonyConfig {
  readonly default: string;
  readonly routes: readonly { readonly match?: string; readonly instance?: string; readonly carrier: string }[];
  readonly trunks: readonly TrunkConfig[];
  readonly sip: {
    readonly bindAddress: string;
    readonly port: number;
    readonly publicAddress?: string;
    readonly rtpPortMin: number;
    readonly rtpPortMax: number;
    readonly rtpInactivityMs: number;
    readonly sessionExpiresSeconds: number;
    readonly udpMtuBytes: number;
    readonly recordingsDir: string;
    /** Worker threads carrying RTP; 0 keeps media on the main thread. */
    readonly mediaWorkers: number;
    readonly ttsCommand: string;
    /** Keys as configured; values resolved against the config file's folder. */
    readonly promptFiles: Readonly<Record<string, string>>;
  };
}

/** Contact events, contact records and where they go; see docs/events.md. */
export interface EventsConfig {
  readonly source: string;
  /** Sinks declared in the config file; file paths resolved against the config file's folder. */
  readonly sinks: readonly DeclaredSink[];
  readonly timeoutMs: number;
  readonly webhookConcurrency: number;
  readonly retryScheduleSeconds: readonly number[];
  readonly retentionDays: number;
  readonly secretGraceSeconds: number;
  readonly rotateFileBytes: number;
}

/** Thrown for any bad configuration; the message names the setting and what is wrong with it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface ConfigFlags {
  host?: string;
  port?: number;
  db?: string;
  config?: string;
  speed?: number;
  logLevel?: string;
}

export interface LoadConfigOptions {
  flags?: ConfigFlags;
  env?: Readonly<Record<string, string | undefined>>;
  /** Reads a file; injectable for tests. */
  readFile?: (path: string) => string;
  /** The config file's content as an object, instead of reading `flags.config` (tests, embedding). */
  file?: unknown;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/;

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

/** Builds the frozen Config. Throws ConfigError for anything invalid, including a missing key on a public bind. */
export function loadConfig({
  flags = {},
  env = {},
  readFile = (p) => readFileSync(p, 'utf8'),
  file: given,
}: LoadConfigOptions = {}): Config {
  const configPath = flags.config ?? env.OUTDIAL_CONFIG;
  const file =
    given !== undefined
      ? validateFile(given, 'config')
      : configPath === undefined
        ? {}
        : parseFile(configPath, readFile);
  const baseDir = configPath === undefined ? process.cwd() : dirname(resolve(configPath));

  const host = flags.host ?? env.OUTDIAL_HOST ?? file.host ?? DEFAULTS.host;
  const port = flags.port ?? numberFromEnv(env, 'OUTDIAL_PORT') ?? file.port ?? DEFAULTS.port;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`port (--port, OUTDIAL_PORT or "port") must be a whole number from 0 to 65535, got ${port}`);
  }
  const envKey = env.OUTDIAL_ACCESS_KEY_ID || undefined;
  const envSecret = env.OUTDIAL_SECRET_ACCESS_KEY || undefined;
  if ((envKey === undefined) !== (envSecret === undefined)) {
    throw new ConfigError('set both OUTDIAL_ACCESS_KEY_ID and OUTDIAL_SECRET_ACCESS_KEY (neither empty), or neither');
  }
  const configured = [
    ...(envKey !== undefined && envSecret !== undefined ? [{ accessKeyId: envKey, secretAccessKey: envSecret }] : []),
    ...(file.credentials ?? []),
  ];
  if (configured.length === 0 && !isLoopback(host)) {
    throw new ConfigError(
      `refusing to listen on ${host} with the built-in local key pair: set OUTDIAL_ACCESS_KEY_ID and OUTDIAL_SECRET_ACCESS_KEY, or "credentials" in the config file`,
    );
  }
  const speed = flags.speed ?? numberFromEnv(env, 'OUTDIAL_SPEED') ?? file.network?.speed ?? DEFAULTS.speed;
  if (!(speed > 0)) throw new ConfigError(`speed must be a positive number, got ${speed}`);
  const logLevel = flags.logLevel ?? env.OUTDIAL_LOG_LEVEL ?? file.logLevel ?? DEFAULTS.logLevel;
  const level = fileSchema.shape.logLevel.safeParse(logLevel);
  if (!level.success || level.data === undefined) throw new ConfigError(`unknown log level "${logLevel}"`);

  return Object.freeze({
    host,
    port,
    db: flags.db ?? env.OUTDIAL_DB ?? file.db ?? DEFAULTS.db,
    region: file.region ?? DEFAULTS.region,
    accountId: file.accountId ?? DEFAULTS.accountId,
    nodeId: file.nodeId ?? DEFAULTS.nodeId,
    logLevel: level.data,
    bodyLimitBytes: file.bodyLimitBytes ?? DEFAULTS.bodyLimitBytes,
    credentials: configured.length > 0 ? configured : [DEFAULTS.localCredentials],
    usingLocalCredentials: configured.length === 0,
    demo: file.demo ?? true,
    speed,
    callees: [...DEMO_CALLEE_SCRIPTS, ...(file.network?.callees ?? [])],
    quotas: { ...DEFAULTS.quotas, ...file.quotas },
    rateLimit: file.rateLimitDisabled === true ? null : (file.rateLimit ?? DEFAULTS.rateLimit),
    rateLimitOverrides: { ...DEFAULTS.rateLimitOverrides, ...file.rateLimitOverrides },
    allowedPrefixes: file.allowedPrefixes ?? DEFAULTS.allowedPrefixes,
    blockedPrefixes: file.blockedPrefixes ?? DEFAULTS.blockedPrefixes,
    signatureMaxSkewMs: DEFAULTS.signatureMaxSkewMs,
    clientTokenTtlMs: DEFAULTS.clientTokenTtlMs,
    lambdaFunctions: file.lambdaFunctions ?? {},
    events: eventsConfig(file.events, baseDir),
    telephony: telephonyConfig(file.telephony, baseDir, env, speed),
    routing: { ...DEFAULTS.routing, ...file.routing },
    metrics: { enabled: booleanFromEnv(env, 'OUTDIAL_METRICS') ?? file.metrics?.enabled ?? DEFAULTS.metrics.enabled },
    console: { secureCookies: file.console?.secureCookies ?? 'auto' },
    instances: (file.instances ?? []).map((i) => ({
      ...i,
      flows: i.flows.map((f) => ({
        name: f.name,
        type: f.type,
        ...(f.description !== undefined && { description: f.description }),
        content: f.content !== undefined ? JSON.stringify(f.content) : readFlowFile(resolve(baseDir, f.file ?? ''), readFile),
      })),
      users: i.users.map((u) => declaredUser(u, i.alias, env)),
    })),
  });
}

function telephonyConfig(
  telephony: z.infer<typeof fileSchema>['telephony'],
  baseDir: string,
  env: Readonly<Record<string, string | undefined>>,
  speed: number,
): TelephonyConfig {
  const trunks = telephony?.trunks ?? [];
  const names = ['sim', ...trunks.map((t) => t.name)];
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new ConfigError(`telephony.trunks: "${twice}" names two carriers ("sim" is the simulated network)`);
  const defaultCarrier = telephony?.default ?? 'sim';
  for (const name of [defaultCarrier, ...(telephony?.routes ?? []).map((r) => r.carrier)]) {
    if (!names.includes(name)) throw new ConfigError(`telephony: no carrier named "${name}" (known: ${names.join(', ')})`);
  }
  if (trunks.length > 0 && speed !== 1) throw new ConfigError('SIP trunks run in real time: drop the speed factor (--speed, OUTDIAL_SPEED or network.speed) or the trunks');
  const sip = telephony?.sip ?? {};
  const d = DEFAULTS.sip;
  const rtpPortMin = sip.rtpPortMin ?? d.rtpPortMin;
  const rtpPortMax = sip.rtpPortMax ?? d.rtpPortMax;
  if (rtpPortMax - rtpPortMin < 2) throw new ConfigError('telephony.sip: rtpPortMax must be at least rtpPortMin + 2');
  const sipPort = numberFromEnv(env, 'OUTDIAL_SIP_PORT') ?? sip.port ?? d.port;
  if (!Number.isInteger(sipPort) || sipPort < 0 || sipPort > 65535) {
    throw new ConfigError(`telephony.sip.port (or OUTDIAL_SIP_PORT) must be a whole number from 0 to 65535, got ${sipPort}`);
  }
  return {
    default: defaultCarrier,
    routes: telephony?.routes ?? [],
    trunks: trunks.map((t) => {
      const { outboundProxy, ...rest } = t;
      if (outboundProxy === undefined) return rest;
      const match = /^(.*?)(?::(\d+))?$/.exec(outboundProxy)!;
      return { ...rest, outboundProxy: { host: match[1]!.replace(/^\[|\]$/g, ''), port: match[2] !== undefined ? Number(match[2]) : 5060 } };
    }),
    sip: {
      bindAddress: nonEmpty(env.OUTDIAL_SIP_BIND_ADDRESS) ?? sip.bindAddress ?? d.bindAddress,
      port: sipPort,
      ...((nonEmpty(env.OUTDIAL_SIP_PUBLIC_ADDRESS) ?? sip.publicAddress) !== undefined && {
        publicAddress: nonEmpty(env.OUTDIAL_SIP_PUBLIC_ADDRESS) ?? sip.publicAddress,
      }),
      rtpPortMin,
      rtpPortMax,
      rtpInactivityMs: (sip.rtpInactivitySeconds ?? d.rtpInactivitySeconds) * 1000,
      sessionExpiresSeconds: sip.sessionExpiresSeconds ?? d.sessionExpiresSeconds,
      udpMtuBytes: sip.udpMtuBytes ?? d.udpMtuBytes,
      recordingsDir: resolve(baseDir, sip.recordingsDir ?? d.recordingsDir),
      mediaWorkers: sip.mediaWorkers ?? d.mediaWorkers,
      ttsCommand: sip.tts?.command ?? d.ttsCommand,
      promptFiles: Object.fromEntries(Object.entries(sip.promptFiles ?? {}).map(([k, v]) => [k, resolve(baseDir, v)])),
    },
  };
}

function eventsConfig(events: z.infer<typeof fileSchema>['events'], baseDir: string): EventsConfig {
  const sinks = events?.sinks ?? [];
  const names = sinks.map((s) => s.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new ConfigError(`events.sinks: two sinks are named "${twice}"`);
  return {
    source: events?.source ?? DEFAULTS.events.source,
    sinks: sinks.map((s) => ({
      name: s.name,
      type: s.type,
      target: s.type === 'webhook' ? s.url : s.type === 'file' ? resolve(baseDir, s.path) : '',
      stream: s.stream,
      eventTypes: s.eventTypes,
      secrets: s.type === 'webhook' ? s.secrets : [],
    })),
    timeoutMs: events?.timeoutMs ?? DEFAULTS.events.timeoutMs,
    webhookConcurrency: events?.webhookConcurrency ?? DEFAULTS.events.webhookConcurrency,
    retryScheduleSeconds: events?.retryScheduleSeconds ?? DEFAULTS.events.retryScheduleSeconds,
    retentionDays: events?.retentionDays ?? DEFAULTS.events.retentionDays,
    secretGraceSeconds: events?.secretGraceSeconds ?? DEFAULTS.events.secretGraceSeconds,
    rotateFileBytes: events?.rotateFileBytes ?? DEFAULTS.events.rotateFileBytes,
  };
}

function parseFile(path: string, readFile: (p: string) => string): z.infer<typeof fileSchema> {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  return validateFile(json, `config file ${path}`);
}

function validateFile(json: unknown, what: string): z.infer<typeof fileSchema> {
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new ConfigError(`${what} is invalid:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}

function readFlowFile(path: string, readFile: (p: string) => string): string {
  try {
    return JSON.stringify(JSON.parse(readFile(path)));
  } catch (error) {
    throw new ConfigError(`cannot load flow file ${path}: ${(error as Error).message}`);
  }
}

/** A declared user with its password: as written, or read from the environment variable it names. */
function declaredUser(
  user: z.infer<typeof userSchema>,
  alias: string,
  env: Readonly<Record<string, string | undefined>>,
): DeclaredUser {
  const { password, passwordEnv, ...rest } = user;
  if (password !== undefined) return { ...rest, password };
  const where = `instances[${alias}].users[${user.username}].passwordEnv`;
  const value = env[passwordEnv ?? ''];
  if (value === undefined || value === '') throw new ConfigError(`${where}: the environment variable ${passwordEnv} is not set`);
  const problem = passwordProblem(value);
  if (problem !== undefined) throw new ConfigError(`${where}: the password in ${passwordEnv} ${problem}`);
  return { ...rest, password: value };
}

/** An environment value, or undefined when it is unset or empty. */
function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function booleanFromEnv(env: Readonly<Record<string, string | undefined>>, name: string): boolean | undefined {
  const text = env[name]?.trim().toLowerCase();
  if (text === undefined || text === '') return undefined;
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  throw new ConfigError(`${name} must be true or false, got "${env[name]}"`);
}

function numberFromEnv(env: Readonly<Record<string, string | undefined>>, name: string): number | undefined {
  const text = env[name]?.trim();
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!Number.isFinite(n)) throw new ConfigError(`${name} must be a number, got "${text}"`);
  return n;
}
