/** The `telephony` section of the config file: carriers, routes, SIP trunks and the SIP user agent. */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';

import { ConfigError, loadConfig, type ConfigFlags, type LoadConfigOptions } from '../../../src/config/config.js';
import { DEFAULTS } from '../../../src/config/defaults.js';

const CONFIG_PATH = '/srv/outdial/conf/outdial.json';
const CONFIG_DIR = '/srv/outdial/conf';

const TRUNK = { name: 'carrier-a', host: 'sip.carrier.example' };

interface Extra {
  /** Other top-level keys of the config file. */
  readonly file?: Record<string, unknown>;
  readonly env?: Record<string, string>;
  readonly flags?: ConfigFlags;
}

function options(telephony: unknown, extra: Extra = {}): LoadConfigOptions {
  const content = JSON.stringify({ ...extra.file, ...(telephony !== undefined && { telephony }) });
  return {
    flags: { config: CONFIG_PATH, ...extra.flags },
    env: extra.env ?? {},
    readFile: (path) => {
      if (path !== CONFIG_PATH) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
      return content;
    },
  };
}

/** loadConfig over a config file at CONFIG_PATH holding `{ telephony }` (and any other keys given). */
function load(telephony: unknown, extra: Extra = {}): ReturnType<typeof loadConfig>['telephony'] {
  return loadConfig(options(telephony, extra)).telephony;
}

function configError(telephony: unknown, extra: Extra = {}): ConfigError {
  try {
    load(telephony, extra);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected loadConfig to throw a ConfigError');
}

const SIP_DEFAULTS = {
  bindAddress: '127.0.0.1',
  port: 5060,
  rtpPortMin: 20000,
  rtpPortMax: 40000,
  rtpInactivityMs: 30_000,
  sessionExpiresSeconds: 1800,
  udpMtuBytes: 1300,
  mediaWorkers: 0,
  ttsCommand: 'espeak-ng',
  promptFiles: {},
};

describe('the telephony config', () => {
  describe('defaults', () => {
    it('with no telephony section: the simulated network alone, no trunks, the SIP defaults', () => {
      const telephony = load(undefined);

      assert.deepEqual(telephony, {
        default: 'sim',
        routes: [],
        trunks: [],
        sip: { ...SIP_DEFAULTS, recordingsDir: resolve(CONFIG_DIR, 'recordings') },
      });
      assert.equal('publicAddress' in telephony.sip, false);
    });

    it('agrees with DEFAULTS.sip', () => {
      const { sip } = load(undefined);
      const d = DEFAULTS.sip;

      assert.equal(sip.bindAddress, d.bindAddress);
      assert.equal(sip.port, d.port);
      assert.equal(sip.rtpPortMin, d.rtpPortMin);
      assert.equal(sip.rtpPortMax, d.rtpPortMax);
      assert.equal(sip.rtpInactivityMs, d.rtpInactivitySeconds * 1000);
      assert.equal(sip.sessionExpiresSeconds, d.sessionExpiresSeconds);
      assert.equal(sip.udpMtuBytes, d.udpMtuBytes);
      assert.equal(sip.mediaWorkers, d.mediaWorkers);
      assert.equal(sip.ttsCommand, d.ttsCommand);
    });

    it('resolves the default recordings folder against the working directory when there is no config file', () => {
      const { telephony } = loadConfig();

      assert.equal(telephony.default, 'sim');
      assert.equal(telephony.sip.recordingsDir, resolve(process.cwd(), 'recordings'));
    });

    it('with an empty telephony section: the same as none', () => {
      assert.deepEqual(load({}), load(undefined));
    });
  });

  describe('trunks', () => {
    it('fills a trunk with its defaults: port 5060, udp, e164, no asserted identity', () => {
      const { trunks } = load({ trunks: [TRUNK] });

      assert.deepEqual(trunks, [
        { name: 'carrier-a', host: 'sip.carrier.example', port: 5060, transport: 'udp', assertIdentity: false, numberFormat: 'e164' },
      ]);
    });

    it('keeps every setting given', () => {
      const trunk = {
        name: 'carrier-b',
        host: '203.0.113.5',
        port: 5080,
        transport: 'tcp',
        username: 'outdial',
        password: 's3cret',
        fromDomain: 'pbx.example.com',
        fromUser: 'outdial',
        callerIdNumber: '+12065550100',
        callerIdName: 'Outdial',
        assertIdentity: true,
        numberFormat: 'digits',
      };

      assert.deepEqual(load({ trunks: [trunk] }).trunks, [trunk]);
    });

    it('parses outboundProxy into host and port', () => {
      const { trunks } = load({
        trunks: [
          { name: 'a', host: 'sip.a.example', outboundProxy: 'proxy.example:5080' },
          { name: 'b', host: 'sip.b.example', outboundProxy: 'proxy.example' },
          { name: 'c', host: 'sip.c.example', outboundProxy: '[::1]:5070' },
          { name: 'd', host: 'sip.d.example', outboundProxy: '[2001:db8::1]' },
          { name: 'e', host: 'sip.e.example', outboundProxy: '192.0.2.7:5062' },
        ],
      });

      assert.deepEqual(
        trunks.map((t) => t.outboundProxy),
        [
          { host: 'proxy.example', port: 5080 },
          { host: 'proxy.example', port: 5060 },
          { host: '::1', port: 5070 },
          { host: '2001:db8::1', port: 5060 },
          { host: '192.0.2.7', port: 5062 },
        ],
      );
      assert.equal(load({ trunks: [TRUNK] }).trunks[0]!.outboundProxy, undefined);
    });

    it('refuses an outboundProxy that is not host or host:port', () => {
      for (const proxy of ['::1', 'sip:proxy.example', 'proxy.example:', 'proxy example', '']) {
        const error = configError({ trunks: [{ ...TRUNK, outboundProxy: proxy }] });

        assert.match(error.message, /telephony\.trunks\.0\.outboundProxy/, proxy);
      }
    });

    it('refuses an outboundProxy port outside 1 to 65535', () => {
      for (const proxy of ['proxy.example:0', 'proxy.example:65536', '[::1]:99999']) {
        const error = configError({ trunks: [{ ...TRUNK, outboundProxy: proxy }] });

        assert.match(error.message, /telephony\.trunks\.0\.outboundProxy: a port from 1 to 65535/, proxy);
      }
      assert.deepEqual(load({ trunks: [{ ...TRUNK, outboundProxy: 'proxy.example:65535' }] }).trunks[0]!.outboundProxy, {
        host: 'proxy.example',
        port: 65535,
      });
    });

    it('refuses a username without a password, and a password without a username', () => {
      const noPassword = configError({ trunks: [{ ...TRUNK, username: 'outdial' }] });
      const noUsername = configError({ trunks: [{ ...TRUNK, password: 's3cret' }] });

      for (const error of [noPassword, noUsername]) {
        assert.match(error.message, /telephony\.trunks\.0: give both "username" and "password", or neither/);
      }
    });

    it('refuses a trunk named "sim"', () => {
      const error = configError({ trunks: [{ ...TRUNK, name: 'sim' }] });

      assert.match(error.message, /"sim" names two carriers/);
      assert.match(error.message, /simulated network/);
    });

    it('refuses two trunks with one name', () => {
      const error = configError({ trunks: [TRUNK, { ...TRUNK, host: 'backup.carrier.example' }] });

      assert.match(error.message, /^telephony\.trunks: "carrier-a" names two carriers/);
    });

    it('refuses unknown keys in a trunk', () => {
      const error = configError({ trunks: [{ ...TRUNK, registrar: 'sip.carrier.example' }] });

      assert.match(error.message, /telephony\.trunks\.0: Unrecognized key: "registrar"/);
    });

    it('refuses a trunk without a host, or with a bad transport, port or caller id number', () => {
      assert.match(configError({ trunks: [{ name: 'a' }] }).message, /telephony\.trunks\.0\.host/);
      assert.match(configError({ trunks: [{ ...TRUNK, transport: 'tls' }] }).message, /telephony\.trunks\.0\.transport/);
      assert.match(configError({ trunks: [{ ...TRUNK, port: 70000 }] }).message, /telephony\.trunks\.0\.port/);
      assert.match(configError({ trunks: [{ ...TRUNK, callerIdNumber: '2065550100' }] }).message, /telephony\.trunks\.0\.callerIdNumber/);
    });
  });

  describe('routes and the default carrier', () => {
    it('keeps routes in order and takes a trunk as the default', () => {
      const routes = [
        { match: '+1206555*', carrier: 'sim' },
        { instance: 'production', match: '+44*', carrier: 'carrier-a' },
        { match: '+12065550100', carrier: 'carrier-a' },
      ];

      const telephony = load({ default: 'carrier-a', routes, trunks: [TRUNK] });

      assert.equal(telephony.default, 'carrier-a');
      assert.deepEqual(telephony.routes, routes);
    });

    it('refuses a route naming an unknown carrier, naming the known ones', () => {
      const error = configError({ routes: [{ match: '+44*', carrier: 'carrier-b' }], trunks: [TRUNK] });

      assert.match(error.message, /no carrier named "carrier-b" \(known: sim, carrier-a\)/);
    });

    it('refuses a default naming an unknown carrier, naming the known ones', () => {
      const error = configError({ default: 'carrier-a' });

      assert.match(error.message, /no carrier named "carrier-a" \(known: sim\)/);
    });

    it('refuses a route pattern that is not an E.164 number or prefix', () => {
      for (const match of ['44*', '+44*1', '+4 4', '*']) {
        assert.match(configError({ routes: [{ match, carrier: 'sim' }] }).message, /telephony\.routes\.0\.match/, match);
      }
    });

    it('refuses unknown keys in a route', () => {
      assert.match(configError({ routes: [{ carrier: 'sim', priority: 1 }] }).message, /telephony\.routes\.0: Unrecognized key: "priority"/);
    });
  });

  describe('trunks and the speed factor', () => {
    it('refuses trunks with network.speed', () => {
      const error = configError({ trunks: [TRUNK] }, { file: { network: { speed: 10 } } });

      assert.match(error.message, /SIP trunks run in real time/);
    });

    it('refuses trunks with OUTDIAL_SPEED', () => {
      const error = configError({ trunks: [TRUNK] }, { env: { OUTDIAL_SPEED: '0.5' } });

      assert.match(error.message, /SIP trunks run in real time/);
    });

    it('refuses trunks with the speed flag', () => {
      const error = configError({ trunks: [TRUNK] }, { flags: { speed: 2 } });

      assert.match(error.message, /SIP trunks run in real time/);
    });

    it('allows a speed factor on the simulated network alone', () => {
      assert.deepEqual(load({ routes: [{ match: '+44*', carrier: 'sim' }] }, { file: { network: { speed: 10 } } }).trunks, []);
    });
  });

  describe('the SIP user agent', () => {
    it('takes every setting from the file', () => {
      const { sip } = load({
        sip: {
          bindAddress: '0.0.0.0',
          port: 5070,
          publicAddress: '203.0.113.10',
          rtpPortMin: 30000,
          rtpPortMax: 30100,
          rtpInactivitySeconds: 0,
          sessionExpiresSeconds: 90,
          udpMtuBytes: 1400,
          recordingsDir: '/var/lib/outdial/recordings',
          mediaWorkers: 4,
          tts: { command: '/usr/local/bin/espeak-ng' },
        },
      });

      assert.deepEqual(sip, {
        bindAddress: '0.0.0.0',
        port: 5070,
        publicAddress: '203.0.113.10',
        rtpPortMin: 30000,
        rtpPortMax: 30100,
        rtpInactivityMs: 0,
        sessionExpiresSeconds: 90,
        udpMtuBytes: 1400,
        recordingsDir: '/var/lib/outdial/recordings',
        mediaWorkers: 4,
        ttsCommand: '/usr/local/bin/espeak-ng',
        promptFiles: {},
      });
    });

    it('resolves a relative recordingsDir against the config file folder', () => {
      assert.equal(load({ sip: { recordingsDir: '../calls' } }).sip.recordingsDir, '/srv/outdial/calls');
    });

    it('resolves promptFiles paths against the config file folder, keeping the keys as given', () => {
      const arn = 'arn:aws:connect:us-east-1:000000000000:instance/i/prompt/p-1';
      const { sip } = load({
        sip: { promptFiles: { [arn]: 'prompts/welcome.wav', 'https://example.com/bye.mp3': '/opt/prompts/bye.mp3', 'p-2': '../shared/hold.wav' } },
      });

      assert.deepEqual(sip.promptFiles, {
        [arn]: '/srv/outdial/conf/prompts/welcome.wav',
        'https://example.com/bye.mp3': '/opt/prompts/bye.mp3',
        'p-2': '/srv/outdial/shared/hold.wav',
      });
    });

    it('refuses rtpPortMax below rtpPortMin + 2', () => {
      for (const [rtpPortMin, rtpPortMax] of [
        [30000, 30001],
        [30000, 30000],
        [30000, 29000],
      ]) {
        const error = configError({ sip: { rtpPortMin, rtpPortMax } });

        assert.match(error.message, /rtpPortMax must be at least rtpPortMin \+ 2/, `${rtpPortMin}-${rtpPortMax}`);
      }
      assert.match(configError({ sip: { rtpPortMin: 39999 } }).message, /rtpPortMax must be at least rtpPortMin \+ 2/);
      assert.deepEqual(
        (({ rtpPortMin, rtpPortMax }) => ({ rtpPortMin, rtpPortMax }))(load({ sip: { rtpPortMin: 30000, rtpPortMax: 30002 } }).sip),
        { rtpPortMin: 30000, rtpPortMax: 30002 },
      );
    });

    it('lets OUTDIAL_SIP_PORT, OUTDIAL_SIP_BIND_ADDRESS and OUTDIAL_SIP_PUBLIC_ADDRESS override the file', () => {
      const env = { OUTDIAL_SIP_PORT: '5999', OUTDIAL_SIP_BIND_ADDRESS: '10.0.0.2', OUTDIAL_SIP_PUBLIC_ADDRESS: '198.51.100.20' };

      const { sip } = load({ sip: { port: 5070, bindAddress: '0.0.0.0', publicAddress: '203.0.113.10' } }, { env });

      assert.equal(sip.port, 5999);
      assert.equal(sip.bindAddress, '10.0.0.2');
      assert.equal(sip.publicAddress, '198.51.100.20');
    });

    it('takes the SIP environment variables with no file settings', () => {
      const { sip } = load(undefined, { env: { OUTDIAL_SIP_PORT: '0', OUTDIAL_SIP_BIND_ADDRESS: '0.0.0.0', OUTDIAL_SIP_PUBLIC_ADDRESS: '203.0.113.9' } });

      assert.equal(sip.port, 0);
      assert.equal(sip.bindAddress, '0.0.0.0');
      assert.equal(sip.publicAddress, '203.0.113.9');
    });

    it('refuses an OUTDIAL_SIP_PORT that is not a port number', () => {
      assert.match(configError(undefined, { env: { OUTDIAL_SIP_PORT: 'five' } }).message, /OUTDIAL_SIP_PORT must be a number/);
      for (const port of ['70000', '-1', '5060.5']) {
        assert.match(
          configError(undefined, { env: { OUTDIAL_SIP_PORT: port } }).message,
          /OUTDIAL_SIP_PORT\) must be a whole number from 0 to 65535/,
          port,
        );
      }
    });

    it('refuses unknown keys in sip and sip.tts', () => {
      assert.match(configError({ sip: { rtpPorts: '20000-40000' } }).message, /telephony\.sip: Unrecognized key: "rtpPorts"/);
      assert.match(configError({ sip: { tts: { voice: 'en-us' } } }).message, /telephony\.sip\.tts: Unrecognized key: "voice"/);
    });

    it('refuses unknown keys in the telephony section itself', () => {
      assert.match(configError({ carriers: [] }).message, /telephony: Unrecognized key: "carriers"/);
    });
  });
});
