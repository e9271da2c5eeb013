/**
 * Errors of the HTTP front door (authentication, requests no operation can read), besides Connect's
 * modeled exceptions from `services/errors.ts`, re-exported so `protocol.ts` and the catalog test see
 * the whole catalog in one module.
 */
import { ServiceException } from '../services/errors.js';

export {
  ServiceException,
  InvalidParameterException,
  InvalidRequestException,
  ResourceNotFoundException,
  ContactNotFoundException,
  DuplicateResourceException,
  IdempotencyException,
  LimitExceededException,
  ServiceQuotaExceededException,
  TooManyRequestsException,
  ThrottlingException,
  InvalidActiveRegionException,
  DestinationNotAllowedException,
  OutboundContactNotPermittedException,
  ContactFlowNotPublishedException,
  InvalidContactFlowException,
  AccessDeniedException,
  InternalServiceException,
} from '../services/errors.js';
export type { Fault } from '../services/errors.js';

// Authentication failures, named as AWS's front door names them so SDKs surface the familiar codes.

/** The access key id is not one outdial is configured with (403). */
export class UnrecognizedClientException extends ServiceException {
  readonly name = 'UnrecognizedClientException' as const;
  readonly $fault = 'client' as const;
  readonly httpStatus = 403;
}

/** The request signature does not match the one computed with the secret key (403). */
export class InvalidSignatureException extends ServiceException {
  readonly name = 'InvalidSignatureException' as const;
  readonly $fault = 'client' as const;
  readonly httpStatus = 403;
}

/** The Authorization header or X-Amz-Date is malformed (403). */
export class IncompleteSignatureException extends ServiceException {
  readonly name = 'IncompleteSignatureException' as const;
  readonly $fault = 'client' as const;
  readonly httpStatus = 403;
}

/** The request carries no Authorization header (403). */
export class MissingAuthenticationTokenException extends ServiceException {
  readonly name = 'MissingAuthenticationTokenException' as const;
  readonly $fault = 'client' as const;
  readonly httpStatus = 403;
}

// Framework errors (Smithy server-common names): raised before an operation is chosen or its input parsed.

/** No operation is bound to this method and path (404). */
export class UnknownOperationException extends ServiceException {
  readonly name = 'UnknownOperationException' as const;
  readonly $fault = 'client' as const;
  readonly httpStatus = 404;
}

/** The body is not valid UTF-8 JSON, or not a JSON object (400). */
export class SerializationException extends ServiceException {
  readonly name = 'SerializationException' as const;
  readonly $fault = 'client' as const;
  readonly httpStatus = 400;
}

/** The request carries a body whose content type is not JSON (415). */
export class UnsupportedMediaTypeException extends ServiceException {
  readonly name = 'UnsupportedMediaTypeException' as const;
  readonly $fault = 'client' as const;
  readonly httpStatus = 415;
}

/** The body exceeds the configured size limit (413). */
export class RequestEntityTooLargeException extends ServiceException {
  readonly name = 'RequestEntityTooLargeException' as const;
  readonly $fault = 'client' as const;
  readonly httpStatus = 413;
}
