/**
 * ListAgentStatuses.
 *
 * Errors: InvalidRequestException, InvalidParameterException, ResourceNotFoundException (the instance),
 * ThrottlingException, InternalServiceException.
 *
 * LIMITATIONS: every instance has Connect's two default statuses, "Available" (ROUTABLE) and "Offline"
 * (OFFLINE); statuses cannot be created or changed through the API yet (no CreateAgentStatus).
 */
import type { AgentStatusRecord, AgentStatusType } from '../../store/store.js';
import type { OperationHandler } from '../operation.js';
import { epochSeconds } from '../protocol.js';
import { finishPage, pageOf } from './pagination.js';

export const listAgentStatuses: OperationHandler = async (input, { services, region }) => {
  const i = input as { InstanceId: string; AgentStatusTypes?: AgentStatusType[]; NextToken?: string; MaxResults?: number };
  const page = pageOf(i, 1000);
  const statuses = await services.users.listAgentStatuses(i.InstanceId, i.AgentStatusTypes ?? [], page);
  const { items, nextToken } = finishPage(statuses, page.size);
  return {
    AgentStatusSummaryList: items.map((s: AgentStatusRecord) => ({
      Id: s.id,
      Arn: s.arn,
      Name: s.name,
      Type: s.type,
      LastModifiedTime: epochSeconds(s.lastModifiedAt),
      LastModifiedRegion: region,
    })),
    ...(nextToken !== undefined && { NextToken: nextToken }),
  };
};
