/** Flows the integration tests place calls with, in Amazon Connect's flow language. */
import { DEMO } from '../../src/services/seed.js';

const bye = { Identifier: 'bye', Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} };

/**
 * Sends the contact to the demo queue and, once the transfer returns, disconnects it; with `attributes`,
 * sets them first.
 */
export function queueFlow(attributes?: Record<string, string>): Record<string, unknown> {
  const tag =
    attributes === undefined
      ? []
      : [
          {
            Identifier: 'tag',
            Type: 'UpdateContactAttributes',
            Parameters: { Attributes: attributes },
            Transitions: { NextAction: 'target', Errors: [{ ErrorType: 'NoMatchingError', NextAction: 'bye' }] },
          },
        ];
  return {
    Version: '2019-10-30',
    StartAction: attributes === undefined ? 'target' : 'tag',
    Actions: [
      ...tag,
      {
        Identifier: 'target',
        Type: 'UpdateContactTargetQueue',
        Parameters: { QueueId: DEMO.queueId },
        Transitions: { NextAction: 'transfer', Errors: [{ ErrorType: 'NoMatchingError', NextAction: 'bye' }] },
      },
      {
        Identifier: 'transfer',
        Type: 'TransferContactToQueue',
        Parameters: {},
        Transitions: {
          NextAction: 'bye',
          Errors: [
            { ErrorType: 'QueueAtCapacity', NextAction: 'bye' },
            { ErrorType: 'NoMatchingError', NextAction: 'bye' },
          ],
        },
      },
      bye,
    ],
  };
}

/** Says `text` and hangs up; with `first`, runs those actions before speaking (each must go on to `speak`). */
export function speakFlow(text: string, first: readonly Record<string, unknown>[] = []): Record<string, unknown> {
  return {
    Version: '2019-10-30',
    StartAction: first.length > 0 ? String(first[0]!.Identifier) : 'speak',
    Actions: [
      ...first,
      {
        Identifier: 'speak',
        Type: 'MessageParticipant',
        Parameters: { Text: text },
        Transitions: { NextAction: 'bye', Errors: [{ ErrorType: 'NoMatchingError', NextAction: 'bye' }] },
      },
      bye,
    ],
  };
}
