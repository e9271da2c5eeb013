import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Call, CallListener, Carrier, DialRequest } from '../../../src/telephony/carrier.js';
import { RoutingCarrier, type CarrierRoute } from '../../../src/telephony/routing-carrier.js';

const INSTANCE_A = '11111111-1111-4111-8111-111111111111';
const INSTANCE_B = '22222222-2222-4222-8222-222222222222';

/** A Carrier that records what it is asked to dial and how often it is closed. */
class FakeCarrier implements Carrier {
  readonly dialed: DialRequest[] = [];
  closes = 0;

  dial(request: DialRequest, _listener: CallListener): Call {
    this.dialed.push(request);
    return { play: () => {}, record: () => {}, hangUp: () => {} };
  }

  close(): Promise<void> {
    this.closes++;
    return Promise.resolve();
  }
}

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
          return { play: () => {}, record: () => {}, hangUp: () => {} };
        },
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
});
