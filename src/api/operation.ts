/**
 * The service as a typed record of operation handlers keyed by the AWS operation name (Smithy's server SDK
 * shape). Each handler takes the validated input, keyed by the model's member names, and returns the output
 * members; an operation with no output returns nothing and answers `{}`.
 */
import type { AgentService } from '../services/agent-service.js';
import type { ContactService } from '../services/contact-service.js';
import type { ContactSearchService } from '../services/contact-search-service.js';
import type { ResourceService } from '../services/resource-service.js';
import type { EventSinkService } from '../services/event-sinks.js';
import type { UserService } from '../services/user-service.js';
import type { OperationName } from './model/shapes.generated.js';

export interface Services {
  readonly contacts: ContactService;
  readonly contactSearch: ContactSearchService;
  readonly resources: ResourceService;
  readonly eventSinks: EventSinkService;
  readonly users: UserService;
  readonly agents: AgentService;
}

export interface OperationContext {
  readonly services: Services;
  readonly requestId: string;
  /** The region outdial reports in ARNs and LastModifiedRegion. */
  readonly region: string;
  /** How the client reached this server (`http://host:port`, from the Host header), for URLs in answers. */
  readonly origin: string;
}

export type OperationHandler = (input: Record<string, unknown>, context: OperationContext) => Promise<object | void>;

export type ConnectService = { readonly [K in OperationName]: OperationHandler };
