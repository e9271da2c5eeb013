/** The `events` section of the config file. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';

import { ConfigError, loadConfig, type LoadConfigOptions } from '../../../src/config/config.js';
import { DEFAULT_RETRY_SCHEDULE_SECONDS } from '../../../src/events/retry.js';

const CONFIG_PATH = '/srv/outdial/conf/outdial.json';
const secret = (bytes = 32): string => `whsec_${randomBytes(bytes).toString('base64')}`;

/** loadConfig over a config file at CONFIG_PATH holding `{ events }`. */
function load(events: unknown): ReturnType<typeof loadConfig> {
  return loadConfig(options(events));
}

function options(events: unknown): LoadConfigOptions {
  return {
    flags: { config: CONFIG_PATH },
    readFile: (path) => {
      if (path !== CONFIG_PATH) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
      return JSON.stringify({ events });
    },
  };
}

function configError(events: unknown): ConfigError {
  try {
    load(events);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected loadConfig to throw a ConfigError');
}

describe('the events config', () => {
  it('defaults: source aws.connect, no sinks, 15 s timeout, 16 requests per webhook, the Standard Webhooks schedule', () => {
    const { events } = loadConfig();

    assert.deepEqual(events, {
      source: 'aws.connect',
      sinks: [],
      timeoutMs: 15_000,
      webhookConcurrency: 16,
      retryScheduleSeconds: DEFAULT_RETRY_SCHEDULE_SECONDS,
      retentionDays: 7,
      secretGraceSeconds: 86_400,
      rotateFileBytes: 0,
    });
  });

  it('takes every setting from the file', () => {
    const { events } = load({
      source: 'outdial.staging',
      timeoutMs: 5000,
      webhookConcurrency: 4,
      retryScheduleSeconds: [1, 2, 3],
      retentionDays: 0.5,
      secretGraceSeconds: 0,
      rotateFileBytes: 1_000_000,
    });

    assert.deepEqual(events, {
      source: 'outdial.staging',
      sinks: [],
      timeoutMs: 5000,
      webhookConcurrency: 4,
      retryScheduleSeconds: [1, 2, 3],
      retentionDays: 0.5,
      secretGraceSeconds: 0,
      rotateFileBytes: 1_000_000,
    });
  });

  it('parses webhook, file and stdout sinks, with their defaults (stream events, every event type, no secrets)', () => {
    const [s1, s2] = [secret(), secret(24)];
    const { events } = load({
      sinks: [
        { type: 'webhook', name: 'crm', url: 'https://crm.example.com/hooks/connect', secrets: [s1, s2], eventTypes: ['INITIATED', 'DISCONNECTED'] },
        { type: 'webhook', name: 'plain', url: 'http://127.0.0.1:9000/' },
        { type: 'file', name: 'records', path: 'data/records.jsonl', stream: 'records' },
        { type: 'stdout', name: 'console', eventTypes: ['COMPLETED'] },
      ],
    });

    assert.deepEqual(events.sinks, [
      {
        name: 'crm',
        type: 'webhook',
        target: 'https://crm.example.com/hooks/connect',
        stream: 'events',
        eventTypes: ['INITIATED', 'DISCONNECTED'],
        secrets: [s1, s2],
      },
      { name: 'plain', type: 'webhook', target: 'http://127.0.0.1:9000/', stream: 'events', eventTypes: [], secrets: [] },
      { name: 'records', type: 'file', target: '/srv/outdial/conf/data/records.jsonl', stream: 'records', eventTypes: [], secrets: [] },
      { name: 'console', type: 'stdout', target: '', stream: 'events', eventTypes: ['COMPLETED'], secrets: [] },
    ]);
  });

  it("resolves file paths against the config file's folder, and keeps absolute ones", () => {
    const { events } = load({
      sinks: [
        { type: 'file', name: 'here', path: 'events.jsonl' },
        { type: 'file', name: 'up', path: '../log/events.jsonl' },
        { type: 'file', name: 'absolute', path: '/var/log/outdial/events.jsonl' },
      ],
    });

    assert.deepEqual(
      events.sinks.map((s) => s.target),
      ['/srv/outdial/conf/events.jsonl', '/srv/outdial/log/events.jsonl', '/var/log/outdial/events.jsonl'],
    );
  });

  it('resolves file paths against the working folder when the config is given as an object', () => {
    const { events } = loadConfig({ file: { events: { sinks: [{ type: 'file', name: 'f', path: 'events.jsonl' }] } } });

    assert.equal(events.sinks[0]?.target, resolve('events.jsonl'));
  });

  it('refuses two sinks of one name', () => {
    const error = configError({
      sinks: [
        { type: 'stdout', name: 'same' },
        { type: 'file', name: 'other', path: 'a.jsonl' },
        { type: 'file', name: 'same', path: 'b.jsonl' },
      ],
    });

    assert.match(error.message, /events\.sinks: two sinks are named "same"/);
  });

  it('refuses a secret that is not whsec_ and base64 of 24 to 64 bytes, naming where it is', () => {
    for (const bad of ['not-a-secret', `whsec_${randomBytes(16).toString('base64')}`, `whsec_${randomBytes(65).toString('base64')}`, secret().slice('whsec_'.length)]) {
      const error = configError({ sinks: [{ type: 'webhook', name: 'crm', url: 'https://example.com/', secrets: [secret(), bad] }] });

      assert.match(error.message, /events\.sinks\.0\.secrets\.1: a Standard Webhooks secret/, bad);
    }
  });

  it('refuses an unknown event type, naming where it is', () => {
    const error = configError({ sinks: [{ type: 'stdout', name: 'console', eventTypes: ['INITIATED', 'HUNG_UP'] }] });

    assert.match(error.message, /events\.sinks\.0\.eventTypes\.1/);
  });

  it('refuses an unknown sink type, an unknown key in a sink, a bad name and a webhook URL that is not http(s)', () => {
    assert.match(configError({ sinks: [{ type: 'kafka', name: 'k' }] }).message, /events\.sinks\.0/);
    assert.match(configError({ sinks: [{ type: 'stdout', name: 'console', path: 'x' }] }).message, /events\.sinks\.0.*path/s);
    assert.match(configError({ sinks: [{ type: 'stdout', name: 'has space' }] }).message, /events\.sinks\.0\.name: 1 to 64 letters/);
    assert.match(configError({ sinks: [{ type: 'webhook', name: 'ftp', url: 'ftp://example.com/' }] }).message, /events\.sinks\.0\.url/);
    assert.match(configError({ sinks: [{ type: 'file', name: 'f' }] }).message, /events\.sinks\.0\.path/);
    assert.match(configError({ sinks: [{ type: 'webhook', name: 'w', url: 'https://example.com/', stream: 'metrics' }] }).message, /events\.sinks\.0\.stream/);
  });

  it('refuses unknown keys and out-of-range settings in the section', () => {
    assert.match(configError({ retries: 3 }).message, /events.*retries/s);
    assert.match(configError({ timeoutMs: 10 }).message, /events\.timeoutMs/);
    assert.match(configError({ webhookConcurrency: 0 }).message, /events\.webhookConcurrency/);
    assert.match(configError({ retryScheduleSeconds: [5, -1] }).message, /events\.retryScheduleSeconds\.1/);
    assert.match(configError({ retentionDays: 0 }).message, /events\.retentionDays/);
    assert.match(configError({ source: '' }).message, /events\.source/);
  });

  it('takes an empty retry schedule: no retries, a failed delivery is dead at once', () => {
    assert.deepEqual(load({ retryScheduleSeconds: [] }).events.retryScheduleSeconds, []);
  });
});
