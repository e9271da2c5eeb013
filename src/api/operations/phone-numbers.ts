/**
 * ClaimPhoneNumber, ListPhoneNumbers, ListPhoneNumbersV2.
 *
 * LIMITATIONS:
 * - Any E.164 number can be claimed (there is no inventory to search); it must not be claimed already,
 *   except that claiming a number the same instance holds returns it again, so retried claims are safe.
 * - Traffic distribution groups are not modeled: TargetArn must be an instance ARN.
 */
import type { PhoneNumberRecord } from '../../store/store.js';
import { InvalidParameterException } from '../errors.js';
import type { OperationHandler } from '../operation.js';
import { finishPage, pageOf } from './pagination.js';

export const claimPhoneNumber: OperationHandler = async (input, { services }) => {
  const i = input as {
    TargetArn?: string;
    InstanceId?: string;
    PhoneNumber: string;
    PhoneNumberDescription?: string;
    Tags?: Record<string, string>;
  };
  const target = i.InstanceId ?? i.TargetArn;
  if (target === undefined) throw new InvalidParameterException('Either TargetArn or InstanceId must be provided.');
  const number = await services.resources.claimPhoneNumber({
    instanceId: target,
    phoneNumber: i.PhoneNumber,
    ...(i.PhoneNumberDescription !== undefined && { description: i.PhoneNumberDescription }),
    ...(i.Tags !== undefined && { tags: i.Tags }),
  });
  return { PhoneNumberId: number.id, PhoneNumberArn: number.arn };
};

interface ListInput {
  InstanceId?: string;
  TargetArn?: string;
  PhoneNumberTypes?: string[];
  PhoneNumberCountryCodes?: string[];
  PhoneNumberPrefix?: string;
  NextToken?: string;
  MaxResults?: number;
}

async function list(i: ListInput, services: Parameters<OperationHandler>[1]['services']) {
  const target = i.InstanceId ?? i.TargetArn;
  const instanceId = target === undefined ? undefined : (await services.resources.requireInstance(target)).id;
  const page = pageOf(i, 1000);
  const rows = await services.resources.listPhoneNumbers(
    {
      ...(instanceId !== undefined && { instanceId }),
      ...(i.PhoneNumberTypes !== undefined && { types: i.PhoneNumberTypes }),
      ...(i.PhoneNumberCountryCodes !== undefined && { countryCodes: i.PhoneNumberCountryCodes }),
      ...(i.PhoneNumberPrefix !== undefined && {
        prefix: i.PhoneNumberPrefix.startsWith('+') ? i.PhoneNumberPrefix : `+${i.PhoneNumberPrefix}`,
      }),
    },
    page,
  );
  return finishPage(rows, page.size);
}

export const listPhoneNumbers: OperationHandler = async (input, { services }) => {
  const { items, nextToken } = await list(input, services);
  return {
    PhoneNumberSummaryList: items.map((n: PhoneNumberRecord) => ({
      Id: n.id,
      Arn: n.arn,
      PhoneNumber: n.phoneNumber,
      PhoneNumberType: n.numberType,
      PhoneNumberCountryCode: n.countryCode,
    })),
    ...(nextToken !== undefined && { NextToken: nextToken }),
  };
};

export const listPhoneNumbersV2: OperationHandler = async (input, { services }) => {
  const { items, nextToken } = await list(input, services);
  const instanceArns = new Map<string, string>();
  for (const n of items) {
    if (!instanceArns.has(n.instanceId)) instanceArns.set(n.instanceId, (await services.resources.requireInstance(n.instanceId)).arn);
  }
  return {
    ListPhoneNumbersSummaryList: items.map((n) => ({
      PhoneNumberId: n.id,
      PhoneNumberArn: n.arn,
      PhoneNumber: n.phoneNumber,
      PhoneNumberCountryCode: n.countryCode,
      PhoneNumberType: n.numberType,
      TargetArn: instanceArns.get(n.instanceId),
      InstanceId: n.instanceId,
      ...(n.description !== null && { PhoneNumberDescription: n.description }),
    })),
    ...(nextToken !== undefined && { NextToken: nextToken }),
  };
};
