/** ARNs in AWS form, and parsing of "id or ARN" inputs. */

export interface ArnContext {
  readonly region: string;
  readonly accountId: string;
}

const prefix = (ctx: ArnContext) => `arn:aws:connect:${ctx.region}:${ctx.accountId}`;

export const arns = {
  instance: (ctx: ArnContext, id: string) => `${prefix(ctx)}:instance/${id}`,
  contactFlow: (ctx: ArnContext, instanceId: string, id: string) => `${prefix(ctx)}:instance/${instanceId}/contact-flow/${id}`,
  queue: (ctx: ArnContext, instanceId: string, id: string) => `${prefix(ctx)}:instance/${instanceId}/queue/${id}`,
  hoursOfOperation: (ctx: ArnContext, instanceId: string, id: string) =>
    `${prefix(ctx)}:instance/${instanceId}/operating-hours/${id}`,
  contact: (ctx: ArnContext, instanceId: string, id: string) => `${prefix(ctx)}:instance/${instanceId}/contact/${id}`,
  phoneNumber: (ctx: ArnContext, id: string) => `${prefix(ctx)}:phone-number/${id}`,
  routingProfile: (ctx: ArnContext, instanceId: string, id: string) =>
    `${prefix(ctx)}:instance/${instanceId}/routing-profile/${id}`,
  /** Users are agents in ARNs: `…/agent/<userId>`. */
  user: (ctx: ArnContext, instanceId: string, id: string) => `${prefix(ctx)}:instance/${instanceId}/agent/${id}`,
  agentStatus: (ctx: ArnContext, instanceId: string, id: string) => `${prefix(ctx)}:instance/${instanceId}/agent-state/${id}`,
};

const INSTANCE_ARN = /^arn:aws[a-z-]*:connect:[a-z0-9-]+:\d{12}:instance\/([^/]+)$/;

/** The instance id inside an instance ARN, or the input itself when it is not an ARN. */
export function instanceIdFrom(idOrArn: string): string {
  return INSTANCE_ARN.exec(idOrArn)?.[1] ?? idOrArn;
}

/** The last path segment of a resource ARN (`…/queue/<id>`), or the input itself when it is not an ARN. */
export function resourceIdFrom(idOrArn: string): string {
  return idOrArn.startsWith('arn:') ? idOrArn.slice(idOrArn.lastIndexOf('/') + 1) : idOrArn;
}
