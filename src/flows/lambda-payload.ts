/** The event Connect sends to a Lambda function from a flow (the "ContactFlowEvent" shape). */
import type { LambdaPayload } from './types.js';
import type { Scope } from './values.js';

export function lambdaPayload({ state, context }: Scope, parameters: Readonly<Record<string, string>>): LambdaPayload {
  const { contact } = context;
  const queue = state.targetQueueId === null ? undefined : context.queue(state.targetQueueId);
  return {
    Name: 'ContactFlowEvent',
    Details: {
      ContactData: {
        Attributes: state.attributes,
        Channel: 'VOICE',
        ContactId: contact.contactId,
        CustomerEndpoint: { Address: contact.customerAddress, Type: 'TELEPHONE_NUMBER' },
        Description: contact.description ?? null,
        InitialContactId: contact.initialContactId,
        InitiationMethod: 'OUTBOUND',
        InstanceARN: contact.instanceArn,
        Name: contact.name ?? null,
        PreviousContactId: contact.initialContactId,
        Queue: queue === undefined ? null : { ARN: queue.arn, Name: queue.name },
        References: contact.references ?? {},
        SystemEndpoint: { Address: contact.systemAddress, Type: 'TELEPHONE_NUMBER' },
      },
      Parameters: parameters,
    },
  };
}
