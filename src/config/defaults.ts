import { DEFAULT_RETRY_SCHEDULE_SECONDS } from '../events/retry.js';

/**
 * Every default in one table. Quotas follow Amazon Connect's documented defaults; see docs/configuration.md.
 */
export const DEFAULTS = {
  host: '127.0.0.1',
  port: 7080,
  db: './outdial.db',
  region: 'us-east-1',
  accountId: '000000000000',
  nodeId: 'local',
  logLevel: 'info',
  bodyLimitBytes: 1024 * 1024, // 1 MiB; SOVC's largest legal body (attributes + references) is well under it
  /** The documented local key pair, accepted only while bound to loopback with no keys configured. */
  localCredentials: { accessKeyId: 'AKIDOUTDIALLOCAL', secretAccessKey: 'outdial-local-secret' },
  signatureMaxSkewMs: 15 * 60 * 1000, // 15 minutes, as AWS allows
  clientTokenTtlMs: 7 * 24 * 3600 * 1000, // 7 days, per the StartOutboundVoiceContact docs
  speed: 1,
  /** Prometheus metrics on `GET /metrics` (docs/observability.md). */
  metrics: { enabled: true },
  /** How long an offer rings in the agent's console, and then the agent's phone, before it is missed. */
  routing: { offerTimeoutSeconds: 20, agentRingTimeoutSeconds: 20 },
  quotas: {
    concurrentActiveCallsPerInstance: 10, // L-12AB7C57
    concurrentCampaignActiveCallsPerInstance: 0, // campaign traffic needs a quota increase on Connect
    instancesPerAccount: 2,
    phoneNumbersPerInstance: 5,
    queuesPerInstance: 50,
    flowsPerInstance: 100,
    usersPerInstance: 500,
    routingProfilesPerInstance: 100,
  },
  /** API throttling per account and operation: 2 requests/s with a burst of 5 ("all other operations"). */
  rateLimit: { ratePerSecond: 2, burst: 5 },
  rateLimitOverrides: {
    GetCurrentMetricData: { ratePerSecond: 5, burst: 8 },
  } as Record<string, { ratePerSecond: number; burst: number }>,
  /** Country codes a US-region instance may call: US/Canada/NANP, Mexico, UK. */
  allowedPrefixes: ['+1', '+52', '+44'],
  /** Premium and mobile ranges Connect blocks by default (UK and Japan). */
  blockedPrefixes: ['+447', '+44111', '+44118', '+44119', '+448', '+44826', '+449', '+8170', '+8180', '+8190'],
  /** The SIP user agent (docs/sip.md); only started when the config names a trunk. */
  sip: {
    bindAddress: '127.0.0.1',
    port: 5060,
    rtpPortMin: 20000,
    rtpPortMax: 40000,
    /** An answered call with no RTP from the far end this long is dead. */
    rtpInactivitySeconds: 30,
    /** RFC 4028 recommends 1800 s. */
    sessionExpiresSeconds: 1800,
    /** RFC 3261 §18.1.1: larger requests go over TCP. */
    udpMtuBytes: 1300,
    recordingsDir: './recordings',
    mediaWorkers: 0,
    ttsCommand: 'espeak-ng',
  },
  events: {
    /** The envelope's `source`; Connect's own, so consumers' rules match unchanged. */
    source: 'aws.connect',
    /** Standard Webhooks recommends 15–30 s. */
    timeoutMs: 15_000,
    webhookConcurrency: 16,
    retryScheduleSeconds: DEFAULT_RETRY_SCHEDULE_SECONDS,
    retentionDays: 7,
    secretGraceSeconds: 24 * 3600,
    rotateFileBytes: 0,
  },
} as const;
