/**
 * The SIPp side of the SIP tests, on its own: every scenario in test/fixtures/sipp loads (SIPp rejects a
 * whole scenario for one unread variable or unknown keyword), and test/helpers/sipp.ts does what the
 * call tests rely on: the DTMF pcaps it builds are replayed as RFC 4733 events, the message trace is
 * parsed, a dead start is reported, and a SIPp stuck in a call is killed. The far end here is a bare
 * dgram socket speaking just enough SIP; our own UAC is tested against these scenarios elsewhere.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { buildOffer } from '../../../src/telephony/sip/sdp.js';
import { readUdpPcap } from '../../helpers/sipp-pcap.js';
import { buildDtmfPcap, countRequests, SIPP_FIXTURES, startSipp } from '../../helpers/sipp.js';

const EVENT_KEYS = '0123456789*#ABCD';

/** What some scenarios need to load at all. */
const LOAD_OPTIONS: Record<string, Parameters<typeof startSipp>[0]> = {
  'redirect.xml': { scenario: 'redirect.xml', keys: { redirect_port: '5999' } },
  'answer-rtp-sink.xml': { scenario: 'answer-rtp-sink.xml', keys: { rtp_port: '5998' } },
  'agent-phone.xml': { scenario: 'agent-phone.xml', keys: { rtp_port: '5998' } },
  'agent-phone-hangup.xml': { scenario: 'agent-phone-hangup.xml', keys: { rtp_port: '5998' }, vars: { hangup_ms: '1000' } },
};
/**
 * UAC scenarios, which need a far end: bench-uac.xml runs below against SIPp's built-in UAS; the agent's
 * phone (agent-register.xml) against outdial's registrar in sip-agents.test.ts and sip-agents-app.test.ts.
 */
const UAC_SCENARIOS = new Set(['bench-uac.xml', 'agent-register.xml']);

describe('SIPp scenarios', () => {
  const files = readdirSync(SIPP_FIXTURES).filter((file) => file.endsWith('.xml'));

  it('has the scenarios the SIP tests use', () => {
    for (const name of ['agent-phone', 'agent-phone-hangup', 'agent-register', 'answer-dtmf', 'answer-hold', 'auth-401', 'auth-407', 'busy', 'callee-hangup', 'decline', 'early-media', 'forked', 'info-dtmf', 'no-answer', 'not-found', 'options-in-dialog', 'redirect', 'reinvite-hold', 'server-error', 'session-timer', 'silent', 'unavailable', 'bench-uac']) {
      assert.ok(files.includes(`${name}.xml`), name);
    }
  });

  for (const transport of ['udp', 'tcp'] as const) {
    it(`every scenario loads (${transport})`, async () => {
      await Promise.all(
        files.filter((file) => !UAC_SCENARIOS.has(file)).map(async (file) => {
          const sipp = await startSipp({ ...(LOAD_OPTIONS[file] ?? { scenario: file }), transport });
          const result = await sipp.stop();
          assert.equal(result.killed, true, `${file} was still running`);
          assert.doesNotMatch(result.stderr, /referenced|Unsupported|Unknown|error/i, file);
        }),
      );
    });
  }

  it('bench-uac.xml completes calls against `sipp -sn uas`, the benchmark pair', async () => {
    // UDP only: over TCP the built-in UAS counts its last call as failed when the UAC closes the
    // connection while that call is still in its 4 s timewait.
    const uas = await startSipp({ scenario: 'uas', calls: 3, rtpEcho: true });
    const uac = await startSipp({ scenario: 'bench-uac.xml', calls: 3, remote: `127.0.0.1:${uas.port}`, extraArgs: ['-r', '20'] });
    const [client, server] = await Promise.all([uac.done, uas.done]);
    assert.equal(client.code, 0, client.errors);
    assert.equal(server.code, 0, server.errors);
    assert.equal(countRequests(server.trace, 'BYE'), 3);
  });

  it('reports a scenario that does not load, with SIPp’s reason', async () => {
    await assert.rejects(startSipp({ scenario: 'redirect.xml' }), /Unsupported keyword 'redirect_port'/);
  });
});

describe('buildDtmfPcap', () => {
  const dir = mkdtempSync(join(tmpdir(), 'outdial-dtmf-pcap-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const writeTemp = (data: Buffer): string => {
    const path = join(dir, 'keys.pcap');
    writeFileSync(path, data);
    return path;
  };

  it('writes one RFC 4733 event per key, repeated keys included, in rising order', () => {
    const packets = readUdpPcap(writeTemp(buildDtmfPcap('11#D', { intervalMs: 400 })));
    assert.equal(packets.length, 4 * 13);
    const rtp = packets.map(({ atMs, data }) => ({
      atMs,
      marker: (data[1]! & 0x80) !== 0,
      pt: data[1]! & 0x7f,
      seq: data.readUInt16BE(2),
      ts: data.readUInt32BE(4),
      event: data[12]!,
      end: (data[13]! & 0x80) !== 0,
      duration: data.readUInt16BE(14),
    }));
    assert.ok(rtp.every((p) => p.pt === 101));
    assert.ok(rtp.every((p, i) => i === 0 || p.seq === rtp[i - 1]!.seq + 1), 'sequence numbers count up');
    const keys = rtp.filter((p) => p.end).filter((p, i, all) => i === 0 || all[i - 1]!.ts !== p.ts);
    assert.deepEqual(
      keys.map((p) => EVENT_KEYS[p.event]),
      ['1', '1', '#', 'D'],
    );
    assert.deepEqual(
      keys.map((p) => p.atMs),
      [180, 580, 980, 1380],
    );
    assert.ok(keys.every((p, i) => i === 0 || p.ts > keys[i - 1]!.ts), 'each key a new, later event');
    assert.equal(rtp.filter((p) => p.marker).length, 4, 'marker on the first packet of each key');
    assert.deepEqual(
      rtp.slice(0, 13).map((p) => p.duration),
      [160, 320, 480, 640, 800, 960, 1120, 1280, 1440, 1600, 1600, 1600, 1600],
    );
  });

  it('refuses keys RFC 4733 has no event for', () => {
    assert.throws(() => buildDtmfPcap('1x'), /0-9/);
    assert.throws(() => buildDtmfPcap(''), /0-9/);
  });
});

describe('SIPp driven by a bare UAC', () => {
  it('answer-dtmf.xml replays the helper’s key presses to the address in our SDP', async () => {
    const uac = await BareUac.open();
    const sipp = await startSipp({ scenario: 'answer-dtmf.xml', dtmf: '5#5', dtmfIntervalMs: 300 });
    try {
      const ok = await uac.invite(sipp.port);
      assert.match(ok, /^SIP\/2\.0 200 /);
      assert.match(ok, /^a=rtpmap:101 telephone-event\/8000\r?$/m);
      uac.ack(ok, sipp.port);
      assert.deepEqual(await uac.keys(3, 5_000), ['5', '#', '5']);
      assert.match(await uac.bye(ok, sipp.port), /^SIP\/2\.0 200 /);
      const result = await sipp.done;
      assert.equal(result.code, 0, result.errors);
      assert.equal(countRequests(result.trace, 'ACK'), 1);
      assert.equal(countRequests(result.trace, 'BYE'), 1);
      assert.deepEqual(
        result.trace.map((m) => `${m.direction} ${m.method ?? m.status}`),
        ['received INVITE', 'sent 100', 'sent 180', 'sent 200', 'received ACK', 'received BYE', 'sent 200'],
      );
      assert.equal(result.trace[0]!.header('call-id'), uac.callId);
      assert.match(result.log, /offered_te=a=rtpmap:101 telephone-event\/8000/);
    } finally {
      uac.close();
      await sipp.stop();
    }
  });

  it('kills a SIPp left waiting in a call, which its own -timeout never ends', async () => {
    const uac = await BareUac.open();
    const sipp = await startSipp({ scenario: 'answer-hold.xml', timeoutMs: 1_000 });
    try {
      uac.ack(await uac.invite(sipp.port), sipp.port);
      // …and the UAC goes away without a BYE.
      const result = await sipp.done;
      assert.equal(result.killed, true);
      assert.equal(result.code, 137);
      assert.equal(countRequests(result.trace, 'ACK'), 1, 'the trace survives the kill');
    } finally {
      uac.close();
    }
  });
});

/** Just enough of a UAC to make one call to SIPp over UDP: INVITE, ACK, BYE, and an RTP socket. */
class BareUac {
  readonly callId = `${Math.random().toString(36).slice(2)}@bare-uac`;
  readonly #inbox: string[] = [];
  readonly #waiters: (() => void)[] = [];
  readonly #events: { ts: number; event: number }[] = [];

  private constructor(
    private readonly sip: dgram.Socket,
    private readonly rtp: dgram.Socket,
  ) {
    sip.on('message', (data) => {
      this.#inbox.push(data.toString('utf8'));
      this.#wake();
    });
    rtp.on('message', (data) => {
      if ((data[1]! & 0x7f) !== 101 || (data[13]! & 0x80) === 0) return;
      const ts = data.readUInt32BE(4);
      if (this.#events.some((e) => e.ts === ts)) return;
      this.#events.push({ ts, event: data[12]! });
      this.#wake();
    });
  }

  static async open(): Promise<BareUac> {
    const bind = (socket: dgram.Socket) => new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const sip = dgram.createSocket('udp4');
    const rtp = dgram.createSocket('udp4');
    await Promise.all([bind(sip), bind(rtp)]);
    return new BareUac(sip, rtp);
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  async #until<T>(take: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = take();
      if (value !== undefined) return value;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  #response(status: RegExp, method: string): Promise<string> {
    return this.#until(
      () => {
        const index = this.#inbox.findIndex((m) => status.test(m) && new RegExp(`^CSeq:\\s*\\d+ ${method}`, 'mi').test(m));
        return index < 0 ? undefined : this.#inbox.splice(index, 1)[0];
      },
      5_000,
      `${String(status)} to ${method}`,
    );
  }

  #send(port: number, lines: string[], body = ''): void {
    const text = `${lines.join('\r\n')}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    this.sip.send(text, port, '127.0.0.1');
  }

  #common(method: string, cseq: number, branch: string, to: string): string[] {
    const local = this.sip.address().port;
    return [
      `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bK-${branch}`,
      `From: <sip:bare@127.0.0.1:${local}>;tag=bare1`,
      `To: ${to}`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${cseq} ${method}`,
      `Contact: <sip:bare@127.0.0.1:${local}>`,
      'Max-Forwards: 70',
    ];
  }

  async invite(port: number): Promise<string> {
    const sdp = buildOffer({ sessionId: '1', version: 1, address: '127.0.0.1', port: this.rtp.address().port, codecs: ['PCMU', 'PCMA'], telephoneEventPayloadType: 101 });
    this.#send(port, [`INVITE sip:service@127.0.0.1:${port} SIP/2.0`, ...this.#common('INVITE', 1, 'inv', `<sip:service@127.0.0.1:${port}>`), 'Content-Type: application/sdp'], sdp);
    return this.#response(/^SIP\/2\.0 200 /, 'INVITE');
  }

  ack(ok: string, port: number): void {
    this.#send(port, [`ACK ${target(ok)} SIP/2.0`, ...this.#common('ACK', 1, 'ack', toHeader(ok))]);
  }

  bye(ok: string, port: number): Promise<string> {
    this.#send(port, [`BYE ${target(ok)} SIP/2.0`, ...this.#common('BYE', 2, 'bye', toHeader(ok))]);
    return this.#response(/^SIP\/2\.0 200 /, 'BYE');
  }

  keys(count: number, timeoutMs: number): Promise<string[]> {
    return this.#until(() => (this.#events.length >= count ? this.#events.map((e) => EVENT_KEYS[e.event] ?? '?') : undefined), timeoutMs, `${count} keys`);
  }

  close(): void {
    this.sip.close();
    this.rtp.close();
  }
}

function toHeader(response: string): string {
  const match = /^To:\s*(.*?)\r?$/im.exec(response);
  assert.ok(match?.[1], 'the 200 has a To header');
  return match[1];
}

function target(response: string): string {
  const match = /^(?:Contact|m):\s*<([^>]+)>/im.exec(response);
  assert.ok(match?.[1], 'the 200 has a Contact');
  return match[1];
}
