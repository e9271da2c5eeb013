/**
 * Amazon Connect's modeled exceptions: the services' vocabulary, thrown where a rule is broken. `name` is the AWS error code (the model's shape name), `httpStatus`
 * comes from the model's `httpStatusCode`/`@httpError` trait, and `toBody()` gives the modeled members.
 * `protocol.ts` is the one place that turns these into responses.
 */

export type Fault = 'client' | 'server';

/** Base of every error serialized as an AWS error response. */
export abstract class ServiceException extends Error {
  abstract override readonly name: string;
  abstract readonly $fault: Fault;
  abstract readonly httpStatus: number;

  /** Members serialized into the JSON body, named exactly as in the Connect model. */
  toBody(): Record<string, unknown> {
    return { Message: this.message };
  }
}

/** The request was rejected by a per-field constraint or a cross-field rule (400). */
export class InvalidParameterException extends ServiceException {
  readonly name = 'InvalidParameterException' as const;
  readonly $fault = 'client' as const;
  readonly httpStatus = 400;
}

/** The request is not valid as a whole, or the operation does not model InvalidParameterException (400). */
export class InvalidRequestException extends ServiceException {
  readonly name = 'InvalidRequestException' as const;
  readonly $fault = 'client' as const;
  readonly httpStatus = 400;
}

/** An instance, flow, queue, number or other resource named in the request does not exist (404). */
export class ResourceNotFoundException extends ServiceException {
  readonly name = 'ResourceNotFoundException' as const;
  readonly $fault = 'client' as const;
  readonly httpStatus = 404;
}

/** The contact exists but has already ended (410). */
export class ContactNotFoundException extends ServiceException {
  readonly name = 'ContactNotFoundException' as const;
  readonly $fault = 'client' as const;
  readonly httpStatus = 410;
}

/** A resource with the same unique name already exists in the instance (409). */
export class DuplicateResourceException extends ServiceException {
  readonly name = 'DuplicateResourceException' as const;
  readonly $fault = 'client' as const;
  readonly httpStatus = 409;
}

/** A ClientToken was reused with a different request (409). */
export class IdempotencyException extends ServiceException {
  readonly name = 'IdempotencyException' as const;
  readonly $fault = 'client' as const;
  readonly httpStatus = 409;
}

/** A resource or concurrency quota is exhausted (429). */
export class LimitExceededException extends ServiceException {
  readonly name = 'LimitExceededException' as const;
  readonly $fault = 'client' as const;
  readonly httpStatus = 429;
}

/** An account-level quota on created resources is exhausted (402). */
export class ServiceQuotaExceededException extends ServiceException {
  readonly name = 'ServiceQuotaExceededException' as const;
  readonly $fault = 'client' as const;
  readonly httpStatus = 402;
}

/**
 * The account's request rate exceeded its token bucket on an operation that does not model
 * ThrottlingException (429); Connect answers throttled StartOutboundVoiceContact calls with it.
 */
export class TooManyRequestsException extends ServiceException {
  readonly name = 'TooManyRequestsException' as const;
  readonly $fault = 'client' as const;
  readonly httpStatus = 429;
}

/** An operation's request rate limit was exceeded; the code most Connect operations model for throttling (429). */
export class ThrottlingException extends ServiceException {
  readonly name = 'ThrottlingException' as const;
  readonly $fault = 'client' as const;
  readonly httpStatus = 429;
}

/** The request reached a Region that is not the active one for a Global Resiliency instance (400). */
export class InvalidActiveRegionException extends ServiceException {
  readonly name = 'InvalidActiveRegionException' as const;
  readonly $fault = 'client' as const;
  readonly httpStatus = 400;
}

/** The destination is outside the instance's allow-list, or on a blocked prefix (403). */
export class DestinationNotAllowedException extends ServiceException {
  readonly name = 'DestinationNotAllowedException' as const;
  readonly $fault = 'client' as const;
  readonly httpStatus = 403;
}

/** Outbound calls are disabled on the instance, or the traffic type is not enabled (403). */
export class OutboundContactNotPermittedException extends ServiceException {
  readonly name = 'OutboundContactNotPermittedException' as const;
  readonly $fault = 'client' as const;
  readonly httpStatus = 403;
}

/** The flow exists but is not published (404). */
export class ContactFlowNotPublishedException extends ServiceException {
  readonly name = 'ContactFlowNotPublishedException' as const;
  readonly $fault = 'client' as const;
  readonly httpStatus = 404;
}

/** The flow content is not valid flow language; `problems` names each fault (400). */
export class InvalidContactFlowException extends ServiceException {
  readonly name = 'InvalidContactFlowException' as const;
  readonly $fault = 'client' as const;
  readonly httpStatus = 400;

  constructor(readonly problems: readonly { message: string }[]) {
    super(problems.map((p) => p.message).join('; ') || 'The flow is not valid.');
  }

  override toBody(): Record<string, unknown> {
    return { Message: this.message, problems: this.problems };
  }
}

/** The caller is not allowed to perform the operation (403). */
export class AccessDeniedException extends ServiceException {
  readonly name = 'AccessDeniedException' as const;
  readonly $fault = 'client' as const;
  readonly httpStatus = 403;
}

/** An unexpected failure inside outdial (500). The cause is logged with the request id, never sent. */
export class InternalServiceException extends ServiceException {
  readonly name = 'InternalServiceException' as const;
  readonly $fault = 'server' as const;
  readonly httpStatus = 500;
}
