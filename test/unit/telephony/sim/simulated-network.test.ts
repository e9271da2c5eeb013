import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { VirtualClock } from '../../../../src/shared/clock.js';
import type { AnswerInfo, Call, CallEndCause, CallListener, SavedRecording } from '../../../../src/telephony/carrier.js';
import {
  calleeScriptSchema,
  DEFAULT_CALLEE_SCRIPT,
  DEMO_CALLEE_SCRIPTS,
  scriptFor,
  type CalleeScript,
} from '../../../../src/telephony/sim/callee-script.js';
import { promptDurationMs, SimulatedNetwork } from '../../../../src/telephony/sim/simulated-network.js';

const HOUR = 3_600_000;
const NO_AMD = { enabled: false, awaitPrompt: false } as const;
const AMD = { enabled: true, awaitPrompt: false } as const;
const AMD_AWAIT_PROMPT = { enabled: true, awaitPrompt: true } as const;

/** Records every event as "<ms since dial> <event> [detail]". */
class RecordingListener implements CallListener {
  readonly events: string[] = [];

  constructor(private readonly clock: VirtualClock) {}

  ringing(): void {
    this.#record('ringing');
  }
  pickedUp(): void {
    this.#record('pickedUp');
  }
  answered(info: AnswerInfo): void {
    this.#record(`answered ${info.amdStatus ?? '(no AMD status)'}`);
  }
  digits(keys: string): void {
    this.#record(`digits ${keys}`);
  }
  promptFinished(): void {
    this.#record('promptFinished');
  }
  recorded(recording: SavedRecording): void {
    this.#record(`recorded ${recording.location}`);
  }
  ended(cause: CallEndCause): void {
    this.#record(`ended ${cause}`);
  }

  #record(event: string): void {
    this.events.push(`${this.clock.now()} ${event}`);
  }
}

interface Harness {
  readonly clock: VirtualClock;
  readonly network: SimulatedNetwork;
  readonly listener: RecordingListener;
  readonly call: Call;
  /** Advances the clock to `ms` after the dial. */
  runTo(ms: number): void;
  /** Events recorded so far (a copy). */
  events(): string[];
}

function dial(
  to: string,
  { scripts = DEMO_CALLEE_SCRIPTS, amd = NO_AMD }: { scripts?: readonly CalleeScript[]; amd?: { enabled: boolean; awaitPrompt: boolean } } = {},
): Harness {
  const clock = new VirtualClock(0);
  const network = new SimulatedNetwork(clock, scripts);
  const listener = new RecordingListener(clock);
  const call = network.dial({ contactId: 'contact-1', instanceId: 'instance-1', to, from: '+12065550199', answeringMachineDetection: amd }, listener);
  return {
    clock,
    network,
    listener,
    call,
    runTo: (ms) => clock.advance(ms - clock.now()),
    events: () => [...listener.events],
  };
}

/** A callee script as config would give it, defaults filled in. */
function script(fields: Record<string, unknown>): CalleeScript {
  return calleeScriptSchema.parse(fields);
}

/** A prompt of `words` words: 400 ms a word. */
function promptOf(words: number): { text: string } {
  return { text: Array.from({ length: words }, (_, i) => `word${i}`).join(' ') };
}

/** Demo numbers exercised below, checked against DEMO_CALLEE_SCRIPTS so a new demo script needs a test here. */
const DEMO = {
  answers: '+12065550100',
  pressesAfterEachPrompt: '+12065550101',
  hangsUpAfter10s: '+12065550102',
  busy: '+12065550103',
  noAnswer: '+12065550104',
  declines: '+12065550105',
  unreachable: '+12065550106',
  machine: '+12065550107',
  hangsUpMidPrompt: '+12065550108',
  pressesAtMoments: '+12065550109',
  carrierError: '+12065550110',
} as const;

describe('promptDurationMs', () => {
  it('gives 400 ms per word', () => {
    assert.equal(promptDurationMs({ text: 'one two three' }), 1_200);
    assert.equal(promptDurationMs(promptOf(10)), 4_000);
  });

  it('never gives less than half a second', () => {
    assert.equal(promptDurationMs({ text: 'Hi' }), 500);
    assert.equal(promptDurationMs({ text: '' }), 500);
    assert.equal(promptDurationMs({ text: '   ' }), 500);
  });

  it('lasts as long as the music asked for, whatever the text', () => {
    assert.equal(promptDurationMs({ text: '', music: { seconds: 20 } }), 20_000);
    assert.equal(promptDurationMs({ text: 'one two', music: { seconds: 0.25 } }), 250);
  });

  it('counts words across any whitespace', () => {
    assert.equal(promptDurationMs({ text: '  one\ttwo\n\nthree   four ' }), 1_600);
  });
});

describe('scriptFor', () => {
  it('matches an exact number only in full', () => {
    const scripts = [script({ match: '+12065550100', outcome: 'busy' })];

    assert.equal(scriptFor('+12065550100', scripts).outcome, 'busy');
    assert.equal(scriptFor('+120655501001', scripts), DEFAULT_CALLEE_SCRIPT);
    assert.equal(scriptFor('+1206555010', scripts), DEFAULT_CALLEE_SCRIPT);
  });

  it('matches every number starting with a prefix that ends in "*"', () => {
    const scripts = [script({ match: '+4420*', outcome: 'decline' })];

    assert.equal(scriptFor('+442071838750', scripts).outcome, 'decline');
    assert.equal(scriptFor('+4420', scripts).outcome, 'decline');
    assert.equal(scriptFor('+442171838750', scripts), DEFAULT_CALLEE_SCRIPT);
  });

  it('applies the first matching script when several match', () => {
    const scripts = [
      script({ match: '+1206*', outcome: 'busy' }),
      script({ match: '+12065550100', outcome: 'decline' }),
      script({ match: '+*', outcome: 'unreachable' }),
    ];

    assert.equal(scriptFor('+12065550100', scripts).outcome, 'busy');
    assert.equal(scriptFor('+14155550100', scripts).outcome, 'unreachable');
  });

  it('falls back to the default script when nothing matches', () => {
    assert.equal(scriptFor('+14155550100', DEMO_CALLEE_SCRIPTS), DEFAULT_CALLEE_SCRIPT);
    assert.equal(scriptFor('+14155550100', []), DEFAULT_CALLEE_SCRIPT);
  });
});

describe('calleeScriptSchema', () => {
  it('fills in the documented defaults', () => {
    assert.deepEqual(script({ match: '+1*' }), {
      match: '+1*',
      outcome: 'answer',
      ringSeconds: 2,
      greetingSeconds: 6,
      beep: true,
      press: [],
    });
  });

  it('refuses a match that is neither an E.164 number nor a prefix ending in "*"', () => {
    for (const match of ['12065550100', '+1206*555', '+1-206-555', '*']) {
      assert.equal(calleeScriptSchema.safeParse({ match }).success, false, match);
    }
  });

  it('refuses unknown keys', () => {
    assert.equal(calleeScriptSchema.safeParse({ match: '+1*', ringSeconds: 1, rings: 3 }).success, false);
  });
});

describe('SimulatedNetwork demo scripts', () => {
  it('has a test here for every demo number', () => {
    assert.deepEqual(
      DEMO_CALLEE_SCRIPTS.map((s) => s.match).sort(),
      Object.values(DEMO).sort(),
    );
  });

  it('gives every demo script a description', () => {
    for (const s of DEMO_CALLEE_SCRIPTS) assert.ok(s.description !== undefined && s.description.length > 0, s.match);
  });

  it('+12065550100 rings, answers after 2 s and stays on the line', () => {
    const h = dial(DEMO.answers, { amd: AMD });

    h.runTo(1_999);
    const beforeAnswer = h.events();
    h.runTo(2_000);
    const atAnswer = h.events();
    h.runTo(24 * HOUR);

    assert.deepEqual(beforeAnswer, ['0 ringing']);
    assert.deepEqual(atAnswer, ['0 ringing', '2000 answered HUMAN_ANSWERED']);
    assert.deepEqual(h.events(), atAnswer);
    assert.equal(h.network.activeCalls, 1);
  });

  it('+12065550101 presses 1 as each prompt finishes', () => {
    const h = dial(DEMO.pressesAfterEachPrompt);
    h.runTo(2_000);

    h.call.play(promptOf(3)); // 1,200 ms
    h.runTo(3_199);
    const beforeFirstEnds = h.events();
    h.runTo(3_200);
    h.runTo(5_000);
    h.call.play(promptOf(1)); // 500 ms
    h.runTo(10_000);

    assert.deepEqual(beforeFirstEnds, ['0 ringing', '2000 answered (no AMD status)']);
    assert.deepEqual(h.events(), [
      '0 ringing',
      '2000 answered (no AMD status)',
      '3200 promptFinished',
      '3200 digits 1',
      '5500 promptFinished',
      '5500 digits 1',
    ]);
  });

  it('+12065550102 answers, then hangs up 10 s later', () => {
    const h = dial(DEMO.hangsUpAfter10s);

    h.runTo(11_999);
    const beforeHangUp = h.events();
    h.runTo(24 * HOUR);

    assert.deepEqual(beforeHangUp, ['0 ringing', '2000 answered (no AMD status)']);
    assert.deepEqual(h.events(), ['0 ringing', '2000 answered (no AMD status)', '12000 ended callee-hangup']);
    assert.equal(h.network.activeCalls, 0);
  });

  it('+12065550103 is busy without ringing', () => {
    const h = dial(DEMO.busy);

    h.runTo(299);
    const beforeReject = h.events();
    h.runTo(HOUR);

    assert.deepEqual(beforeReject, []);
    assert.deepEqual(h.events(), ['300 ended busy']);
  });

  it('+12065550104 rings and never answers nor ends', () => {
    const h = dial(DEMO.noAnswer, { amd: AMD });

    h.runTo(24 * HOUR);

    assert.deepEqual(h.events(), ['0 ringing']);
    assert.equal(h.network.activeCalls, 1);
    assert.equal(h.clock.pendingTimers, 0);
  });

  it('+12065550105 rings for 3 s, then declines', () => {
    const h = dial(DEMO.declines);

    h.runTo(2_999);
    const beforeDecline = h.events();
    h.runTo(HOUR);

    assert.deepEqual(beforeDecline, ['0 ringing']);
    assert.deepEqual(h.events(), ['0 ringing', '3000 ended declined']);
  });

  it('+12065550106 is unreachable without ringing', () => {
    const h = dial(DEMO.unreachable);

    h.runTo(299);
    const beforeReject = h.events();
    h.runTo(HOUR);

    assert.deepEqual(beforeReject, []);
    assert.deepEqual(h.events(), ['300 ended unreachable']);
  });

  it('+12065550110 rings, then the carrier fails the call after 1 s', () => {
    const h = dial(DEMO.carrierError);

    h.runTo(999);
    const beforeFailure = h.events();
    h.runTo(HOUR);

    assert.deepEqual(beforeFailure, ['0 ringing']);
    assert.deepEqual(h.events(), ['0 ringing', '1000 ended carrier-error']);
  });

  describe('+12065550107, an answering machine with a 6 s greeting and a beep', () => {
    it('reports the answer without an AMD status when AMD is off', () => {
      const h = dial(DEMO.machine, { amd: NO_AMD });

      h.runTo(HOUR);

      assert.deepEqual(h.events(), ['0 ringing', '2000 answered (no AMD status)']);
    });

    it('reports VOICEMAIL_BEEP as soon as it answers when AMD does not await the prompt', () => {
      const h = dial(DEMO.machine, { amd: AMD });

      h.runTo(1_999);
      const beforeAnswer = h.events();
      h.runTo(HOUR);

      assert.deepEqual(beforeAnswer, ['0 ringing']);
      assert.deepEqual(h.events(), ['0 ringing', '2000 answered VOICEMAIL_BEEP']);
    });

    it('reports the pick-up at once and VOICEMAIL_BEEP only once the greeting has played when AMD awaits the prompt', () => {
      const h = dial(DEMO.machine, { amd: AMD_AWAIT_PROMPT });

      h.runTo(7_999);
      const beforeBeep = h.events();
      h.runTo(HOUR);

      assert.deepEqual(beforeBeep, ['0 ringing', '2000 pickedUp']);
      assert.deepEqual(h.events(), ['0 ringing', '2000 pickedUp', '8000 answered VOICEMAIL_BEEP']);
    });
  });

  it('reports VOICEMAIL_NO_BEEP for a machine that does not beep', () => {
    const scripts = [script({ match: '+15550000001', outcome: 'machine', beep: false, ringSeconds: 1, greetingSeconds: 4 })];

    const immediate = dial('+15550000001', { scripts, amd: AMD });
    immediate.runTo(HOUR);
    const awaiting = dial('+15550000001', { scripts, amd: AMD_AWAIT_PROMPT });
    awaiting.runTo(HOUR);

    assert.deepEqual(immediate.events(), ['0 ringing', '1000 answered VOICEMAIL_NO_BEEP']);
    assert.deepEqual(awaiting.events(), ['0 ringing', '1000 pickedUp', '5000 answered VOICEMAIL_NO_BEEP']);
  });

  it('+12065550108 hangs up half-way through the first prompt', () => {
    const h = dial(DEMO.hangsUpMidPrompt);
    h.runTo(2_000);

    h.call.play(promptOf(4)); // 1,600 ms
    h.runTo(2_799);
    const beforeHangUp = h.events();
    h.runTo(HOUR);

    assert.deepEqual(beforeHangUp, ['0 ringing', '2000 answered (no AMD status)']);
    assert.deepEqual(h.events(), ['0 ringing', '2000 answered (no AMD status)', '2800 ended callee-hangup']);
  });

  it('+12065550109 presses 1234# 3 s after answering', () => {
    const h = dial(DEMO.pressesAtMoments);

    h.runTo(4_999);
    const beforePress = h.events();
    h.runTo(HOUR);

    assert.deepEqual(beforePress, ['0 ringing', '2000 answered (no AMD status)']);
    assert.deepEqual(h.events(), ['0 ringing', '2000 answered (no AMD status)', '5000 digits 1234#']);
  });
});

describe('SimulatedNetwork', () => {
  it('rings an unmatched number for 2 s, answers as a human and stays on the line', () => {
    const h = dial('+14155550123', { amd: AMD });

    h.runTo(1_999);
    const beforeAnswer = h.events();
    h.runTo(24 * HOUR);

    assert.deepEqual(beforeAnswer, ['0 ringing']);
    assert.deepEqual(h.events(), ['0 ringing', '2000 answered HUMAN_ANSWERED']);
    assert.equal(h.network.activeCalls, 1);
  });

  it('follows a configured prefix script for every number under the prefix', () => {
    const scripts = [...DEMO_CALLEE_SCRIPTS, script({ match: '+4420*', outcome: 'busy', ringSeconds: 0 })];

    const london = dial('+442071838750', { scripts });
    london.runTo(HOUR);
    const elsewhere = dial('+441612345678', { scripts });
    elsewhere.runTo(HOUR);

    assert.deepEqual(london.events(), ['300 ended busy']);
    assert.deepEqual(elsewhere.events(), ['0 ringing', '2000 answered (no AMD status)']);
  });

  it('follows the first matching script', () => {
    const scripts = [
      script({ match: '+1555*', outcome: 'decline', ringSeconds: 1 }),
      script({ match: '+15550000001', outcome: 'busy' }),
    ];

    const h = dial('+15550000001', { scripts });
    h.runTo(HOUR);

    assert.deepEqual(h.events(), ['0 ringing', '1000 ended declined']);
  });

  it('takes busy and unreachable ringSeconds as the delay before rejecting', () => {
    const scripts = [
      script({ match: '+15550000001', outcome: 'busy', ringSeconds: 4 }),
      script({ match: '+15550000002', outcome: 'unreachable', ringSeconds: 1 }),
    ];

    const busy = dial('+15550000001', { scripts });
    busy.runTo(HOUR);
    const unreachable = dial('+15550000002', { scripts });
    unreachable.runTo(HOUR);

    assert.deepEqual(busy.events(), ['4000 ended busy']);
    assert.deepEqual(unreachable.events(), ['1000 ended unreachable']);
  });

  it('delivers no event inside dial(), whatever the script', () => {
    const scripts = [script({ match: '+15550000001', ringSeconds: 0 }), ...DEMO_CALLEE_SCRIPTS];

    for (const to of ['+15550000001', '+14155550123', ...Object.values(DEMO)]) {
      const h = dial(to, { scripts, amd: AMD });
      assert.deepEqual(h.events(), [], to);
    }
  });

  it('delivers events due at once only when the clock moves, ringing before answering', () => {
    const scripts = [script({ match: '+15550000001', ringSeconds: 0 })];
    const h = dial('+15550000001', { scripts, amd: AMD });

    h.runTo(0);

    assert.deepEqual(h.events(), ['0 ringing', '0 answered HUMAN_ANSWERED']);
  });

  it('ends a call at most once and delivers nothing after the end', () => {
    const scripts = [
      script({ match: '+15550000001', ringSeconds: 1, hangUpAfterSeconds: 2, press: [{ atSeconds: 5, keys: '9' }], pressAfterEachPrompt: '#' }),
    ];
    const h = dial('+15550000001', { scripts });
    h.runTo(1_000);

    h.call.play(promptOf(20)); // 8,000 ms: would finish after the hang-up
    h.runTo(HOUR);

    assert.deepEqual(h.events(), ['0 ringing', '1000 answered (no AMD status)', '3000 ended callee-hangup']);
    assert.equal(h.clock.pendingTimers, 0);
  });

  it('records nothing: it carries no audio, so no recording is ever reported', () => {
    const h = dial(DEMO.hangsUpAfter10s);
    h.runTo(3_000);

    h.call.record(true);
    h.runTo(5_000);
    h.call.record(false);
    h.call.record(true);
    h.runTo(HOUR);

    assert.deepEqual(h.events(), ['0 ringing', '2000 answered (no AMD status)', '12000 ended callee-hangup']);
    assert.equal(h.clock.pendingTimers, 0);
  });

  it('reports promptFinished after the prompt duration when the callee stays silent', () => {
    const h = dial(DEMO.answers);
    h.runTo(2_000);

    h.call.play({ text: 'Hello' }); // 500 ms minimum
    h.runTo(2_499);
    const beforeEnd = h.events();
    h.runTo(HOUR);

    assert.deepEqual(beforeEnd, ['0 ringing', '2000 answered (no AMD status)']);
    assert.deepEqual(h.events(), ['0 ringing', '2000 answered (no AMD status)', '2500 promptFinished']);
  });

  it('cuts a playing prompt short when another starts', () => {
    const h = dial(DEMO.answers);
    h.runTo(2_000);

    h.call.play(promptOf(5)); // would finish at 4,000
    h.runTo(3_000);
    h.call.play(promptOf(2)); // 800 ms
    h.runTo(HOUR);

    assert.deepEqual(h.events(), ['0 ringing', '2000 answered (no AMD status)', '3800 promptFinished']);
  });

  it('ignores play() before the call is answered', () => {
    const h = dial(DEMO.pressesAfterEachPrompt);
    h.runTo(1_000);

    h.call.play(promptOf(1));
    h.runTo(HOUR);

    assert.deepEqual(h.events(), ['0 ringing', '2000 answered (no AMD status)']);
  });

  it('does not count a prompt played before the answer towards hangUpDuringPrompt', () => {
    const h = dial(DEMO.hangsUpMidPrompt);
    h.runTo(1_000);
    h.call.play(promptOf(10));

    h.runTo(2_000);
    h.call.play(promptOf(2)); // 800 ms: the first prompt the callee hears
    h.runTo(HOUR);

    assert.deepEqual(h.events(), ['0 ringing', '2000 answered (no AMD status)', '2400 ended callee-hangup']);
  });

  it('hangs up during the n-th prompt, letting the earlier ones finish', () => {
    const scripts = [script({ match: '+15550000001', ringSeconds: 0, hangUpDuringPrompt: 2 })];
    const h = dial('+15550000001', { scripts });
    h.runTo(0);

    h.call.play(promptOf(2)); // 800 ms
    h.runTo(1_000);
    h.call.play(promptOf(5)); // 2,000 ms: hang-up after 1,000
    h.runTo(HOUR);

    assert.deepEqual(h.events(), ['0 ringing', '0 answered (no AMD status)', '800 promptFinished', '2000 ended callee-hangup']);
  });

  it('presses keys at every configured moment after answering, in order', () => {
    const scripts = [
      script({
        match: '+15550000001',
        ringSeconds: 1,
        press: [
          { atSeconds: 4, keys: '#' },
          { atSeconds: 0.5, keys: '12' },
        ],
      }),
    ];
    const h = dial('+15550000001', { scripts });

    h.runTo(HOUR);

    assert.deepEqual(h.events(), ['0 ringing', '1000 answered (no AMD status)', '1500 digits 12', '5000 digits #']);
  });

  describe('key presses during a prompt', () => {
    const pressesAt1s = () => [script({ match: '+15550000001', ringSeconds: 1, press: [{ atSeconds: 1, keys: '3' }] })];

    it('cut an interruptible prompt short: the keys, then the prompt is reported finished', () => {
      const h = dial('+15550000001', { scripts: pressesAt1s() });
      h.runTo(1_000);
      h.call.play({ ...promptOf(10), interruptible: true });
      h.runTo(HOUR);

      assert.deepEqual(h.events(), ['0 ringing', '1000 answered (no AMD status)', '2000 digits 3', '2000 promptFinished']);
    });

    it('leave a prompt that is not interruptible playing to its end', () => {
      const h = dial('+15550000001', { scripts: pressesAt1s() });
      h.runTo(1_000);
      h.call.play(promptOf(10));
      h.runTo(HOUR);

      assert.deepEqual(h.events(), ['0 ringing', '1000 answered (no AMD status)', '2000 digits 3', '5000 promptFinished']);
    });
  });

  describe('hangUp()', () => {
    it('stops every pending event of an answered call and reports no end', () => {
      const scripts = [
        script({ match: '+15550000001', ringSeconds: 1, hangUpAfterSeconds: 10, press: [{ atSeconds: 3, keys: '5' }], pressAfterEachPrompt: '1' }),
      ];
      const h = dial('+15550000001', { scripts });
      h.runTo(1_000);
      h.call.play(promptOf(2));

      h.call.hangUp();
      h.runTo(24 * HOUR);

      assert.deepEqual(h.events(), ['0 ringing', '1000 answered (no AMD status)']);
      assert.equal(h.clock.pendingTimers, 0);
      assert.equal(h.network.activeCalls, 0);
    });

    it('cancels a ringing call before it is answered', () => {
      const h = dial(DEMO.answers);
      h.runTo(1_000);

      h.call.hangUp();
      h.runTo(24 * HOUR);

      assert.deepEqual(h.events(), ['0 ringing']);
      assert.equal(h.clock.pendingTimers, 0);
      assert.equal(h.network.activeCalls, 0);
    });

    it('cancels a call before it even rings', () => {
      const h = dial(DEMO.busy);

      h.call.hangUp();
      h.runTo(HOUR);

      assert.deepEqual(h.events(), []);
    });

    it('cancels a machine call while its greeting plays', () => {
      const h = dial(DEMO.machine, { amd: AMD_AWAIT_PROMPT });
      h.runTo(5_000);

      h.call.hangUp();
      h.runTo(HOUR);

      assert.deepEqual(h.events(), ['0 ringing', '2000 pickedUp']);
    });

    it('does nothing on a call that already ended', () => {
      const h = dial(DEMO.declines);
      h.runTo(HOUR);

      h.call.hangUp();
      h.call.hangUp();
      h.runTo(2 * HOUR);

      assert.deepEqual(h.events(), ['0 ringing', '3000 ended declined']);
    });

    it('ignores play() after the hang-up', () => {
      const h = dial(DEMO.pressesAfterEachPrompt);
      h.runTo(2_000);

      h.call.hangUp();
      h.call.play(promptOf(1));
      h.runTo(HOUR);

      assert.deepEqual(h.events(), ['0 ringing', '2000 answered (no AMD status)']);
      assert.equal(h.clock.pendingTimers, 0);
    });
  });

  it('counts calls in progress until they end', () => {
    const clock = new VirtualClock(0);
    const network = new SimulatedNetwork(clock, DEMO_CALLEE_SCRIPTS);
    const listener = new RecordingListener(clock);
    const request = { contactId: 'c', instanceId: 'i', from: '+12065550199', answeringMachineDetection: NO_AMD };
    network.dial({ ...request, to: DEMO.busy }, listener);
    network.dial({ ...request, to: DEMO.declines }, listener);
    network.dial({ ...request, to: DEMO.noAnswer }, listener);
    const counts = [network.activeCalls];

    clock.advance(300);
    counts.push(network.activeCalls);
    clock.advance(HOUR);
    counts.push(network.activeCalls);

    assert.deepEqual(counts, [3, 2, 1]);
  });

  it('drops every call on close() without notifying listeners', async () => {
    const clock = new VirtualClock(0);
    const network = new SimulatedNetwork(clock, DEMO_CALLEE_SCRIPTS);
    const listener = new RecordingListener(clock);
    const request = { contactId: 'c', instanceId: 'i', from: '+12065550199', answeringMachineDetection: NO_AMD };
    network.dial({ ...request, to: DEMO.answers }, listener);
    network.dial({ ...request, to: DEMO.hangsUpAfter10s }, listener);
    network.dial({ ...request, to: DEMO.busy }, listener);

    await network.close();
    clock.advance(HOUR);

    assert.deepEqual(listener.events, []);
    assert.equal(network.activeCalls, 0);
    assert.equal(clock.pendingTimers, 0);
  });
});

describe('SimulatedNetwork agents', () => {
  function dialAgent(options: { agentAnswerMs?: number; deskPhoneNumber?: string } = {}) {
    const clock = new VirtualClock(0);
    // A script that would hang up or press keys must not apply to agents, whatever number they have.
    const scripts = [script({ match: '+*', outcome: 'busy', ringSeconds: 0 })];
    const network = new SimulatedNetwork(clock, scripts, options.agentAnswerMs !== undefined ? { agentAnswerMs: options.agentAnswerMs } : {});
    const listener = new RecordingListener(clock);
    const call = network.dialAgent(
      { contactId: 'contact-1', instanceId: 'instance-1', userId: 'user-1', username: 'alice', from: '+12065550123', ...(options.deskPhoneNumber !== undefined && { deskPhoneNumber: options.deskPhoneNumber }) },
      listener,
    );
    return { clock, network, listener, call };
  }

  it('rings, answers after a second of clock time, and stays on the line', () => {
    const { clock, listener, network } = dialAgent({ deskPhoneNumber: '+12065550103' });

    clock.advance(HOUR);

    assert.deepEqual(listener.events, ['0 ringing', '1000 answered (no AMD status)']);
    assert.equal(network.activeCalls, 1);
  });

  it('answers after the configured delay', () => {
    const { clock, listener } = dialAgent({ agentAnswerMs: 250 });

    clock.advance(1000);

    assert.deepEqual(listener.events, ['0 ringing', '250 answered (no AMD status)']);
  });

  it('refuses a negative delay', () => {
    assert.throws(() => new SimulatedNetwork(new VirtualClock(0), [], { agentAnswerMs: -1 }), RangeError);
  });

  it('bridge stops the prompts of both calls without promptFinished; later prompts play', () => {
    const clock = new VirtualClock(0);
    const network = new SimulatedNetwork(clock, DEMO_CALLEE_SCRIPTS);
    const customer = new RecordingListener(clock);
    const agent = new RecordingListener(clock);
    const customerCall = network.dial({ contactId: 'c', instanceId: 'i', to: '+12065550100', from: '+12065550199', answeringMachineDetection: NO_AMD }, customer);
    const agentCall = network.dialAgent({ contactId: 'c', instanceId: 'i', userId: 'u', username: 'alice', from: '+12065550100' }, agent);
    clock.advance(2000);
    customerCall.play(promptOf(10));
    agentCall.play(promptOf(10));

    clock.advance(1000);
    customerCall.bridge(agentCall);
    clock.advance(HOUR);

    assert.ok(!customer.events.some((e) => e.endsWith('promptFinished')));
    assert.ok(!agent.events.some((e) => e.endsWith('promptFinished')));
    customerCall.play(promptOf(1));
    clock.advance(500);
    assert.equal(customer.events.at(-1), `${clock.now()} promptFinished`);
  });

  it('hangs up without an ended event, like any call', () => {
    const { clock, listener, call, network } = dialAgent();
    clock.advance(2000);

    call.hangUp();
    clock.advance(HOUR);

    assert.deepEqual(listener.events, ['0 ringing', '1000 answered (no AMD status)']);
    assert.equal(network.activeCalls, 0);
  });
});
