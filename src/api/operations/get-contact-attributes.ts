/** GetContactAttributes: `GET /contact/attributes/{InstanceId}/{InitialContactId}`. */
import type { OperationHandler } from '../operation.js';

export const getContactAttributes: OperationHandler = async (input, { services }) => {
  const i = input as { InstanceId: string; InitialContactId: string };
  return { Attributes: await services.contacts.getAttributes(i.InstanceId, i.InitialContactId) };
};
