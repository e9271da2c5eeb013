import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ConfigError, loadConfig } from '../../../src/config/config.js';

const instance = (extra: Record<string, unknown>) => ({
  instances: [{ alias: 'sales', queues: [{ name: 'Q', hoursOfOperation: 'H' }], hoursOfOperation: [{ name: 'H' }], ...extra }],
});
const user = (extra: Record<string, unknown> = {}) => ({ username: 'ann', firstName: 'Ann', lastName: 'Lee', routingProfile: 'RP', ...extra });

function configError(file: unknown, env: Record<string, string> = {}): string {
  try {
    loadConfig({ file, env });
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.message;
  }
  assert.fail('expected a ConfigError');
}

describe('loadConfig: declared routing profiles and users', () => {
  it('fills the defaults of routing profiles and users', () => {
    const config = loadConfig({
      file: instance({ routingProfiles: [{ name: 'RP', defaultOutboundQueue: 'Q', queues: [{ queue: 'Q' }] }], users: [user({ password: 'Secret-Pass-1' })] }),
    });
    const declared = config.instances[0];
    assert.deepEqual(declared?.routingProfiles, [
      {
        name: 'RP',
        defaultOutboundQueue: 'Q',
        queues: [{ queue: 'Q', channel: 'VOICE', priority: 1, delay: 0 }],
        mediaConcurrencies: [{ channel: 'VOICE', concurrency: 1 }],
      },
    ]);
    assert.deepEqual(declared?.users, [
      {
        username: 'ann',
        password: 'Secret-Pass-1',
        firstName: 'Ann',
        lastName: 'Lee',
        routingProfile: 'RP',
        phoneType: 'SOFT_PHONE',
        autoAccept: false,
        afterContactWorkTimeLimit: 0,
      },
    ]);
  });

  it('reads a password from the environment variable passwordEnv names', () => {
    const config = loadConfig({ file: instance({ users: [user({ passwordEnv: 'ANN_PASSWORD' })] }), env: { ANN_PASSWORD: 'From-Env-42' } });
    assert.equal(config.instances[0]?.users[0]?.password, 'From-Env-42');
    assert.equal('passwordEnv' in (config.instances[0]?.users[0] ?? {}), false);
  });

  it('refuses an unset passwordEnv, a weak password, both or neither, and DESK_PHONE without a number', () => {
    assert.match(configError(instance({ users: [user({ passwordEnv: 'MISSING' })] })), /MISSING is not set/);
    assert.match(configError(instance({ users: [user({ passwordEnv: 'P' })] }), { P: 'weakpass' }), /upper-case/);
    assert.match(configError(instance({ users: [user({ password: 'weakpass' })] })), /password: 8 to 64/);
    assert.match(configError(instance({ users: [user({ password: 'Secret-Pass-1', passwordEnv: 'P' })] })), /exactly one/);
    assert.match(configError(instance({ users: [user()] })), /exactly one/);
    assert.match(configError(instance({ users: [user({ password: 'Secret-Pass-1', phoneType: 'DESK_PHONE' })] })), /deskPhoneNumber/);
  });

  it('refuses a VOICE concurrency or priority outside the model ranges', () => {
    assert.match(
      configError(instance({ routingProfiles: [{ name: 'RP', defaultOutboundQueue: 'Q', mediaConcurrencies: [{ concurrency: 11 }] }] })),
      /mediaConcurrencies/,
    );
    assert.match(
      configError(instance({ routingProfiles: [{ name: 'RP', defaultOutboundQueue: 'Q', queues: [{ queue: 'Q', priority: 100 }] }] })),
      /priority/,
    );
  });
});

describe('loadConfig: routing', () => {
  it('defaults offers and the agent phone to 20 s of ringing, and takes other values', () => {
    assert.deepEqual(loadConfig({ file: {} }).routing, { offerTimeoutSeconds: 20, agentRingTimeoutSeconds: 20 });
    assert.deepEqual(loadConfig({ file: { routing: { offerTimeoutSeconds: 8 } } }).routing, { offerTimeoutSeconds: 8, agentRingTimeoutSeconds: 20 });
  });

  it('refuses a timeout outside 1–600 s and unknown keys', () => {
    assert.match(configError({ routing: { offerTimeoutSeconds: 0 } }), /offerTimeoutSeconds/);
    assert.match(configError({ routing: { agentRingTimeoutSeconds: 601 } }), /agentRingTimeoutSeconds/);
    assert.match(configError({ routing: { offerSeconds: 5 } }), /offerSeconds|routing/);
  });
});
