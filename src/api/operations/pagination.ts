import { InvalidParameterException, type InvalidRequestException } from '../errors.js';
import { decodeNextToken, encodeNextToken } from '../protocol.js';
import type { PageRequest } from '../../store/store.js';

/** Page size when the caller sends no MaxResults. */
const DEFAULT_PAGE_SIZE = 100;

/**
 * The store page for a List request. One row more than asked is fetched, so `finish` knows whether to
 * return a NextToken.
 */
export function pageOf(
  input: { NextToken?: string; MaxResults?: number },
  maxPageSize: number,
  invalid: typeof InvalidParameterException | typeof InvalidRequestException = InvalidParameterException,
): PageRequest & { size: number } {
  const size = input.MaxResults ?? Math.min(DEFAULT_PAGE_SIZE, maxPageSize);
  let after: string | undefined;
  if (input.NextToken !== undefined) {
    after = decodeNextToken(input.NextToken);
    if (after === undefined) throw new invalid('The NextToken is not valid.');
  }
  return { ...(after !== undefined && { after }), limit: size + 1, size };
}

/** The rows of this page and, when more remain, the NextToken for the next one. */
export function finishPage<T extends { id: string }>(rows: readonly T[], size: number): { items: T[]; nextToken?: string } {
  const items = rows.slice(0, size);
  const last = items[items.length - 1];
  return rows.length > size && last !== undefined ? { items, nextToken: encodeNextToken(last.id) } : { items };
}
