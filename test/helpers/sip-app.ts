/**
 * outdial in this process with its SIP adapter on loopback, in real time, listening on an ephemeral HTTP
 * port and driven by @aws-sdk/client-connect: the harness of the tests that call SIPp.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ConnectClient,
  type Contact,
  CreateContactFlowCommand,
  DescribeContactCommand,
  GetContactAttributesCommand,
  StartOutboundVoiceContactCommand,
} from '@aws-sdk/client-connect';
import { loadConfig } from '../../src/config/config.js';
import { createOutdial, type Outdial } from '../../src/main.js';
import { DEMO } from '../../src/services/seed.js';
import { silentLogger } from '../../src/shared/logger.js';
import { connectClient, waitFor } from './server-process.js';

export interface SipAppOptions {
  /** The trunk at SIPp's port on 127.0.0.1; other keys are trunk settings (docs/sip.md). */
  readonly trunk: { readonly port: number } & Readonly<Record<string, unknown>>;
  readonly sip?: Record<string, unknown>;
  readonly extra?: Record<string, unknown>;
}

export interface SipApp {
  readonly outdial: Outdial;
  readonly url: string;
  readonly client: ConnectClient;
  readonly recordingsDir: string;
  /** Creates a published flow in the demo instance and returns its id. */
  createFlow(content: unknown): Promise<string>;
  /** Starts a call to `to` with the flow; returns the ContactId. */
  call(flowId: string, to?: string, extra?: Record<string, unknown>): Promise<string>;
  describe(contactId: string): Promise<Contact>;
  attributes(contactId: string): Promise<Record<string, string>>;
  /** Waits until the contact is DISCONNECTED and returns it. */
  ended(contactId: string, timeoutMs?: number): Promise<Contact>;
  close(): Promise<void>;
}

export async function startSipApp(options: SipAppOptions): Promise<SipApp> {
  const recordingsDir = mkdtempSync(join(tmpdir(), 'outdial-recordings-'));
  const trunk = { name: 'sipp', host: '127.0.0.1', ...options.trunk };
  const config = loadConfig({
    file: {
      demo: true,
      logLevel: 'silent',
      rateLimitDisabled: true,
      port: 0,
      telephony: {
        default: 'sipp',
        trunks: [trunk],
        sip: { bindAddress: '127.0.0.1', port: 0, recordingsDir, ...options.sip },
      },
      ...options.extra,
    },
    flags: { db: ':memory:' },
  });
  const outdial = await createOutdial(config, { logger: silentLogger });
  const url = await outdial.listen();
  const client = connectClient(url);

  const describe = async (contactId: string): Promise<Contact> =>
    (await client.send(new DescribeContactCommand({ InstanceId: DEMO.instanceId, ContactId: contactId }))).Contact!;

  return {
    outdial,
    url,
    client,
    recordingsDir,
    async createFlow(content) {
      const created = await client.send(
        new CreateContactFlowCommand({ InstanceId: DEMO.instanceId, Name: `sip-${Math.random().toString(36).slice(2)}`, Type: 'CONTACT_FLOW', Content: JSON.stringify(content) }),
      );
      return created.ContactFlowId!;
    },
    async call(flowId, to = '+12065550123', extra = {}) {
      const started = await client.send(
        new StartOutboundVoiceContactCommand({
          InstanceId: DEMO.instanceId,
          ContactFlowId: flowId,
          DestinationPhoneNumber: to,
          SourcePhoneNumber: DEMO.callerIdNumber,
          ...extra,
        }),
      );
      return started.ContactId!;
    },
    describe,
    async attributes(contactId) {
      const out = await client.send(new GetContactAttributesCommand({ InstanceId: DEMO.instanceId, InitialContactId: contactId }));
      return out.Attributes ?? {};
    },
    ended: (contactId, timeoutMs = 20_000) =>
      waitFor(
        `contact ${contactId} to end`,
        async () => {
          const contact = await describe(contactId);
          return contact.DisconnectTimestamp !== undefined ? contact : undefined;
        },
        { timeoutMs, intervalMs: 50 },
      ),
    async close() {
      client.destroy();
      await outdial.close();
      rmSync(recordingsDir, { recursive: true, force: true });
    },
  };
}
