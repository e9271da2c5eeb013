/**
 * CreateHoursOfOperation: `PUT /hours-of-operations/{InstanceId}`.
 *
 * LIMITATIONS: ParentHoursOfOperationConfigs (hours inheritance) are accepted and ignored.
 */
import type { OperationHandler } from '../operation.js';

export const createHoursOfOperation: OperationHandler = async (input, { services }) => {
  const i = input as {
    InstanceId: string;
    Name: string;
    Description?: string;
    TimeZone: string;
    Config: unknown[];
    Tags?: Record<string, string>;
  };
  const hours = await services.resources.createHoursOfOperation(i.InstanceId, {
    name: i.Name,
    timeZone: i.TimeZone,
    config: i.Config,
    ...(i.Description !== undefined && { description: i.Description }),
    ...(i.Tags !== undefined && { tags: i.Tags }),
  });
  return { HoursOfOperationId: hours.id, HoursOfOperationArn: hours.arn };
};
