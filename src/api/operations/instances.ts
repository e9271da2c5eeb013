/**
 * CreateInstance, DescribeInstance, ListInstances, UpdateInstanceAttribute.
 *
 * LIMITATIONS:
 * - CreateInstance completes at once: the instance is ACTIVE in its response, never CREATION_IN_PROGRESS.
 *   Its ClientToken is honoured without expiry: a retry returns the instance the first attempt made.
 * - Directories are not modeled: DirectoryId is recorded, not checked against a directory service.
 * - UpdateInstanceAttribute acts on INBOUND_CALLS and OUTBOUND_CALLS; other attribute types are stored.
 */
import type { InstanceRecord } from '../../store/store.js';
import { InvalidRequestException } from '../errors.js';
import type { OperationHandler } from '../operation.js';
import { epochSeconds } from '../protocol.js';
import { finishPage, pageOf } from './pagination.js';

export const createInstance: OperationHandler = async (input, { services }) => {
  const i = input as {
    IdentityManagementType: string;
    InstanceAlias?: string;
    DirectoryId?: string;
    InboundCallsEnabled: boolean;
    OutboundCallsEnabled: boolean;
    Tags?: Record<string, string>;
    ClientToken?: string;
  };
  if (i.IdentityManagementType === 'EXISTING_DIRECTORY' && i.DirectoryId === undefined) {
    throw new InvalidRequestException('DirectoryId is required when IdentityManagementType is EXISTING_DIRECTORY.');
  }
  if (i.IdentityManagementType !== 'EXISTING_DIRECTORY' && i.InstanceAlias === undefined) {
    throw new InvalidRequestException(`InstanceAlias is required when IdentityManagementType is ${i.IdentityManagementType}.`);
  }
  const instance = await services.resources.createInstance(
    {
      identityManagementType: i.IdentityManagementType,
      ...(i.InstanceAlias !== undefined && { alias: i.InstanceAlias }),
      ...(i.DirectoryId !== undefined && { directoryId: i.DirectoryId }),
      inboundCallsEnabled: i.InboundCallsEnabled,
      outboundCallsEnabled: i.OutboundCallsEnabled,
      ...(i.Tags !== undefined && { tags: i.Tags }),
      ...(i.ClientToken !== undefined && { clientToken: i.ClientToken }),
    },
    InvalidRequestException,
  );
  return { Id: instance.id, Arn: instance.arn };
};

export const describeInstance: OperationHandler = async (input, { services }) => {
  const i = input as { InstanceId: string };
  const instance = await services.resources.requireInstance(i.InstanceId);
  return { Instance: { ...summaryOf(instance), Tags: instance.tags } };
};

export const listInstances: OperationHandler = async (input, { services }) => {
  const page = pageOf(input, 10, InvalidRequestException);
  const { items, nextToken } = finishPage(await services.resources.listInstances(page), page.size);
  return { InstanceSummaryList: items.map(summaryOf), ...(nextToken !== undefined && { NextToken: nextToken }) };
};

export const updateInstanceAttribute: OperationHandler = async (input, { services }) => {
  const i = input as { InstanceId: string; AttributeType: string; Value: string };
  await services.resources.updateInstanceAttribute(i.InstanceId, i.AttributeType, i.Value);
};

function summaryOf(instance: InstanceRecord): Record<string, unknown> {
  return {
    Id: instance.id,
    Arn: instance.arn,
    IdentityManagementType: instance.identityManagementType,
    ...(instance.alias !== null && { InstanceAlias: instance.alias }),
    CreatedTime: epochSeconds(instance.createdAt),
    InstanceStatus: instance.status,
    InboundCallsEnabled: instance.inboundCallsEnabled,
    OutboundCallsEnabled: instance.outboundCallsEnabled,
    ...(instance.alias !== null && { InstanceAccessUrl: `http://localhost/${instance.alias}` }),
  };
}
