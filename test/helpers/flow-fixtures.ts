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

/** MessageParticipant speaking `text`, then `next` (also on error). */
export function say(id: string, text: string, next: string): Record<string, unknown> {
  return {
    Identifier: id,
    Type: 'MessageParticipant',
    Parameters: { Text: text },
    Transitions: { NextAction: next, Errors: [{ ErrorType: 'NoMatchingError', NextAction: next }] },
  };
}

/** UpdateContactRecordingBehavior recording `participants` (none stops recording), then `next`. */
export function recordBehavior(id: string, participants: string[], next: string): Record<string, unknown> {
  return {
    Identifier: id,
    Type: 'UpdateContactRecordingBehavior',
    Parameters: { RecordingBehavior: { RecordedParticipants: participants } },
    Transitions: { NextAction: next, Errors: [{ ErrorType: 'NoMatchingError', NextAction: next }] },
  };
}

/** A flow of `actions` starting at `start`, with a `bye` action that hangs up. */
export function flowOf(start: string, actions: readonly object[]): Record<string, unknown> {
  return { Version: '2019-10-30', StartAction: start, Actions: [...actions, bye] };
}

/** Says `text` and hangs up. */
export function speakFlow(text: string): Record<string, unknown> {
  return flowOf('speak', [say('speak', text, 'bye')]);
}
