/**
 * Call recordings end to end, on a fake carrier that records: a flow's UpdateContactRecordingBehavior
 * starts and stops the call's recording, the carrier saves each stretch as a WAV file and reports it, and
 * the contact lists it in DescribeContact (read with @aws-sdk/client-connect), in its contact record and
 * on outdial's signed download endpoint, which answers unknown recordings in Connect's error shape.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ConnectClient, DescribeContactCommand } from '@aws-sdk/client-connect';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { assertError, CALLEE, describeContact, ok, ops, startCall, UUID } from '../../helpers/connect.js';
import { drain, runFor } from '../../helpers/events.js';
import { flowOf, recordBehavior, say } from '../../helpers/flow-fixtures.js';
import { DEMO, LOCAL_CREDENTIALS, REGION, startTestApp, type TestApp } from '../../helpers/test-app.js';
import { runRecordingsGet } from '../../../src/cli/client-commands.js';
import type { Clock } from '../../../src/shared/clock.js';
import type { AgentDialRequest, Call, CallListener, Carrier, DialRequest, SavedRecording } from '../../../src/telephony/carrier.js';
import type { CalleeScript } from '../../../src/telephony/sim/callee-script.js';
import { SimulatedNetwork } from '../../../src/telephony/sim/simulated-network.js';

/** A stereo 16-bit 8 kHz WAV of `frames` frames whose samples depend on `seed`, so every file differs. */
function wav(frames: number, seed: number): Buffer {
  const data = Buffer.alloc(frames * 4);
  for (let i = 0; i < frames * 2; i++) data.writeInt16LE(((i * 37 + seed * 101) % 2000) - 1000, i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(2, 22); // stereo: the callee on one side, outdial on the other
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(8000 * 4, 28);
  header.writeUInt16LE(4, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/**
 * The simulated network, plus recording as the SIP adapter does it: `record(false)` and the engine's
 * hang-up save the stretch and report it afterwards; a call the network ends reports it before `ended`.
 */
class RecordingCarrier implements Carrier {
  /** Every `record` call, in order. */
  readonly calls: { contactId: string; enabled: boolean }[] = [];
  /** The files written, by location. */
  readonly files = new Map<string, Buffer>();
  readonly #network: SimulatedNetwork;

  constructor(
    private readonly clock: Clock,
    scripts: readonly CalleeScript[],
    private readonly dir: string,
  ) {
    this.#network = new SimulatedNetwork(clock, scripts);
  }

  dial(request: DialRequest, listener: CallListener): Call {
    let startedAt: number | undefined;
    let stretches = 0;
    const save = (): SavedRecording | undefined => {
      if (startedAt === undefined) return undefined;
      const location = join(this.dir, `${request.contactId}-${++stretches}.wav`);
      const bytes = wav(800 * stretches, this.files.size);
      writeFileSync(location, bytes);
      this.files.set(location, bytes);
      const saved = { location, startedAt, stoppedAt: this.clock.now() };
      startedAt = undefined;
      return saved;
    };
    const saveLater = () => {
      const saved = save();
      if (saved !== undefined) this.clock.setTimer(0, () => listener.recorded(saved));
    };
    const call = this.#network.dial(request, {
      ringing: () => listener.ringing(),
      pickedUp: () => listener.pickedUp(),
      answered: (info) => listener.answered(info),
      digits: (keys) => listener.digits(keys),
      promptFinished: () => listener.promptFinished(),
      recorded: (recording) => listener.recorded(recording),
      ended: (cause) => {
        const saved = save();
        if (saved !== undefined) listener.recorded(saved);
        listener.ended(cause);
      },
    });
    return {
      play: (prompt) => call.play(prompt),
      record: (enabled) => {
        this.calls.push({ contactId: request.contactId, enabled });
        if (enabled) startedAt ??= this.clock.now();
        else saveLater();
      },
      hangUp: () => {
        call.hangUp();
        saveLater();
      },
      bridge: (peer) => call.bridge(peer),
    };
  }

  dialAgent(request: AgentDialRequest, listener: CallListener): Call {
    return this.#network.dialAgent(request, listener);
  }

  close(): Promise<void> {
    return this.#network.close();
  }
}



/** Records the customer through one prompt, then hangs up. */
const RECORD_FLOW = flowOf('record', [recordBehavior('record', ['Customer'], 'hello'), say('hello', 'This call is recorded for quality purposes.', 'bye')]);

/** Records the first prompt only: an empty list stops recording. */
const PAUSE_FLOW = flowOf('record', [
  recordBehavior('record', ['Customer'], 'first'),
  say('first', 'This part is recorded.', 'stop'),
  recordBehavior('stop', [], 'second'),
  say('second', 'Please key in your card number now; this part is not.', 'bye'),
]);

/** Keeps talking until the callee hangs up (CALLEE.hangsUpAfter10s leaves after 10 s). */
const LONG_FLOW = flowOf('record', [
  recordBehavior('record', ['Agent', 'Customer'], 'long'),
  say('long', Array.from({ length: 60 }, () => 'words').join(' '), 'bye'),
]);

describe('call recordings', () => {
  let app: TestApp;
  let carrier: RecordingCarrier;
  let dir: string;
  let out: PassThrough;
  let written: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'outdial-recordings-'));
  });
  afterEach(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(config: Record<string, unknown> = {}): Promise<void> {
    out = new PassThrough();
    written = '';
    out.on('data', (chunk: Buffer) => (written += chunk.toString()));
    app = await startTestApp(
      { events: { sinks: [{ type: 'stdout', name: 'records', stream: 'records' }] }, ...config },
      {
        stdout: out,
        carrier: (clock, cfg) => (carrier = new RecordingCarrier(clock, cfg.callees, dir)),
      },
    );
  }

  async function flow(content: object): Promise<string> {
    return ok(await app.request(ops.createContactFlow(DEMO.instanceId, { Name: `flow-${Math.random()}`, Content: JSON.stringify(content) })))
      .ContactFlowId as string;
  }

  /** Contact records written so far for `contactId`, in order. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON lines are checked by assertions
  function records(contactId: string): any[] {
    return written
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { ContactId: string })
      .filter((r) => r.ContactId === contactId);
  }

  const download = (path: string) => app.request({ method: 'GET', path });

  it('records the call a flow asks to record, lists it in DescribeContact, and serves its exact bytes to a signed request', async () => {
    await start({ host: '127.0.0.1', port: 0 });
    const url = await app.outdial.listen();
    const contactId = await startCall(app, CALLEE.answers, { ContactFlowId: await flow(RECORD_FLOW) });
    await runFor(app, 2_000);
    const answeredAt = app.clock.now();
    await runFor(app, 30_000);

    assert.deepEqual(carrier.calls, [{ contactId, enabled: true }]);
    const [bytes, ...others] = [...carrier.files.values()];
    assert.ok(bytes !== undefined && others.length === 0);

    const client = new ConnectClient({ region: REGION, endpoint: url, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
    try {
      const { Contact } = await client.send(new DescribeContactCommand({ InstanceId: DEMO.instanceId, ContactId: contactId }));
      assert.equal(Contact?.DisconnectReason, 'CONTACT_FLOW_DISCONNECT');
      assert.equal(Contact?.Recordings?.length, 1);
      const recording = Contact.Recordings[0]!;
      const match = new RegExp(`^${url}/outdial/recordings/${contactId}/([0-9a-f-]{36})\\.wav$`).exec(recording.Location ?? '');
      assert.ok(match?.[1] !== undefined && UUID.test(match[1]), recording.Location);
      assert.deepEqual(
        { ...recording, Location: undefined },
        {
          Location: undefined,
          MediaStreamType: 'AUDIO',
          ParticipantType: 'ALL',
          StartTimestamp: new Date(answeredAt),
          StopTimestamp: new Date(Contact.DisconnectTimestamp!),
          Status: 'AVAILABLE',
        },
      );

      const response = await signedGet(recording.Location!);
      assert.equal(response.status, 200, response.body.toString());
      assert.equal(response.headers['content-type'], 'audio/wav');
      assert.equal(response.headers['content-length'], String(bytes.length));
      assert.ok(response.body.equals(bytes), 'the bytes the carrier saved');

      const out = join(dir, 'downloaded.wav');
      assert.deepEqual(await runRecordingsGet(contactId, { endpoint: url, region: REGION, out }), [out]);
      assert.ok(readFileSync(out).equals(bytes), '`outdial recordings get` writes the same bytes');
    } finally {
      client.destroy();
    }
  });

  it('stops recording when the flow empties RecordedParticipants, and lists the stretch it saved', async () => {
    await start();
    const contactId = await startCall(app, CALLEE.answers, { ContactFlowId: await flow(PAUSE_FLOW) });
    await runFor(app, 60_000);

    assert.deepEqual(
      carrier.calls.map((c) => c.enabled),
      [true, false],
    );
    const contact = await describeContact(app, contactId);
    assert.equal(contact.Recordings.length, 1);
    const [recording] = contact.Recordings;
    assert.match(recording.Location, new RegExp(`^http://localhost/outdial/recordings/${contactId}/[0-9a-f-]{36}\\.wav$`));
    assert.ok(recording.StopTimestamp < contact.DisconnectTimestamp, 'saved when recording stopped, before the end');

    const response = await app.outdial.app.inject(await app.sign({ method: 'GET', path: new URL(recording.Location as string).pathname }));
    assert.equal(response.statusCode, 200);
    assert.ok(response.rawPayload.equals([...carrier.files.values()][0]!));
  });

  it('lists nothing and asks for no recording when the flow records nobody', async () => {
    await start();
    const contactId = await startCall(app, CALLEE.answers, { ContactFlowId: await flow(flowOf('none', [recordBehavior('none', [], 'bye')])) });
    await runFor(app, 30_000);

    assert.deepEqual(carrier.calls, []);
    const contact = await describeContact(app, contactId);
    assert.equal(contact.Recordings, undefined);
    const [record] = records(contactId);
    assert.equal(record.Recording, null);
    assert.equal(record.Recordings, null);
  });

  it('writes the contact record again, listing the recording, when it is saved after the contact ended', async () => {
    await start();
    const contactId = await startCall(app, CALLEE.answers, { ContactFlowId: await flow(RECORD_FLOW) });
    await runFor(app, 30_000);
    await drain(app);

    const [atEnd, again, ...more] = records(contactId);
    assert.deepEqual(more, []);
    assert.equal(atEnd.Recordings, null, 'the flow hung up before the carrier saved the recording');
    const { Recordings } = await describeContact(app, contactId);
    const path = new URL(Recordings[0].Location as string).pathname;
    assert.deepEqual(again.Recordings, [
      {
        DeletionReason: null,
        FragmentStartNumber: null,
        FragmentStopNumber: null,
        Location: path,
        MediaStreamType: 'AUDIO',
        ParticipantType: 'ALL',
        StartTimestamp: new Date(Recordings[0].StartTimestamp * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        Status: 'AVAILABLE',
        StopTimestamp: new Date(Recordings[0].StopTimestamp * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        StorageType: null,
      },
    ]);
    assert.deepEqual(again.Recording, { DeletionReason: null, Location: path, Status: 'AVAILABLE', Type: 'AUDIO' });
    assert.ok(again.LastUpdateTimestamp >= atEnd.LastUpdateTimestamp);
    assert.deepEqual({ ...again, Recording: null, Recordings: null, LastUpdateTimestamp: null }, { ...atEnd, LastUpdateTimestamp: null });
  });

  it('lists the recording in the one contact record when the callee hangs up while recording', async () => {
    await start();
    const contactId = await startCall(app, CALLEE.hangsUpAfter10s, { ContactFlowId: await flow(LONG_FLOW) });
    await runFor(app, 60_000);
    await drain(app);

    assert.deepEqual(carrier.calls, [{ contactId, enabled: true }]);
    const [record, ...more] = records(contactId);
    assert.deepEqual(more, []);
    assert.equal(record.DisconnectReason, 'CUSTOMER_DISCONNECT');
    assert.equal(record.Recordings.length, 1);
    assert.equal(record.Recordings[0].StopTimestamp, record.DisconnectTimestamp);
  });

  it('answers an unknown contact, recording or file, and an unsigned request, as Connect does', async () => {
    await start();
    const contactId = await startCall(app, CALLEE.answers, { ContactFlowId: await flow(RECORD_FLOW) });
    await runFor(app, 30_000);
    const { Recordings } = await describeContact(app, contactId);
    const path = new URL(Recordings[0].Location as string).pathname;
    const recordingId = /([^/]+)\.wav$/.exec(path)![1]!;

    assertError(await download(`/outdial/recordings/${randomUUID()}/${recordingId}.wav`), 404, 'ResourceNotFoundException');
    assertError(await download(`/outdial/recordings/${contactId}/${randomUUID()}.wav`), 404, 'ResourceNotFoundException');
    assertError(await download(`/outdial/recordings/${contactId}/${recordingId}`), 404, 'ResourceNotFoundException');
    assertError(await app.unsigned({ method: 'GET', path }), 403, 'MissingAuthenticationTokenException');

    unlinkSync([...carrier.files.keys()][0]!);
    assertError(await download(path), 404, 'ResourceNotFoundException', /no longer stored/);
    assert.doesNotMatch(JSON.stringify((await download(path)).json), new RegExp(dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'no server path on the wire');
  });
});

/** GETs `url` over the socket, signed with SigV4 as the SDK signs. */
async function signedGet(url: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const target = new URL(url);
  const signer = new SignatureV4({
    credentials: LOCAL_CREDENTIALS,
    region: REGION,
    service: 'connect',
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: true,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'GET',
      protocol: target.protocol,
      hostname: target.hostname,
      port: Number(target.port),
      path: target.pathname,
      headers: { host: target.host },
    }),
  );
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'GET', headers: signed.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
