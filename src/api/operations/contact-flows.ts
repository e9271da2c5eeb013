/**
 * CreateContactFlow, DescribeContactFlow, UpdateContactFlowContent, ListContactFlows.
 *
 * PUBLISHED content is compiled by the flow engine (docs/flows.md) and refused with every problem it
 * finds; SAVED content is stored as it is.
 */
import type { ContactFlowRecord } from '../../store/store.js';
import type { OperationHandler } from '../operation.js';
import { epochSeconds } from '../protocol.js';
import { finishPage, pageOf } from './pagination.js';

export const createContactFlow: OperationHandler = async (input, { services }) => {
  const i = input as {
    InstanceId: string;
    Name: string;
    Type: string;
    Description?: string;
    Content: string;
    Status?: string;
    Tags?: Record<string, string>;
  };
  const flow = await services.resources.createContactFlow(i.InstanceId, {
    name: i.Name,
    type: i.Type,
    content: i.Content,
    ...(i.Description !== undefined && { description: i.Description }),
    ...(i.Status !== undefined && { status: i.Status }),
    ...(i.Tags !== undefined && { tags: i.Tags }),
  });
  return { ContactFlowId: flow.id, ContactFlowArn: flow.arn, FlowContentSha256: flow.contentSha256 };
};

export const describeContactFlow: OperationHandler = async (input, { services, region }) => {
  const i = input as { InstanceId: string; ContactFlowId: string };
  const instance = await services.resources.requireInstance(i.InstanceId);
  const flow = await services.resources.requireFlow(instance.id, i.ContactFlowId);
  return {
    ContactFlow: {
      Arn: flow.arn,
      Id: flow.id,
      Name: flow.name,
      Type: flow.flowType,
      State: flow.state,
      Status: flow.status,
      ...(flow.description !== null && { Description: flow.description }),
      Content: flow.content,
      Tags: flow.tags,
      FlowContentSha256: flow.contentSha256,
      Version: flow.version,
      LastModifiedTime: epochSeconds(flow.lastModifiedAt),
      LastModifiedRegion: region,
    },
  };
};

export const updateContactFlowContent: OperationHandler = async (input, { services }) => {
  const i = input as { InstanceId: string; ContactFlowId: string; Content: string };
  await services.resources.updateContactFlowContent(i.InstanceId, i.ContactFlowId, i.Content);
};

export const listContactFlows: OperationHandler = async (input, { services }) => {
  const i = input as { InstanceId: string; ContactFlowTypes?: string[]; NextToken?: string; MaxResults?: number };
  const page = pageOf(i, 1000);
  const rows = await services.resources.listContactFlows(i.InstanceId, i.ContactFlowTypes ?? [], page);
  const { items, nextToken } = finishPage(rows, page.size);
  return {
    ContactFlowSummaryList: items.map((f: ContactFlowRecord) => ({
      Id: f.id,
      Arn: f.arn,
      Name: f.name,
      ContactFlowType: f.flowType,
      ContactFlowState: f.state,
      ContactFlowStatus: f.status,
    })),
    ...(nextToken !== undefined && { NextToken: nextToken }),
  };
};
