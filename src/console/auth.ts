/**
 * The console's sign-in: Connect users' usernames and passwords, sessions held in the store, per-session CSRF
 * tokens, and failure counting with lockout and backoff per username and per client address.
 *
 * A session id is 32 random bytes, given to the browser once (the cookie) and stored only as its SHA-256, so
 * a copy of the database signs nobody in. The CSRF token is derived from the id (a hash under another label),
 * so it needs no storage and cannot be computed without the cookie the page's script never sees.
 *
 * Every time read goes through the Clock port; main.ts hands in real time (never the engine's `--speed` clock).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { hashPassword, verifyPassword } from '../services/passwords.js';
import type { ConsoleSessionRecord, InstanceRecord, Store, UserRecord } from '../store/store.js';

export interface ConsoleSecurityPolicy {
  /** A session unused for this long ends (an open console page counts as use: its live stream keeps it). */
  readonly sessionIdleMs: number;
  /** A session ends this long after sign-in, however active. */
  readonly sessionMaxMs: number;
  /** The last-seen time is written at most this often per session. */
  readonly touchEveryMs: number;
  /** Failures per username (in one instance) before it locks. */
  readonly maxUserFailures: number;
  /** Failures per client address (any usernames) before it locks. */
  readonly maxAddressFailures: number;
  /** Failures are forgotten when none came for this long. */
  readonly failureWindowMs: number;
  /** The first lock's length; each further failure doubles it, up to lockMaxMs. */
  readonly lockBaseMs: number;
  readonly lockMaxMs: number;
}

export const DEFAULT_POLICY: ConsoleSecurityPolicy = {
  sessionIdleMs: 30 * 60_000, // 30 minutes
  sessionMaxMs: 12 * 3600_000, // 12 hours: a shift
  touchEveryMs: 60_000, // 1 minute
  maxUserFailures: 5,
  maxAddressFailures: 20,
  failureWindowMs: 15 * 60_000, // 15 minutes
  lockBaseMs: 60_000, // 1 minute
  lockMaxMs: 15 * 60_000, // 15 minutes
};

export type ConsoleStore = Pick<Store, 'instances' | 'users' | 'consoleSessions'>;

/** Who a request is from. */
export interface Principal {
  readonly session: ConsoleSessionRecord;
  readonly user: UserRecord;
  readonly csrfToken: string;
}

export type SignInResult =
  | { readonly ok: true; readonly sessionId: string; readonly principal: Principal; readonly instance: InstanceRecord }
  | { readonly ok: false; readonly reason: 'invalid' }
  | { readonly ok: false; readonly reason: 'locked'; readonly retryAfterMs: number };

export interface SignInRequest {
  /** The instance's alias, id or ARN. */
  readonly instance: string;
  readonly username: string;
  readonly password: string;
  /** The client's address, for per-address counting. */
  readonly address: string;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('base64url');

/** The store key of a session id. */
export const sessionKey = (sessionId: string): string => sha256(`session:${sessionId}`);

/** The CSRF token of a session id. */
export const csrfTokenOf = (sessionId: string): string => sha256(`csrf:${sessionId}`);

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const INSTANCE_ARN = /^arn:[\w-]+:connect:[\w-]*:\d*:instance\/([\w-]+)$/;

export class ConsoleAuth {
  readonly policy: ConsoleSecurityPolicy;
  readonly #store: ConsoleStore;
  readonly #clock: Clock;
  readonly #log: Logger;
  /** A hash to check passwords against when the user does not exist, so the answer takes as long either way. */
  #decoy: Promise<string> | undefined;

  constructor(options: { store: ConsoleStore; clock: Clock; logger: Logger; policy?: Partial<ConsoleSecurityPolicy> }) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#log = options.logger;
    this.policy = { ...DEFAULT_POLICY, ...options.policy };
  }

  /** The instance an alias, id or ARN names. */
  async resolveInstance(reference: string): Promise<InstanceRecord | undefined> {
    const id = INSTANCE_ARN.exec(reference)?.[1] ?? reference;
    return (await this.#store.instances.get(id)) ?? (await this.#store.instances.findByAlias(reference));
  }

  async signIn(request: SignInRequest): Promise<SignInResult> {
    const now = this.#clock.now();
    const instance = await this.resolveInstance(request.instance);
    // Case variants of a username count as one, so they cannot multiply the attempts.
    const userKey = `user:${instance?.id ?? request.instance}:${request.username.toLowerCase()}`;
    const addressKey = `address:${request.address}`;
    const failures = await this.#store.consoleSessions.getFailures([userKey, addressKey]);
    const lockedUntil = Math.max(0, ...failures.map((f) => f.lockedUntil ?? 0));
    if (lockedUntil > now) return { ok: false, reason: 'locked', retryAfterMs: lockedUntil - now };
    // Each attempt counts as a failure before the (slow) password check, and a success takes its count back.
    // Past the limit, only the one attempt that follows the count seen above goes on: parallel guesses
    // cannot all slip in while the first of them is still being checked.
    const before = (key: string) => failures.find((f) => f.key === key)?.failures ?? 0;
    const userCount = await this.#count(userKey, this.policy.maxUserFailures, now);
    const addressCount = await this.#count(addressKey, this.policy.maxAddressFailures, now);
    const racing = (key: string, count: number, max: number) => count > max && count !== before(key) + 1;
    if (racing(userKey, userCount, this.policy.maxUserFailures) || racing(addressKey, addressCount, this.policy.maxAddressFailures)) {
      const locks = await this.#store.consoleSessions.getFailures([userKey, addressKey]);
      const until = Math.max(now + 1, ...locks.map((f) => f.lockedUntil ?? 0));
      return { ok: false, reason: 'locked', retryAfterMs: until - now };
    }

    const user = instance === undefined ? undefined : await this.#store.users.findByUsername(instance.id, request.username);
    const stored = user?.passwordHash ?? (await this.#decoyHash());
    const matches = await verifyPassword(request.password, stored);
    if (!matches || user === undefined || user.passwordHash === null || instance === undefined) {
      this.#log.warn('console sign-in failed', { instance: request.instance, username: request.username, address: request.address });
      return { ok: false, reason: 'invalid' };
    }
    await this.#store.consoleSessions.forgiveFailure(addressKey);
    // Only the username's counter starts over: one good account must not reset an address's count.
    await this.#store.consoleSessions.clearFailures(userKey);
    const sessionId = randomBytes(32).toString('base64url');
    const session: ConsoleSessionRecord = {
      idHash: sessionKey(sessionId),
      instanceId: instance.id,
      userId: user.id,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + this.policy.sessionMaxMs,
    };
    await this.#store.consoleSessions.insert(session);
    this.#log.info('console sign-in', { instanceId: instance.id, userId: user.id, address: request.address });
    return { ok: true, sessionId, instance, principal: { session, user, csrfToken: csrfTokenOf(sessionId) } };
  }

  /** The principal of a live session, its last-seen time moved on; undefined (and the row gone) when it ended. */
  async authenticate(sessionId: string | undefined): Promise<Principal | undefined> {
    if (sessionId === undefined || sessionId === '' || sessionId.length > 100) return undefined;
    const key = sessionKey(sessionId);
    const session = await this.#store.consoleSessions.get(key);
    if (session === undefined) return undefined;
    const now = this.#clock.now();
    if (session.expiresAt <= now || session.lastSeenAt + this.policy.sessionIdleMs <= now) {
      await this.#store.consoleSessions.delete(key);
      return undefined;
    }
    // A deleted user's sessions end with it.
    const user = await this.#store.users.get(session.instanceId, session.userId);
    if (user === undefined || user.passwordHash === null) {
      await this.#store.consoleSessions.delete(key);
      return undefined;
    }
    if (now - session.lastSeenAt >= this.policy.touchEveryMs) {
      await this.#store.consoleSessions.touch(key, now);
      session.lastSeenAt = now;
    }
    return { session, user, csrfToken: csrfTokenOf(sessionId) };
  }

  async signOut(sessionId: string): Promise<void> {
    await this.#store.consoleSessions.delete(sessionKey(sessionId));
  }

  /** Whether `token` is the CSRF token of `principal`'s session, compared in constant time. */
  checkCsrf(principal: Principal, token: string | undefined): boolean {
    return token !== undefined && sameText(token, principal.csrfToken);
  }

  /** Deletes ended sessions and forgotten failure counters. */
  async sweep(): Promise<number> {
    const now = this.#clock.now();
    return this.#store.consoleSessions.sweep(now, now - this.policy.sessionIdleMs, now - this.policy.failureWindowMs);
  }

  /** Counts an attempt under `key`, locking the key once the count reaches `max`; returns the count. */
  async #count(key: string, max: number, now: number): Promise<number> {
    const count = await this.#store.consoleSessions.addFailure(key, now, now - this.policy.failureWindowMs);
    if (count < max) return count;
    const lockMs = Math.min(this.policy.lockMaxMs, this.policy.lockBaseMs * 2 ** Math.min(count - max, 20));
    await this.#store.consoleSessions.lock(key, now + lockMs);
    this.#log.warn('console sign-in locked', { key, failures: count, lockMs });
    return count;
  }

  #decoyHash(): Promise<string> {
    this.#decoy ??= hashPassword(randomBytes(16).toString('base64'));
    return this.#decoy;
  }
}
