import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';

import { ConfigError, isLoopback, loadConfig, type LoadConfigOptions } from '../../../src/config/config.js';
import { DEFAULTS } from '../../../src/config/defaults.js';
import { DEMO_CALLEE_SCRIPTS, scriptFor } from '../../../src/telephony/sim/callee-script.js';

const KEYS = { OUTDIAL_ACCESS_KEY_ID: 'AKIDTEST', OUTDIAL_SECRET_ACCESS_KEY: 'test-secret' };

/** A readFile that serves only the given files and fails like fs for anything else. */
function filesystem(files: Record<string, string>): { readFile: (path: string) => string; reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    readFile: (path) => {
      reads.push(path);
      const text = files[path];
      if (text === undefined) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
      return text;
    },
  };
}

/** The ConfigError `loadConfig(options)` throws; fails the test if it returns. */
function configError(options: LoadConfigOptions): ConfigError {
  try {
    loadConfig(options);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected loadConfig to throw a ConfigError');
}

describe('loadConfig', () => {
  describe('defaults', () => {
    it('binds to loopback on port 7080 with the built-in local key pair', () => {
      const config = loadConfig();

      assert.equal(config.host, '127.0.0.1');
      assert.equal(config.port, 7080);
      assert.deepEqual(config.credentials, [{ accessKeyId: 'AKIDOUTDIALLOCAL', secretAccessKey: 'outdial-local-secret' }]);
      assert.equal(config.usingLocalCredentials, true);
    });

    it('takes every other setting from DEFAULTS', () => {
      const config = loadConfig();

      assert.equal(config.db, DEFAULTS.db);
      assert.equal(config.region, 'us-east-1');
      assert.equal(config.accountId, '000000000000');
      assert.equal(config.nodeId, 'local');
      assert.equal(config.logLevel, 'info');
      assert.equal(config.bodyLimitBytes, 1024 * 1024);
      assert.equal(config.demo, true);
      assert.equal(config.speed, 1);
      assert.deepEqual(config.callees, DEMO_CALLEE_SCRIPTS);
      assert.deepEqual(config.quotas, DEFAULTS.quotas);
      assert.deepEqual(config.rateLimit, { ratePerSecond: 2, burst: 5 });
      assert.deepEqual(config.rateLimitOverrides, DEFAULTS.rateLimitOverrides);
      assert.deepEqual(config.allowedPrefixes, DEFAULTS.allowedPrefixes);
      assert.deepEqual(config.blockedPrefixes, DEFAULTS.blockedPrefixes);
      assert.equal(config.signatureMaxSkewMs, 15 * 60 * 1000);
      assert.deepEqual(config.metrics, { enabled: true });
      assert.deepEqual(config.instances, []);
    });

    it('returns a frozen config', () => {
      const config = loadConfig();

      assert.equal(Object.isFrozen(config), true);
    });
  });

  describe('precedence', () => {
    const file = { host: '127.0.0.3', port: 3003, db: 'file.db', logLevel: 'warn', network: { speed: 3 } };
    const env = { OUTDIAL_HOST: '127.0.0.2', OUTDIAL_PORT: '2002', OUTDIAL_DB: 'env.db', OUTDIAL_LOG_LEVEL: 'debug', OUTDIAL_SPEED: '2' };
    const flags = { host: '127.0.0.1', port: 1001, db: 'flag.db', logLevel: 'trace', speed: 1.5 };

    it('takes flags over the environment', () => {
      const config = loadConfig({ flags, env, file });

      assert.deepEqual(
        [config.host, config.port, config.db, config.logLevel, config.speed],
        ['127.0.0.1', 1001, 'flag.db', 'trace', 1.5],
      );
    });

    it('takes the environment over the file', () => {
      const config = loadConfig({ env, file });

      assert.deepEqual(
        [config.host, config.port, config.db, config.logLevel, config.speed],
        ['127.0.0.2', 2002, 'env.db', 'debug', 2],
      );
    });

    it('takes the file over the defaults', () => {
      const config = loadConfig({ file });

      assert.deepEqual([config.host, config.port, config.db, config.logLevel, config.speed], ['127.0.0.3', 3003, 'file.db', 'warn', 3]);
    });

    it('reads the file named by the --config flag', () => {
      const fs = filesystem({ '/etc/outdial/flag.json': JSON.stringify({ port: 4004 }), '/etc/outdial/env.json': '{"port": 5005}' });

      const config = loadConfig({ flags: { config: '/etc/outdial/flag.json' }, env: { OUTDIAL_CONFIG: '/etc/outdial/env.json' }, readFile: fs.readFile });

      assert.equal(config.port, 4004);
      assert.deepEqual(fs.reads, ['/etc/outdial/flag.json']);
    });

    it('reads the file named by OUTDIAL_CONFIG when no flag names one', () => {
      const fs = filesystem({ '/etc/outdial/env.json': '{"port": 5005}' });

      const config = loadConfig({ env: { OUTDIAL_CONFIG: '/etc/outdial/env.json' }, readFile: fs.readFile });

      assert.equal(config.port, 5005);
    });

    it('ignores an empty OUTDIAL_PORT', () => {
      const config = loadConfig({ env: { OUTDIAL_PORT: '' }, file: { port: 3003 } });

      assert.equal(config.port, 3003);
    });
  });

  describe('credentials', () => {
    it('uses OUTDIAL_ACCESS_KEY_ID and OUTDIAL_SECRET_ACCESS_KEY instead of the local pair', () => {
      const config = loadConfig({ env: KEYS });

      assert.deepEqual(config.credentials, [{ accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' }]);
      assert.equal(config.usingLocalCredentials, false);
    });

    it('refuses an access key id without a secret, and a secret without a key id', () => {
      const keyOnly = configError({ env: { OUTDIAL_ACCESS_KEY_ID: 'AKIDTEST' } });
      const secretOnly = configError({ env: { OUTDIAL_SECRET_ACCESS_KEY: 'test-secret' } });

      assert.match(keyOnly.message, /OUTDIAL_ACCESS_KEY_ID and OUTDIAL_SECRET_ACCESS_KEY/);
      assert.match(secretOnly.message, /OUTDIAL_ACCESS_KEY_ID and OUTDIAL_SECRET_ACCESS_KEY/);
    });

    it('refuses an empty secret, so a public bind never runs with a guessable key', () => {
      const empty = configError({ env: { OUTDIAL_ACCESS_KEY_ID: 'AKIDTEST', OUTDIAL_SECRET_ACCESS_KEY: '' }, flags: { host: '0.0.0.0' } });
      assert.match(empty.message, /neither empty/);
    });

    it('accepts the environment pair and the file credentials together, environment first', () => {
      const config = loadConfig({ env: KEYS, file: { credentials: [{ accessKeyId: 'AKIDFILE', secretAccessKey: 'file-secret' }] } });

      assert.deepEqual(
        config.credentials.map((c) => c.accessKeyId),
        ['AKIDTEST', 'AKIDFILE'],
      );
      assert.equal(config.usingLocalCredentials, false);
    });
  });

  describe('binding beyond loopback', () => {
    it('refuses a non-loopback host with only the local key pair, naming the host', () => {
      const error = configError({ flags: { host: '0.0.0.0' } });

      assert.match(error.message, /0\.0\.0\.0/);
      assert.match(error.message, /OUTDIAL_ACCESS_KEY_ID/);
    });

    it('refuses a non-loopback host given in the environment or the file', () => {
      configError({ env: { OUTDIAL_HOST: '10.0.0.5' } });
      configError({ file: { host: '192.168.1.20' } });
    });

    it('accepts a non-loopback host with keys from the environment', () => {
      const config = loadConfig({ flags: { host: '0.0.0.0' }, env: KEYS });

      assert.equal(config.host, '0.0.0.0');
    });

    it('accepts a non-loopback host with credentials in the file', () => {
      const config = loadConfig({
        file: { host: '0.0.0.0', credentials: [{ accessKeyId: 'AKIDFILE', secretAccessKey: 'file-secret' }] },
      });

      assert.equal(config.host, '0.0.0.0');
      assert.equal(config.usingLocalCredentials, false);
    });

    it('accepts every loopback host with the local key pair', () => {
      for (const host of ['127.0.0.1', '127.10.20.30', 'localhost', '::1', '[::1]']) {
        assert.equal(loadConfig({ flags: { host } }).host, host);
      }
    });
  });

  describe('isLoopback', () => {
    it('recognizes 127.0.0.0/8, localhost and ::1', () => {
      for (const host of ['127.0.0.1', '127.0.0.2', '127.255.255.254', 'localhost', '::1', '[::1]']) {
        assert.equal(isLoopback(host), true, host);
      }
    });

    it('treats every other address and name as public', () => {
      for (const host of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', '1127.0.0.1', '127.0.0.1.nip.io', 'localhost.example.com', 'mylocalhost', '::2']) {
        assert.equal(isLoopback(host), false, host);
      }
    });
  });

  describe('the config file', () => {
    it('refuses an unknown top-level key, naming it', () => {
      const error = configError({ file: { port: 7080, listenPort: 9000 } });

      assert.match(error.message, /listenPort/);
    });

    it('refuses an unknown nested key, naming it and where it is', () => {
      const error = configError({ file: { network: { speed: 2, callers: [] } } });

      assert.match(error.message, /callers/);
      assert.match(error.message, /network/);
    });

    it('refuses a value of the wrong type, naming the setting', () => {
      const error = configError({ file: { port: 'eighty' } });

      assert.match(error.message, /port/);
    });

    it('refuses a file that is not valid JSON, naming the file', () => {
      const fs = filesystem({ '/etc/outdial/config.json': '{ "port": 7080, }' });

      const error = configError({ flags: { config: '/etc/outdial/config.json' }, readFile: fs.readFile });

      assert.match(error.message, /\/etc\/outdial\/config\.json/);
      assert.match(error.message, /not valid JSON/);
    });

    it('refuses a file it cannot read, naming the file and the reason', () => {
      const fs = filesystem({});

      const error = configError({ flags: { config: '/etc/outdial/missing.json' }, readFile: fs.readFile });

      assert.match(error.message, /cannot read config file \/etc\/outdial\/missing\.json/);
      assert.match(error.message, /ENOENT/);
    });

    it('refuses a file whose unknown key is read from disk, naming the key', () => {
      const fs = filesystem({ '/etc/outdial/config.json': JSON.stringify({ prot: 7080 }) });

      const error = configError({ flags: { config: '/etc/outdial/config.json' }, readFile: fs.readFile });

      assert.match(error.message, /prot/);
    });
  });

  describe('environment numbers', () => {
    it('refuses an OUTDIAL_PORT that is not a number, naming the variable and value', () => {
      const error = configError({ env: { OUTDIAL_PORT: 'http' } });

      assert.match(error.message, /OUTDIAL_PORT/);
      assert.match(error.message, /"http"/);
    });

    it('refuses an OUTDIAL_PORT outside 0-65535 or not a whole number, as it does in the file', () => {
      const accepted: string[] = [];
      for (const port of ['65536', '-1', '8080.5']) {
        try {
          loadConfig({ env: { OUTDIAL_PORT: port } });
          accepted.push(port);
        } catch (error) {
          assert.ok(error instanceof ConfigError, `OUTDIAL_PORT=${port}: expected a ConfigError, got ${String(error)}`);
          assert.match(error.message, /OUTDIAL_PORT/, port);
        }
      }

      assert.deepEqual(accepted, [], `loadConfig accepted OUTDIAL_PORT=${accepted.join(', ')}`);
    });

    it('refuses a speed that is not positive', () => {
      configError({ env: { OUTDIAL_SPEED: '0' } });
      configError({ env: { OUTDIAL_SPEED: 'fast' } });
      configError({ flags: { speed: -2 } });
    });

    it('refuses an unknown log level, naming it', () => {
      const error = configError({ env: { OUTDIAL_LOG_LEVEL: 'verbose' } });

      assert.match(error.message, /verbose/);
    });
  });

  describe('metrics', () => {
    it('turns metrics off with OUTDIAL_METRICS=false or "metrics": { "enabled": false }, the environment winning', () => {
      assert.equal(loadConfig({ env: { OUTDIAL_METRICS: 'false' } }).metrics.enabled, false);
      assert.equal(loadConfig({ env: { OUTDIAL_METRICS: '0' } }).metrics.enabled, false);
      assert.equal(loadConfig({ file: { metrics: { enabled: false } } }).metrics.enabled, false);
      assert.equal(loadConfig({ env: { OUTDIAL_METRICS: 'true' }, file: { metrics: { enabled: false } } }).metrics.enabled, true);
      assert.equal(loadConfig({ env: { OUTDIAL_METRICS: '' }, file: { metrics: { enabled: false } } }).metrics.enabled, false);
    });

    it('refuses an OUTDIAL_METRICS that is not a boolean, naming the variable and value', () => {
      const error = configError({ env: { OUTDIAL_METRICS: 'maybe' } });

      assert.match(error.message, /OUTDIAL_METRICS/);
      assert.match(error.message, /"maybe"/);
    });
  });

  describe('flows', () => {
    const flowContent = { Version: '2019-10-30', StartAction: 'a', Actions: [{ Identifier: 'a', Type: 'DisconnectParticipant' }] };

    it('reads a flow file relative to the config file and keeps its content as JSON text', () => {
      const fs = filesystem({
        '/srv/outdial/config.json': JSON.stringify({
          instances: [{ alias: 'sales', flows: [{ name: 'Reminder', file: 'flows/reminder.json' }] }],
        }),
        '/srv/outdial/flows/reminder.json': JSON.stringify(flowContent, null, 2),
      });

      const config = loadConfig({ flags: { config: '/srv/outdial/config.json' }, readFile: fs.readFile });

      assert.deepEqual(fs.reads, ['/srv/outdial/config.json', '/srv/outdial/flows/reminder.json']);
      assert.deepEqual(config.instances[0]?.flows, [{ name: 'Reminder', type: 'CONTACT_FLOW', content: JSON.stringify(flowContent) }]);
    });

    it('resolves flow files relative to a relative config path', () => {
      const fs = filesystem({
        'conf/outdial.json': JSON.stringify({ instances: [{ alias: 'sales', flows: [{ name: 'F', file: '../flows/f.json' }] }] }),
        [resolve('flows/f.json')]: JSON.stringify(flowContent),
      });

      const config = loadConfig({ flags: { config: 'conf/outdial.json' }, readFile: fs.readFile });

      assert.equal(config.instances[0]?.flows[0]?.content, JSON.stringify(flowContent));
    });

    it('resolves flow files relative to the config path when the file content is given directly', () => {
      const fs = filesystem({ '/srv/outdial/flows/f.json': JSON.stringify(flowContent) });

      loadConfig({
        flags: { config: '/srv/outdial/config.json' },
        file: { instances: [{ alias: 'sales', flows: [{ name: 'F', file: 'flows/f.json' }] }] },
        readFile: fs.readFile,
      });

      assert.deepEqual(fs.reads, ['/srv/outdial/flows/f.json']);
    });

    it('keeps inline flow content as JSON text with the declared type and description', () => {
      const config = loadConfig({
        file: { instances: [{ alias: 'sales', flows: [{ name: 'F', type: 'CUSTOMER_QUEUE', description: 'd', content: flowContent }] }] },
      });

      assert.deepEqual(config.instances[0]?.flows, [{ name: 'F', type: 'CUSTOMER_QUEUE', description: 'd', content: JSON.stringify(flowContent) }]);
    });

    it('refuses a flow file that cannot be read or is not JSON, naming the file', () => {
      const fs = filesystem({ '/srv/outdial/bad.json': 'not json' });
      const declare = (file: string) => ({ instances: [{ alias: 'sales', flows: [{ name: 'F', file }] }] });

      const missing = configError({ flags: { config: '/srv/outdial/c.json' }, file: declare('gone.json'), readFile: fs.readFile });
      const notJson = configError({ flags: { config: '/srv/outdial/c.json' }, file: declare('bad.json'), readFile: fs.readFile });

      assert.match(missing.message, /\/srv\/outdial\/gone\.json/);
      assert.match(notJson.message, /\/srv\/outdial\/bad\.json/);
    });

    it('refuses a flow with both or neither of "file" and "content"', () => {
      const both = configError({ file: { instances: [{ alias: 's', flows: [{ name: 'F', file: 'f.json', content: flowContent }] }] } });
      const neither = configError({ file: { instances: [{ alias: 's', flows: [{ name: 'F' }] }] } });

      assert.match(both.message, /exactly one of "file" or "content"/);
      assert.match(neither.message, /exactly one of "file" or "content"/);
    });
  });

  describe('rate limits', () => {
    it('turns throttling off when rateLimitDisabled is set', () => {
      const config = loadConfig({ file: { rateLimitDisabled: true, rateLimit: { ratePerSecond: 1, burst: 1 } } });

      assert.equal(config.rateLimit, null);
    });

    it('takes the rate limit and overrides from the file, keeping default overrides', () => {
      const config = loadConfig({
        file: { rateLimitDisabled: false, rateLimit: { ratePerSecond: 10, burst: 20 }, rateLimitOverrides: { StopContact: { ratePerSecond: 1, burst: 1 } } },
      });

      assert.deepEqual(config.rateLimit, { ratePerSecond: 10, burst: 20 });
      assert.deepEqual(config.rateLimitOverrides, {
        GetCurrentMetricData: { ratePerSecond: 5, burst: 8 },
        StopContact: { ratePerSecond: 1, burst: 1 },
      });
    });
  });

  describe('callees', () => {
    it('appends configured callee scripts after the demo scripts, defaults filled in', () => {
      const config = loadConfig({ file: { network: { callees: [{ match: '+4420*', outcome: 'busy' }] } } });

      assert.deepEqual(config.callees.slice(0, DEMO_CALLEE_SCRIPTS.length), DEMO_CALLEE_SCRIPTS);
      assert.deepEqual(config.callees.slice(DEMO_CALLEE_SCRIPTS.length), [
        { match: '+4420*', outcome: 'busy', ringSeconds: 2, greetingSeconds: 6, beep: true, press: [] },
      ]);
    });

    it('cannot shadow a demo number with a configured callee', () => {
      const config = loadConfig({ file: { network: { callees: [{ match: '+1206*', outcome: 'unreachable' }] } } });

      assert.equal(scriptFor('+12065550103', config.callees).outcome, 'busy');
      assert.equal(scriptFor('+12065559999', config.callees).outcome, 'unreachable');
    });

    it('refuses an invalid callee script, naming where it is', () => {
      const error = configError({ file: { network: { callees: [{ match: '12065550100' }] } } });

      assert.match(error.message, /network\.callees\.0\.match/);
    });
  });

  describe('quotas and dialing lists', () => {
    it('overrides single quotas from the file and keeps the other defaults', () => {
      const config = loadConfig({ file: { quotas: { concurrentActiveCallsPerInstance: 50 } } });

      assert.deepEqual(config.quotas, { ...DEFAULTS.quotas, concurrentActiveCallsPerInstance: 50 });
    });

    it('replaces the allowed and blocked prefix lists from the file', () => {
      const config = loadConfig({ file: { allowedPrefixes: ['+49'], blockedPrefixes: [] } });

      assert.deepEqual(config.allowedPrefixes, ['+49']);
      assert.deepEqual(config.blockedPrefixes, []);
    });
  });
});
