/**
 * GetCurrentUserData and GetCurrentMetricData: the real-time view of agents and queues.
 *
 * LIMITATIONS: VOICE is the only channel (Channels filters without VOICE match nothing); hierarchy groups,
 * routing step expressions, agent-status and subtype dimensions are accepted and ignored; SortCriteria is
 * ignored (results come in queue, then routing-profile order); CONTACTS_SCHEDULED is always 0; metrics are
 * named (Name), not given by MetricId. OLDEST_CONTACT_AGE is computed in whole seconds.
 */
import type { AgentStatusRecord } from '../../store/store.js';
import { CURRENT_METRIC_NAMES, type CurrentMetricName, type MetricGrouping } from '../../services/agent-service.js';
import { InvalidParameterException } from '../errors.js';
import type { OperationHandler } from '../operation.js';
import { decodeNextToken, encodeNextToken, epochSeconds } from '../protocol.js';

const DEFAULT_PAGE = 100;

/** An offset-based page of an answer computed whole. */
function page<T>(all: readonly T[], input: { NextToken?: string; MaxResults?: number }): { items: T[]; NextToken?: string } {
  let start = 0;
  if (input.NextToken !== undefined) {
    start = Number(decodeNextToken(input.NextToken));
    if (!Number.isInteger(start) || start < 0) throw new InvalidParameterException('The NextToken is not valid.');
  }
  const size = input.MaxResults ?? DEFAULT_PAGE;
  const items = all.slice(start, start + size);
  return { items, ...(start + size < all.length && { NextToken: encodeNextToken(String(start + size)) }) };
}

const statusReference = (status: AgentStatusRecord | undefined, since: number) =>
  status === undefined ? undefined : { StatusStartTimestamp: epochSeconds(since), StatusArn: status.arn, StatusName: status.name };

export const getCurrentUserData: OperationHandler = async (input, { services }) => {
  const i = input as {
    InstanceId: string;
    Filters: { Queues?: string[]; RoutingProfiles?: string[]; Agents?: string[]; ContactFilter?: { ContactStates?: string[] } };
    NextToken?: string;
    MaxResults?: number;
  };
  const f = i.Filters;
  const data = await services.agents.currentUserData(i.InstanceId, {
    ...(f.Queues !== undefined && { queueIds: f.Queues }),
    ...(f.RoutingProfiles !== undefined && { routingProfileIds: f.RoutingProfiles }),
    ...(f.Agents !== undefined && { userIds: f.Agents }),
    ...(f.ContactFilter?.ContactStates !== undefined && { contactStates: f.ContactFilter.ContactStates }),
  });
  const { items, NextToken } = page(data, i);
  const instanceArn = (arn: string) => arn.slice(0, arn.lastIndexOf('/agent/'));
  return {
    UserDataList: items.map((d) => {
      const active = d.contact === undefined ? 0 : 1;
      return {
        User: { Id: d.user.id, Arn: d.user.arn },
        ...(d.routingProfile !== undefined && { RoutingProfile: { Id: d.routingProfile.id, Arn: d.routingProfile.arn } }),
        HierarchyPath: {},
        ...(statusReference(d.status, d.agent.statusSince) !== undefined && { Status: statusReference(d.status, d.agent.statusSince) }),
        AvailableSlotsByChannel: { VOICE: 1 - active },
        MaxSlotsByChannel: { VOICE: 1 },
        ActiveSlotsByChannel: { VOICE: active },
        Contacts:
          d.contact === undefined
            ? []
            : [
                {
                  ContactId: d.contact.record.id,
                  Channel: 'VOICE',
                  InitiationMethod: 'API',
                  AgentContactState: d.contact.state,
                  StateStartTimestamp: epochSeconds(d.contact.since),
                  ...(d.contact.record.agentConnectedAt !== null && {
                    ConnectedToAgentTimestamp: epochSeconds(d.contact.record.agentConnectedAt),
                  }),
                  ...(d.contact.record.queueId !== null && {
                    Queue: { Id: d.contact.record.queueId, Arn: `${instanceArn(d.user.arn)}/queue/${d.contact.record.queueId}` },
                  }),
                },
              ],
        ...(d.nextStatus !== undefined && { NextStatus: d.nextStatus.name }),
      };
    }),
    ApproximateTotalCount: data.length,
    ...(NextToken !== undefined && { NextToken }),
  };
};

export const getCurrentMetricData: OperationHandler = async (input, { services }) => {
  const i = input as {
    InstanceId: string;
    Filters: { Queues?: string[]; RoutingProfiles?: string[]; Channels?: string[] };
    Groupings?: string[];
    CurrentMetrics: { Name?: string; MetricId?: string; Unit?: string }[];
    NextToken?: string;
    MaxResults?: number;
  };
  const f = i.Filters;
  if ((f.Queues === undefined) === (f.RoutingProfiles === undefined)) {
    throw new InvalidParameterException('Filters must name either Queues or RoutingProfiles, not both.');
  }
  const groupings = (i.Groupings ?? []).filter((g): g is MetricGrouping => g === 'QUEUE' || g === 'CHANNEL' || g === 'ROUTING_PROFILE');
  const metrics = i.CurrentMetrics.map((m) => {
    if (m.Name === undefined || !CURRENT_METRIC_NAMES.includes(m.Name as CurrentMetricName)) {
      throw new InvalidParameterException(`CurrentMetrics: ${m.Name ?? m.MetricId ?? 'a metric'} is not a real-time metric outdial reports.`);
    }
    return m.Name as CurrentMetricName;
  });
  const { at, results } = await services.agents.currentMetricData(i.InstanceId, {
    ...(f.Queues !== undefined && { queueIds: f.Queues }),
    ...(f.RoutingProfiles !== undefined && { routingProfileIds: f.RoutingProfiles }),
    ...(f.Channels !== undefined && { channels: f.Channels }),
    groupings,
    metrics,
  });
  const { items, NextToken } = page(results, i);
  return {
    MetricResults: items.map((r) => ({
      Dimensions: {
        ...(r.dimensions.queue !== undefined && { Queue: { Id: r.dimensions.queue.id, Arn: r.dimensions.queue.arn } }),
        ...(r.dimensions.routingProfile !== undefined && {
          RoutingProfile: { Id: r.dimensions.routingProfile.id, Arn: r.dimensions.routingProfile.arn },
        }),
        ...(r.dimensions.channel !== undefined && { Channel: r.dimensions.channel }),
      },
      Collections: metrics.map((name) => ({
        Metric: { Name: name, Unit: name === 'OLDEST_CONTACT_AGE' ? 'SECONDS' : 'COUNT' },
        // As Connect documents: without groupings, OLDEST_CONTACT_AGE says SECONDS but counts milliseconds.
        Value: name === 'OLDEST_CONTACT_AGE' && groupings.length === 0 ? (r.values[name] ?? 0) * 1000 : (r.values[name] ?? 0),
      })),
    })),
    DataSnapshotTime: epochSeconds(at),
    ApproximateTotalCount: results.length,
    ...(NextToken !== undefined && { NextToken }),
  };
};
