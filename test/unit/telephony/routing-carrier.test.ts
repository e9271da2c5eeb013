import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { AgentDialRequest, Call, CallListener, Carrier, DialRequest } from '../../../src/telephony/carrier.js';
import { RoutingCarrier, type CarrierRoute } from '../../../src/telephony/routing-carrier.js';

const INSTANCE_A = '11111111-1111-4111-8111-111111111111';
const INSTANCE_B = '22222222-2222-4222-8222-222222222222';

/** A Carrier that records what it is asked to dial and how often it is closed. */
class FakeCarrier implements Carrier {
  readonly dialed: DialRequest[] = [];
  readonly agents: AgentDialRequest[] = [];
  closes = 0;

  dial(request: DialRequest, _listener: CallListener): Call {
    this.dialed.push(request);
    return NO_CALL;
  }

  dialAgent(request: AgentDialRequest, _listener: CallListener): Call {
    this.agents.push(request);
    return NO_CALL;
  }

  close(): Promise<void> {
    this.closes++;
    return Promise.resolve();
  }
}

const NO_CALL: Call = { play: () => {}, record: () => {}, hangUp: () => {}, bridge: () => {} };

const SILENT: CallListener = {
  ringing: () => {},
  pickedUp: () => {},
  answered: () => {},
  digits: () => {},
  promptFinished: () => {},
  recorded: () => {},
  ended: () => {},
};

function request(to: string, instanceId = INSTANCE_A): DialRequest {
  return {
    contactId: `contact-${to}`,
    instanceId,
    to,
    from: '+12065550100',
    answeringMachineDetection: { enabled: false, awaitPrompt: false },
  };
}

/** A router over fake carriers named sim, trunk-a and trunk-b. */
function router(routes: CarrierRoute[], defaultCarrier = 'sim') {
  const carriers = { sim: new FakeCarrier(), 'trunk-a': new FakeCarrier(), 'trunk-b': new FakeCarrier() };
  const routing = new RoutingCarrier(new Map<string, Carrier>(Object.entries(carriers)), routes, defaultCarrier);
  return { routing, carriers };
}

/** An alias lookup over a fixed table; records what it was asked. */
function aliases(table: Record<string, string>): { idOf: (aliasOrId: string) => Promise<string | undefined>; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    idOf: (aliasOrId) => {
      asked.push(aliasOrId);
      return Promise.resolve(table[aliasOrId]);
    },
  };
}

describe('RoutingCarrier', () => {
  describe('number matching', () => {
    it('routes an exact number to its carrier and nothing else', () => {
      const { routing } = router([{ match: '+442071838750', carrier: 'trunk-a' }]);

      assert.equal(routing.carrierFor(request('+442071838750')), 'trunk-a');
      assert.equal(routing.carrierFor(request('+4420718387501')), 'sim');
      assert.equal(routing.carrierFor(request('+44207183875')), 'sim');
    });

    it('routes every number starting with a prefix ending in *', () => {
      const { routing } = router([{ match: '+44*', carrier: 'trunk-a' }]);

      assert.equal(routing.carrierFor(request('+442071838750')), 'trunk-a');
      assert.equal(routing.carrierFor(request('+44')), 'trunk-a');
      assert.equal(routing.carrierFor(request('+12065550100')), 'sim');
      assert.equal(routing.carrierFor(request('+4')), 'sim');
    });

    it('treats a bare "+*" as any number', () => {
      const { routing } = router([{ match: '+*', carrier: 'trunk-b' }]);

      assert.equal(routing.carrierFor(request('+12065550100')), 'trunk-b');
      assert.equal(routing.carrierFor(request('+819012345678')), 'trunk-b');
    });

    it('lets the first matching route win, even over a more specific later one', () => {
      const { routing } = router([
        { match: '+1206555*', carrier: 'trunk-a' },
        { match: '+12065550100', carrier: 'trunk-b' },
        { match: '+1*', carrier: 'trunk-b' },
      ]);

      assert.equal(routing.carrierFor(request('+12065550100')), 'trunk-a');
      assert.equal(routing.carrierFor(request('+12065559999')), 'trunk-a');
      assert.equal(routing.carrierFor(request('+13125550100')), 'trunk-b');
    });

    it('routes any call with a route that has neither match nor instance', () => {
      const { routing } = router([{ carrier: 'trunk-a' }, { match: '+44*', carrier: 'trunk-b' }]);

      assert.equal(routing.carrierFor(request('+442071838750')), 'trunk-a');
      assert.equal(routing.carrierFor(request('+12065550100', INSTANCE_B)), 'trunk-a');
    });
  });

  describe('instance matching', () => {
    it('matches a route naming an instance id', () => {
      const { routing } = router([{ instance: INSTANCE_A, carrier: 'trunk-a' }]);

      assert.equal(routing.carrierFor(request('+12065550100', INSTANCE_A)), 'trunk-a');
      assert.equal(routing.carrierFor(request('+12065550100', INSTANCE_B)), 'sim');
    });

    it('matches a route naming an alias once resolveInstances has resolved it', async () => {
      const { routing } = router([{ instance: 'production', carrier: 'trunk-a' }]);

      assert.equal(routing.carrierFor(request('+12065550100', INSTANCE_A)), 'sim', 'no alias is known before resolveInstances');

      const lookup = aliases({ production: INSTANCE_A });
      await routing.resolveInstances(lookup.idOf);

      assert.deepEqual(lookup.asked, ['production']);
      assert.equal(routing.carrierFor(request('+12065550100', INSTANCE_A)), 'trunk-a');
      assert.equal(routing.carrierFor(request('+12065550100', INSTANCE_B)), 'sim');
    });

    it('still matches an instance id after resolveInstances finds no alias by that name', async () => {
      const { routing } = router([{ instance: INSTANCE_B, carrier: 'trunk-b' }]);

      await routing.resolveInstances(aliases({}).idOf);

      assert.equal(routing.carrierFor(request('+12065550100', INSTANCE_B)), 'trunk-b');
      assert.equal(routing.carrierFor(request('+12065550100', INSTANCE_A)), 'sim');
    });

    it('asks only about routes that name an instance', async () => {
      const { routing } = router([
        { match: '+44*', carrier: 'trunk-a' },
        { instance: 'staging', carrier: 'trunk-b' },
        { instance: INSTANCE_A, match: '+1*', carrier: 'trunk-a' },
      ]);
      const lookup = aliases({ staging: INSTANCE_B });

      await routing.resolveInstances(lookup.idOf);

      assert.deepEqual(lookup.asked, ['staging', INSTANCE_A]);
    });

    it('lets an alias that resolves to nothing match nothing', async () => {
      const { routing } = router([
        { instance: 'gone', carrier: 'trunk-a' },
        { instance: 'production', carrier: 'trunk-b' },
      ]);

      await routing.resolveInstances(aliases({ production: INSTANCE_B }).idOf);

      assert.equal(routing.carrierFor(request('+12065550100', INSTANCE_A)), 'sim');
      assert.equal(routing.carrierFor(request('+442071838750', INSTANCE_A)), 'sim');
      assert.equal(routing.carrierFor(request('+12065550100', INSTANCE_B)), 'trunk-b');
    });

    it('needs both match and instance to fit when a route has both', async () => {
      const { routing } = router([
        { instance: 'production', match: '+44*', carrier: 'trunk-a' },
        { instance: INSTANCE_B, match: '+12065550100', carrier: 'trunk-b' },
      ]);
      await routing.resolveInstances(aliases({ production: INSTANCE_A }).idOf);

      assert.equal(routing.carrierFor(request('+442071838750', INSTANCE_A)), 'trunk-a');
      assert.equal(routing.carrierFor(request('+12065550100', INSTANCE_A)), 'sim', 'right instance, wrong number');
      assert.equal(routing.carrierFor(request('+442071838750', INSTANCE_B)), 'sim', 'right number, wrong instance');
      assert.equal(routing.carrierFor(request('+12065550100', INSTANCE_B)), 'trunk-b');
      assert.equal(routing.carrierFor(request('+12065550101', INSTANCE_B)), 'sim');
    });
  });

  describe('the default carrier', () => {
    it('takes calls no route fits', () => {
      const { routing } = router([{ match: '+44*', carrier: 'sim' }], 'trunk-a');

      assert.equal(routing.carrierFor(request('+12065550100')), 'trunk-a');
      assert.equal(routing.carrierFor(request('+442071838750')), 'sim');
    });

    it('takes every call when there are no routes', () => {
      const { routing } = router([], 'trunk-b');

      assert.equal(routing.carrierFor(request('+12065550100', INSTANCE_A)), 'trunk-b');
      assert.equal(routing.carrierFor(request('+819012345678', INSTANCE_B)), 'trunk-b');
    });
  });

  describe('dial', () => {
    it('hands each request, unchanged, to the carrier carrierFor names and returns its Call', () => {
      const { routing, carriers } = router([{ match: '+44*', carrier: 'trunk-a' }, { instance: INSTANCE_B, carrier: 'trunk-b' }]);
      const uk = request('+442071838750', INSTANCE_B);
      const us = request('+12065550100', INSTANCE_B);
      const local = request('+12065550100', INSTANCE_A);

      const call = routing.dial(uk, SILENT);
      routing.dial(us, SILENT);
      routing.dial(local, SILENT);

      assert.equal(typeof call.hangUp, 'function');
      assert.deepEqual(carriers['trunk-a'].dialed, [uk]);
      assert.equal(carriers['trunk-a'].dialed[0], uk);
      assert.deepEqual(carriers['trunk-b'].dialed, [us]);
      assert.deepEqual(carriers.sim.dialed, [local]);
    });

    it('passes the listener through to the chosen carrier', () => {
      let given: CallListener | undefined;
      const sim: Carrier = {
        dial: (_request, listener) => {
          given = listener;
          return NO_CALL;
        },
        dialAgent: () => NO_CALL,
        close: () => Promise.resolve(),
      };
      const routing = new RoutingCarrier(new Map([['sim', sim]]), [], 'sim');

      routing.dial(request('+12065550100'), SILENT);

      assert.equal(given, SILENT);
    });
  });

  describe('construction', () => {
    it('refuses a route naming an unknown carrier', () => {
      assert.throws(
        () => router([{ match: '+44*', carrier: 'trunk-a' }, { match: '+1*', carrier: 'trunk-c' }]),
        { message: 'no carrier named "trunk-c"' },
      );
    });

    it('refuses a default naming an unknown carrier', () => {
      assert.throws(() => router([], 'carrier-z'), { message: 'no carrier named "carrier-z"' });
    });
  });

  describe('close', () => {
    it('closes every carrier once', async () => {
      const { routing, carriers } = router([]);

      await routing.close();

      assert.deepEqual(
        Object.values(carriers).map((c) => c.closes),
        [1, 1, 1],
      );
    });

    it('closes a carrier registered under two names only once', async () => {
      const sim = new FakeCarrier();
      const sip = new FakeCarrier();
      const routing = new RoutingCarrier(
        new Map<string, Carrier>([
          ['sim', sim],
          ['trunk-a', sip],
          ['trunk-b', sip],
        ]),
        [{ match: '+44*', carrier: 'trunk-a' }, { match: '+1*', carrier: 'trunk-b' }],
        'sim',
      );

      await routing.close();

      assert.equal(sim.closes, 1);
      assert.equal(sip.closes, 1);
    });
  });

  describe('dialAgent', () => {
    function agent(deskPhoneNumber?: string, instanceId = INSTANCE_A): AgentDialRequest {
      return { contactId: 'contact-1', instanceId, userId: 'user-1', username: 'alice', from: '+12065550100', ...(deskPhoneNumber !== undefined && { deskPhoneNumber }) };
    }

    /** Registered phones for the users listed. */
    function phones(registered: string[]) {
      const dialed: AgentDialRequest[] = [];
      return {
        dialed,
        registered: (userId: string) => registered.includes(userId),
        dialAgent: (request: AgentDialRequest) => {
          dialed.push(request);
          return NO_CALL;
        },
      };
    }

    it("rings the agent's registered phone whatever the routes say", () => {
      const carriers = { sim: new FakeCarrier(), 'trunk-a': new FakeCarrier() };
      const registered = phones(['user-1']);
      const routing = new RoutingCarrier(new Map<string, Carrier>(Object.entries(carriers)), [{ match: '+44*', carrier: 'trunk-a' }], 'sim', registered);

      routing.dialAgent(agent('+442071838750'), SILENT);

      assert.equal(registered.dialed.length, 1);
      assert.equal(carriers.sim.agents.length + carriers['trunk-a'].agents.length, 0);
    });

    it('sends an agent without a registered phone to the carrier their desk phone number routes to', () => {
      const carriers = { sim: new FakeCarrier(), 'trunk-a': new FakeCarrier() };
      const routing = new RoutingCarrier(new Map<string, Carrier>(Object.entries(carriers)), [{ match: '+44*', carrier: 'trunk-a' }], 'sim', phones(['someone-else']));
      const uk = agent('+442071838750');
      const us = agent('+12065550142');

      routing.dialAgent(uk, SILENT);
      routing.dialAgent(us, SILENT);

      assert.deepEqual(carriers['trunk-a'].agents, [uk]);
      assert.deepEqual(carriers.sim.agents, [us]);
    });

    it('sends an agent with neither to the default carrier, honouring instance routes', () => {
      const { routing, carriers } = router([{ instance: INSTANCE_B, carrier: 'trunk-b' }], 'trunk-a');

      routing.dialAgent(agent(), SILENT);
      routing.dialAgent(agent(undefined, INSTANCE_B), SILENT);

      assert.equal(carriers['trunk-a'].agents.length, 1);
      assert.equal(carriers['trunk-b'].agents.length, 1);
    });
  });
});
