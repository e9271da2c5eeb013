/**
 * CreateRoutingProfile, DescribeRoutingProfile, ListRoutingProfiles.
 *
 * Errors: InvalidRequestException, InvalidParameterException, DuplicateResourceException (a taken name),
 * ResourceNotFoundException (the instance, a queue of QueueConfigs or the default outbound queue),
 * LimitExceededException (quotas.routingProfilesPerInstance), ThrottlingException, InternalServiceException.
 *
 * LIMITATIONS:
 * - Only VOICE contacts are routed; CHAT, TASK and EMAIL queue configs and concurrencies are stored.
 * - ManualAssignmentQueueConfigs and MediaConcurrencies' WorkloadTypeConcurrencies are not supported:
 *   the first is ignored, and a concurrency without `Concurrency` is InvalidParameterException.
 * - DescribeRoutingProfile leaves out NumberOfAssociatedUsers; IsDefault is always false.
 */
import type { RoutingProfileRecord } from '../../store/store.js';
import type { OperationHandler } from '../operation.js';
import { epochSeconds } from '../protocol.js';
import { finishPage, pageOf } from './pagination.js';

interface MediaConcurrencyWire {
  Channel: string;
  Concurrency?: number;
  CrossChannelBehavior?: { BehaviorType: string };
}

export const createRoutingProfile: OperationHandler = async (input, { services }) => {
  const i = input as {
    InstanceId: string;
    Name: string;
    Description: string;
    DefaultOutboundQueueId: string;
    QueueConfigs?: { QueueReference: { QueueId: string; Channel: string }; Priority: number; Delay: number }[];
    MediaConcurrencies: MediaConcurrencyWire[];
    AgentAvailabilityTimer?: string;
    Tags?: Record<string, string>;
  };
  const profile = await services.users.createRoutingProfile(i.InstanceId, {
    name: i.Name,
    description: i.Description,
    defaultOutboundQueueId: i.DefaultOutboundQueueId,
    queueConfigs: (i.QueueConfigs ?? []).map((q) => ({
      queueId: q.QueueReference.QueueId,
      channel: q.QueueReference.Channel,
      priority: q.Priority,
      delaySeconds: q.Delay,
    })),
    mediaConcurrencies: i.MediaConcurrencies.map((m) => ({
      channel: m.Channel,
      ...(m.Concurrency !== undefined && { concurrency: m.Concurrency }),
      ...(m.CrossChannelBehavior !== undefined && { crossChannelBehavior: { behaviorType: m.CrossChannelBehavior.BehaviorType } }),
    })),
    ...(i.AgentAvailabilityTimer !== undefined && { agentAvailabilityTimer: i.AgentAvailabilityTimer }),
    ...(i.Tags !== undefined && { tags: i.Tags }),
  });
  return { RoutingProfileArn: profile.arn, RoutingProfileId: profile.id };
};

export const describeRoutingProfile: OperationHandler = async (input, { services, region }) => {
  const i = input as { InstanceId: string; RoutingProfileId: string };
  const instance = await services.users.requireInstance(i.InstanceId);
  const p = await services.users.requireRoutingProfile(instance.id, i.RoutingProfileId);
  const queueIds = [...new Set(p.queues.map((q) => q.queueId))];
  return {
    RoutingProfile: {
      InstanceId: p.instanceId,
      Name: p.name,
      RoutingProfileArn: p.arn,
      RoutingProfileId: p.id,
      Description: p.description,
      MediaConcurrencies: p.mediaConcurrencies.map(
        (m): MediaConcurrencyWire => ({
          Channel: m.channel,
          Concurrency: m.concurrency,
          ...(m.crossChannelBehavior !== undefined && { CrossChannelBehavior: { BehaviorType: m.crossChannelBehavior.behaviorType } }),
        }),
      ),
      DefaultOutboundQueueId: p.defaultOutboundQueueId,
      Tags: p.tags,
      NumberOfAssociatedQueues: queueIds.length,
      ...(p.agentAvailabilityTimer !== null && { AgentAvailabilityTimer: p.agentAvailabilityTimer }),
      LastModifiedTime: epochSeconds(p.lastModifiedAt),
      LastModifiedRegion: region,
      IsDefault: false,
      AssociatedQueueIds: queueIds,
    },
  };
};

export const listRoutingProfiles: OperationHandler = async (input, { services, region }) => {
  const i = input as { InstanceId: string; NextToken?: string; MaxResults?: number };
  const page = pageOf(i, 1000);
  const { items, nextToken } = finishPage(await services.users.listRoutingProfiles(i.InstanceId, page), page.size);
  return {
    RoutingProfileSummaryList: items.map((p: RoutingProfileRecord) => ({
      Id: p.id,
      Arn: p.arn,
      Name: p.name,
      LastModifiedTime: epochSeconds(p.lastModifiedAt),
      LastModifiedRegion: region,
    })),
    ...(nextToken !== undefined && { NextToken: nextToken }),
  };
};
