/**
 * CreateQueue, DescribeQueue, ListQueues.
 *
 * LIMITATIONS: QuickConnectIds, OutboundEmailConfig and EmailAddressesConfig are accepted and ignored;
 * every queue is STANDARD.
 */
import type { QueueRecord } from '../../store/store.js';
import type { OperationHandler } from '../operation.js';
import { epochSeconds } from '../protocol.js';
import { finishPage, pageOf } from './pagination.js';

export const createQueue: OperationHandler = async (input, { services }) => {
  const i = input as {
    InstanceId: string;
    Name: string;
    Description?: string;
    HoursOfOperationId: string;
    MaxContacts?: number;
    OutboundCallerConfig?: { OutboundCallerIdName?: string; OutboundCallerIdNumberId?: string; OutboundFlowId?: string };
    Tags?: Record<string, string>;
  };
  const caller = i.OutboundCallerConfig;
  const queue = await services.resources.createQueue(i.InstanceId, {
    name: i.Name,
    hoursOfOperationId: i.HoursOfOperationId,
    ...(i.Description !== undefined && { description: i.Description }),
    ...(i.MaxContacts !== undefined && { maxContacts: i.MaxContacts }),
    ...(caller?.OutboundCallerIdName !== undefined && { outboundCallerIdName: caller.OutboundCallerIdName }),
    ...(caller?.OutboundCallerIdNumberId !== undefined && { outboundCallerIdNumberId: caller.OutboundCallerIdNumberId }),
    ...(caller?.OutboundFlowId !== undefined && { outboundFlowId: caller.OutboundFlowId }),
    ...(i.Tags !== undefined && { tags: i.Tags }),
  });
  return { QueueArn: queue.arn, QueueId: queue.id };
};

export const describeQueue: OperationHandler = async (input, { services, region }) => {
  const i = input as { InstanceId: string; QueueId: string };
  const instance = await services.resources.requireInstance(i.InstanceId);
  const q = await services.resources.requireQueue(instance.id, i.QueueId);
  return {
    Queue: {
      Name: q.name,
      QueueArn: q.arn,
      QueueId: q.id,
      ...(q.description !== null && { Description: q.description }),
      OutboundCallerConfig: {
        ...(q.outboundCallerIdName !== null && { OutboundCallerIdName: q.outboundCallerIdName }),
        ...(q.outboundCallerIdNumberId !== null && { OutboundCallerIdNumberId: q.outboundCallerIdNumberId }),
        ...(q.outboundFlowId !== null && { OutboundFlowId: q.outboundFlowId }),
      },
      HoursOfOperationId: q.hoursOfOperationId,
      ...(q.maxContacts !== null && { MaxContacts: q.maxContacts }),
      Status: q.status,
      Tags: q.tags,
      LastModifiedTime: epochSeconds(q.lastModifiedAt),
      LastModifiedRegion: region,
    },
  };
};

export const listQueues: OperationHandler = async (input, { services, region }) => {
  const i = input as { InstanceId: string; QueueTypes?: string[]; NextToken?: string; MaxResults?: number };
  const page = pageOf(i, 1000);
  const { items, nextToken } = finishPage(await services.resources.listQueues(i.InstanceId, i.QueueTypes ?? [], page), page.size);
  return {
    QueueSummaryList: items.map((q: QueueRecord) => ({
      Id: q.id,
      Arn: q.arn,
      Name: q.name,
      QueueType: 'STANDARD',
      LastModifiedTime: epochSeconds(q.lastModifiedAt),
      LastModifiedRegion: region,
    })),
    ...(nextToken !== undefined && { NextToken: nextToken }),
  };
};
