/** UpdateContactAttributes: `POST /contact/attributes`. Merges into the contact's attributes, live or ended. */
import type { OperationHandler } from '../operation.js';

export const updateContactAttributes: OperationHandler = async (input, { services }) => {
  const i = input as { InstanceId: string; InitialContactId: string; Attributes: Record<string, string> };
  await services.contacts.updateAttributes(i.InstanceId, i.InitialContactId, i.Attributes);
};
