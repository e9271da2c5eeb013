/**
 * StopContact: `POST /contact/stop`. Ends a live contact (hanging up or cancelling its call);
 * ContactNotFoundException once it has ended.
 *
 * LIMITATIONS: DisconnectReason.Code is recorded as given; Connect reserves it for outbound campaigns.
 */
import type { OperationHandler } from '../operation.js';

export const stopContact: OperationHandler = async (input, { services }) => {
  const i = input as { InstanceId: string; ContactId: string; DisconnectReason?: { Code?: string } };
  await services.contacts.stop(i.InstanceId, i.ContactId, i.DisconnectReason?.Code);
};
