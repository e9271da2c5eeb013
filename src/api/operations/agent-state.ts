/**
 * PutUserStatus.
 *
 * LIMITATIONS: as on Connect, a status chosen while the agent handles a contact becomes the agent's next
 * status and applies once the contact (and its after-contact work) is over.
 */
import type { OperationHandler } from '../operation.js';

export const putUserStatus: OperationHandler = async (input, { services }) => {
  const i = input as { InstanceId: string; UserId: string; AgentStatusId: string };
  await services.agents.setStatus(i.InstanceId, i.UserId, i.AgentStatusId);
};
