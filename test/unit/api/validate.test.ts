import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { InvalidParameterException, InvalidRequestException } from '../../../src/api/errors.js';
import { operations } from '../../../src/api/model/shapes.generated.js';
import type { OperationModel, ShapeModel } from '../../../src/api/model/types.js';
import { validateInput, validationException } from '../../../src/api/model/validate.js';

const INSTANCE_ID = '11111111-2222-3333-4444-555555555555';
const FLOW_ID = '66666666-7777-8888-9999-000000000000';
const E164 = '^\\+[1-9]\\d{1,14}$';

function outboundCall(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { InstanceId: INSTANCE_ID, ContactFlowId: FLOW_ID, DestinationPhoneNumber: '+14155550100', ...overrides };
}

/** The exception validateInput throws for `input`; fails the test if it accepts it. */
function rejection(operation: OperationModel, input: Record<string, unknown>): Error {
  try {
    validateInput(operation, input);
  } catch (error) {
    assert.ok(error instanceof Error);
    return error;
  }
  assert.fail('expected the input to be rejected');
}

/** The message for an input expected to break exactly one constraint. */
function oneViolation(operation: OperationModel, input: Record<string, unknown>): string {
  const { message } = rejection(operation, input);
  const prefix = '1 validation error detected: ';
  assert.ok(message.startsWith(prefix), message);
  return message.slice(prefix.length);
}

describe('validateInput', () => {
  describe('StartOutboundVoiceContact', () => {
    const op = operations.StartOutboundVoiceContact;

    it('accepts a request that sets every member validly', () => {
      validateInput(
        op,
        outboundCall({
          Name: 'Reminder call',
          Description: 'Appointment reminder',
          References: { ticket: { Type: 'URL', Value: 'https://example.com/t/1', Status: 'AVAILABLE' } },
          RelatedContactId: 'c-1',
          ClientToken: 'token-1',
          SourcePhoneNumber: '+442071838750',
          QueueId: 'queue-1',
          Attributes: { customerId: '42', note: '' },
          AnswerMachineDetectionConfig: { EnableAnswerMachineDetection: true, AwaitAnswerMachinePrompt: false },
          CampaignId: 'campaign-1',
          TrafficType: 'CAMPAIGN',
          OutboundStrategy: {
            Type: 'AGENT_FIRST',
            Config: {
              AgentFirst: {
                Preview: { PostAcceptTimeoutConfig: { DurationInSeconds: 30 }, AllowedUserActions: ['CALL', 'DISCARD'] },
              },
            },
          },
          RingTimeoutInSeconds: 30,
        }),
      );
    });

    it('rejects a destination that is not E.164 with InvalidParameterException and the corrected pattern', () => {
      const error = rejection(op, outboundCall({ DestinationPhoneNumber: '14155550100' }));
      assert.ok(error instanceof InvalidParameterException);
      assert.equal(
        error.message,
        `1 validation error detected: Value '14155550100' at 'destinationPhoneNumber' failed to satisfy constraint: ` +
          `Member must satisfy regular expression pattern: ${E164}`,
      );
    });

    it('rejects trailing characters and a leading zero in an E.164 number', () => {
      assert.match(oneViolation(op, outboundCall({ DestinationPhoneNumber: '+14155550100 ext 2' })), /pattern/);
      assert.match(oneViolation(op, outboundCall({ DestinationPhoneNumber: '+04155550100' })), /pattern/);
      assert.match(oneViolation(op, outboundCall({ DestinationPhoneNumber: '+1234567890123456' })), /pattern/);
    });

    it('rejects a ring timeout below 15 seconds', () => {
      assert.equal(
        oneViolation(op, outboundCall({ RingTimeoutInSeconds: 5 })),
        "Value '5' at 'ringTimeoutInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 15",
      );
    });

    it('rejects a ring timeout above 60 seconds', () => {
      assert.equal(
        oneViolation(op, outboundCall({ RingTimeoutInSeconds: 61 })),
        "Value '61' at 'ringTimeoutInSeconds' failed to satisfy constraint: Member must have value less than or equal to 60",
      );
    });

    it('accepts ring timeouts on both bounds', () => {
      validateInput(op, outboundCall({ RingTimeoutInSeconds: 15 }));
      validateInput(op, outboundCall({ RingTimeoutInSeconds: 60 }));
    });

    it('rejects a fractional ring timeout as the wrong type', () => {
      assert.equal(
        oneViolation(op, outboundCall({ RingTimeoutInSeconds: 20.5 })),
        "Value '20.5' at 'ringTimeoutInSeconds' failed to satisfy constraint: Member must be of type integer",
      );
    });

    it('reports a missing InstanceId as null', () => {
      const { InstanceId: _omitted, ...input } = outboundCall();
      assert.equal(
        oneViolation(op, input),
        "Value null at 'instanceId' failed to satisfy constraint: Member must not be null",
      );
    });

    it('treats an explicit null required member as missing', () => {
      assert.match(oneViolation(op, outboundCall({ InstanceId: null })), /^Value null at 'instanceId'/);
    });

    it('lists every violation, counted, in model member order', () => {
      const { message } = rejection(op, { ContactFlowId: FLOW_ID, DestinationPhoneNumber: '555' });
      assert.equal(
        message,
        '2 validation errors detected: ' +
          "Value '555' at 'destinationPhoneNumber' failed to satisfy constraint: " +
          `Member must satisfy regular expression pattern: ${E164}; ` +
          "Value null at 'instanceId' failed to satisfy constraint: Member must not be null",
      );
    });

    it('rejects a Name over 1024 characters without echoing the sensitive value', () => {
      const message = oneViolation(op, outboundCall({ Name: 'n'.repeat(1025) }));
      assert.equal(
        message,
        "Value '***' at 'name' failed to satisfy constraint: Member must have length less than or equal to 1024",
      );
    });

    it('counts string length in code points, not UTF-16 units', () => {
      const emoji = '\u{1F4DE}';
      validateInput(op, outboundCall({ Name: emoji.repeat(1024) }));
      assert.match(oneViolation(op, outboundCall({ Name: emoji.repeat(1025) })), /less than or equal to 1024/);
    });

    it('rejects an unknown TrafficType listing the allowed values', () => {
      assert.equal(
        oneViolation(op, outboundCall({ TrafficType: 'BULK' })),
        "Value 'BULK' at 'trafficType' failed to satisfy constraint: Member must satisfy enum value set: [GENERAL, CAMPAIGN]",
      );
    });

    it('rejects an empty attribute key as a map key violation', () => {
      assert.equal(
        oneViolation(op, outboundCall({ Attributes: { '': 'x' } })),
        "Value '' at 'attributes' failed to satisfy constraint: " +
          'Map keys must satisfy constraint: [Member must have length greater than or equal to 1]',
      );
    });

    it('names a bad attribute value by its key', () => {
      assert.equal(
        oneViolation(op, outboundCall({ Attributes: { tier: 3 } })),
        "Value '3' at 'attributes.tier' failed to satisfy constraint: Member must be of type string",
      );
    });

    it('rejects a null attribute value because maps are not sparse', () => {
      assert.match(oneViolation(op, outboundCall({ Attributes: { tier: null } })), /^Value null at 'attributes.tier'/);
    });

    it('checks members of nested structures under a dotted camelCase path', () => {
      assert.equal(
        oneViolation(op, outboundCall({ AnswerMachineDetectionConfig: { EnableAnswerMachineDetection: 'yes' } })),
        "Value 'yes' at 'answerMachineDetectionConfig.enableAnswerMachineDetection' failed to satisfy constraint: " +
          'Member must be of type boolean',
      );
    });

    it('checks required members of structures inside map values', () => {
      assert.equal(
        oneViolation(op, outboundCall({ References: { ticket: { Value: 'x' } } })),
        "Value null at 'references.ticket.type' failed to satisfy constraint: Member must not be null",
      );
    });

    it('names list elements with their 1-based position, as Coral does', () => {
      const preview = { PostAcceptTimeoutConfig: { DurationInSeconds: 5 }, AllowedUserActions: ['CALL', 'SKIP'] };
      const input = outboundCall({ OutboundStrategy: { Type: 'AGENT_FIRST', Config: { AgentFirst: { Preview: preview } } } });
      assert.equal(
        oneViolation(op, input),
        "Value 'SKIP' at 'outboundStrategy.config.agentFirst.preview.allowedUserActions.2.member' " +
          'failed to satisfy constraint: Member must satisfy enum value set: [CALL, DISCARD]',
      );
    });

    it('rejects a structure member given as another JSON type', () => {
      assert.equal(
        oneViolation(op, outboundCall({ AnswerMachineDetectionConfig: [true] })),
        "Value '[true]' at 'answerMachineDetectionConfig' failed to satisfy constraint: Member must be of type structure",
      );
    });

    it('rejects an InstanceId given as a number', () => {
      assert.match(oneViolation(op, outboundCall({ InstanceId: 7 })), /at 'instanceId' .*Member must be of type string$/);
    });

    it('ignores members the model does not define', () => {
      validateInput(op, outboundCall({ Priority: 'high', instanceId: 5 }));
    });
  });

  describe('CreateInstance', () => {
    const op = operations.CreateInstance;
    const instance = { IdentityManagementType: 'CONNECT_MANAGED', InboundCallsEnabled: true, OutboundCallsEnabled: true };

    it('answers violations with InvalidRequestException because it models no InvalidParameterException', () => {
      const error = rejection(op, { ...instance, OutboundCallsEnabled: undefined });
      assert.ok(error instanceof InvalidRequestException);
      assert.match(error.message, /^1 validation error detected: Value null at 'outboundCallsEnabled'/);
    });

    it('masks a sensitive InstanceAlias that fails its pattern', () => {
      assert.equal(
        oneViolation(op, { ...instance, InstanceAlias: 'd-secret' }),
        "Value '***' at 'instanceAlias' failed to satisfy constraint: " +
          'Member must satisfy regular expression pattern: ^(?!d-)([\\da-zA-Z]+)([-]*[\\da-zA-Z])*$',
      );
    });

    it('reports each failed constraint of one value separately', () => {
      const { message } = rejection(op, { ...instance, DirectoryId: 'd-12' });
      assert.equal(
        message,
        '2 validation errors detected: ' +
          "Value 'd-12' at 'directoryId' failed to satisfy constraint: Member must have length greater than or equal to 12; " +
          "Value 'd-12' at 'directoryId' failed to satisfy constraint: Member must satisfy regular expression pattern: " +
          '^d-[0-9a-f]{10}$',
      );
    });

    it('does not match the pattern of a value already over its maximum length', () => {
      assert.equal(
        oneViolation(op, { ...instance, InstanceAlias: `${'a'.repeat(20_000)}!` }),
        "Value '***' at 'instanceAlias' failed to satisfy constraint: Member must have length less than or equal to 45",
      );
    });

    it('rejects an empty tag map', () => {
      assert.equal(
        oneViolation(op, { ...instance, Tags: {} }),
        "Value '{}' at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1",
      );
    });
  });

  describe('ClaimPhoneNumber', () => {
    const op = operations.ClaimPhoneNumber;

    it('rejects a phone number that is not E.164', () => {
      const error = rejection(op, { PhoneNumber: '+1 415 555 0100' });
      assert.ok(error instanceof InvalidParameterException);
      assert.match(error.message, /at 'phoneNumber' failed to satisfy constraint: Member must satisfy regular expression/);
    });

    it('rejects tag keys in the reserved aws: namespace', () => {
      assert.match(
        oneViolation(op, { PhoneNumber: '+14155550100', Tags: { 'aws:owner': 'me' } }),
        /^Value 'aws:owner' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: \[Member must satisfy regular expression pattern: /,
      );
    });

    it('accepts tag keys with non-Latin letters through the \\p{L} class', () => {
      validateInput(op, { PhoneNumber: '+14155550100', Tags: { 'équipe': 'ventes', '部門': '営業' } });
    });
  });

  describe('ListPhoneNumbersV2', () => {
    const op = operations.ListPhoneNumbersV2;

    it('accepts a phone number prefix with and without the plus sign', () => {
      validateInput(op, { PhoneNumberPrefix: '+44' });
      validateInput(op, { PhoneNumberPrefix: '1800' });
    });

    it('rejects a prefix without any digit', () => {
      assert.match(oneViolation(op, { PhoneNumberPrefix: '+' }), /^Value '\+' at 'phoneNumberPrefix'/);
    });
  });

  describe('ListContactFlows', () => {
    const op = operations.ListContactFlows;

    it('rejects maxResults below 1 and above 1000', () => {
      assert.equal(
        oneViolation(op, { InstanceId: INSTANCE_ID, MaxResults: 0 }),
        "Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
      );
      assert.equal(
        oneViolation(op, { InstanceId: INSTANCE_ID, MaxResults: 1001 }),
        "Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000",
      );
    });

    it('rejects more than 10 contact flow types', () => {
      const types = Array.from({ length: 11 }, () => 'CONTACT_FLOW');
      assert.match(
        oneViolation(op, { InstanceId: INSTANCE_ID, ContactFlowTypes: types }),
        /^Value '\["CONTACT_FLOW",.*…' at 'contactFlowTypes' failed to satisfy constraint: Member must have length less than or equal to 10$/,
      );
    });

    it('rejects a null list element', () => {
      assert.equal(
        oneViolation(op, { InstanceId: INSTANCE_ID, ContactFlowTypes: ['CONTACT_FLOW', null] }),
        "Value null at 'contactFlowTypes.2.member' failed to satisfy constraint: Member must not be null",
      );
    });
  });

  describe('CreateHoursOfOperation', () => {
    it('checks integer ranges inside list elements', () => {
      const config = [{ Day: 'MONDAY', StartTime: { Hours: 24, Minutes: 0 }, EndTime: { Hours: 17, Minutes: 0 } }];
      assert.equal(
        oneViolation(operations.CreateHoursOfOperation, {
          InstanceId: INSTANCE_ID,
          Name: 'Office',
          TimeZone: 'Europe/London',
          Config: config,
        }),
        "Value '24' at 'config.1.member.startTime.hours' failed to satisfy constraint: " +
          'Member must have value less than or equal to 23',
      );
    });
  });

  describe('with shapes the Connect operations do not use', () => {
    const table: Readonly<Record<string, ShapeModel>> = {
      Input: {
        type: 'structure',
        members: {
          Choice: { target: 'Choice' },
          At: { target: 'At' },
          Ratio: { target: 'Ratio' },
          Secrets: { target: 'Secrets' },
        },
      },
      Choice: { type: 'structure', members: { A: { target: 'Text' }, B: { target: 'Ratio' } }, union: true },
      At: { type: 'timestamp' },
      Ratio: { type: 'double', min: 0, max: 1 },
      Secrets: { type: 'list', member: 'Secret', max: 1 },
      Secret: { type: 'string', sensitive: true },
      Text: { type: 'string' },
    };
    const op: OperationModel = {
      name: 'Synthetic',
      http: { method: 'POST', requestUri: '/synthetic', responseCode: 200 },
      input: 'Input',
      errors: ['InvalidParameterException'],
    };
    const violationOf = (input: Record<string, unknown>): string => {
      try {
        validateInput(op, input, table);
      } catch (error) {
        assert.ok(error instanceof InvalidParameterException);
        return error.message.replace(/^1 validation error detected: /, '');
      }
      assert.fail('expected the input to be rejected');
    };

    it('accepts a union with exactly one member set', () => {
      validateInput(op, { Choice: { A: 'a' } }, table);
      validateInput(op, { Choice: { A: null, B: 0.5 } }, table);
    });

    it('rejects a union with no member or two members set', () => {
      assert.equal(
        violationOf({ Choice: {} }),
        "Value '{}' at 'choice' failed to satisfy constraint: Member must have exactly one member set",
      );
      assert.match(violationOf({ Choice: { A: 'a', B: 0.5 } }), /at 'choice' .*exactly one member set$/);
    });

    it('accepts epoch seconds for a timestamp and rejects a date string', () => {
      validateInput(op, { At: 1_700_000_000.5 }, table);
      assert.match(violationOf({ At: '2024-01-01T00:00:00Z' }), /at 'at' .*Member must be of type timestamp$/);
    });

    it('accepts fractional doubles within range and rejects ones outside it', () => {
      validateInput(op, { Ratio: 0.25 }, table);
      assert.match(violationOf({ Ratio: 1.5 }), /Member must have value less than or equal to 1$/);
    });

    it('masks a list that holds sensitive strings', () => {
      assert.equal(
        violationOf({ Secrets: ['p1', 'p2'] }),
        "Value '***' at 'secrets' failed to satisfy constraint: Member must have length less than or equal to 1",
      );
    });
  });
});

describe('validationException', () => {
  it('chooses InvalidParameterException when the operation models it', () => {
    assert.ok(validationException(operations.StartOutboundVoiceContact, 'm') instanceof InvalidParameterException);
    assert.ok(validationException(operations.ListPhoneNumbersV2, 'm') instanceof InvalidParameterException);
  });

  it('falls back to InvalidRequestException otherwise', () => {
    const error = validationException(operations.ListInstances, 'bad input');
    assert.ok(error instanceof InvalidRequestException);
    assert.equal(error.message, 'bad input');
  });
});

describe('validateInput on hostile input', () => {
  const sovc = operations.StartOutboundVoiceContact;

  it('returns a copy without members the model does not define, at every depth', () => {
    const input = outboundCall({
      Unmodeled: 'x',
      References: { ticket: { Type: 'URL', Value: 'https://example.com/1', Extra: { deep: true } } },
      AnswerMachineDetectionConfig: { EnableAnswerMachineDetection: false, Surprise: 1 },
    });
    const valid = validateInput(sovc, input);
    assert.equal('Unmodeled' in valid, false);
    assert.deepEqual(valid.References, { ticket: { Type: 'URL', Value: 'https://example.com/1' } });
    assert.deepEqual(valid.AnswerMachineDetectionConfig, { EnableAnswerMachineDetection: false });
  });

  it('cuts a long rejected value short in the message', () => {
    const message = oneViolation(sovc, outboundCall({ Name: 'n'.repeat(5000) }));
    assert.ok(message.length < 300, `message has ${message.length} characters`);
    assert.match(message, /^Value '\*\*\*' at 'name'|^Value 'n{100}…' at 'name'/);
  });

  it('rejects a value nested too deep to print with a validation error, not a crash', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    assert.throws(() => validateInput(sovc, outboundCall({ DestinationPhoneNumber: deep })), InvalidParameterException);
  });
});

