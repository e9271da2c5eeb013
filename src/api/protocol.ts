/**
 * restJson1 on the wire: request bodies in, responses and errors out.
 * @see https://smithy.io/2.0/aws/protocols/aws-restjson1-protocol.html
 */
import { SerializationException, type ServiceException } from './errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses a JSON object body; an empty body is `{}`. Non-UTF-8 bytes and non-objects are SerializationException. */
export function parseJsonBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new SerializationException('The request body is not valid UTF-8.');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SerializationException(`The request body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SerializationException('The request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

export interface WireError {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * The same code goes in `x-amzn-ErrorType` and the body's `__type`, and the text in both `Message` and
 * `message`, because SDKs disagree about which they read (JS v3 the header, JS v2 the body).
 */
export function serializeError(error: ServiceException): WireError {
  const members = error.toBody();
  return {
    status: error.httpStatus,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': error.name },
    body: JSON.stringify({ __type: error.name, message: error.message, ...members }),
  };
}

/** Epoch seconds, as restJson1 serializes timestamps (fractions allowed); undefined stays absent. */
export function epochSeconds(ms: number | null | undefined): number | undefined {
  return ms === null || ms === undefined ? undefined : ms / 1000;
}

/** An opaque pagination token carrying the last id of the previous page. */
export function encodeNextToken(lastId: string): string {
  return Buffer.from(JSON.stringify({ after: lastId })).toString('base64url');
}

/** The id a NextToken carries, or undefined when the token is not one outdial issued. */
export function decodeNextToken(token: string): string | undefined {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    const after = (value as { after?: unknown } | null)?.after;
    return typeof after === 'string' ? after : undefined;
  } catch {
    return undefined;
  }
}
