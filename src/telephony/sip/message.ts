/**
 * SIP messages (RFC 3261 §7, §20, §25): parse what arrives off the wire into requests and responses, and
 * serialize ours. The parser accepts what real peers send (compact header names, folded lines, any case,
 * LF line ends, comma-joined header values) and refuses, with a `SipParseError`, anything it cannot read
 * safely; a refused message never affects another call.
 */

export class SipParseError extends Error {
  override readonly name = 'SipParseError';
}

/** Largest message we read; RFC 3261 lets UDP carry up to 65,535 bytes and nothing sane needs more. */
export const MAX_MESSAGE_BYTES = 65_535;
const MAX_HEADER_LINES = 256;

interface SipBase {
  /** Lower-cased full header name → values in arrival order, comma-joined values split where the grammar allows. */
  readonly headers: Map<string, string[]>;
  readonly body: Buffer;
}

export interface SipRequest extends SipBase {
  readonly kind: 'request';
  readonly method: string;
  readonly uri: string;
}

export interface SipResponse extends SipBase {
  readonly kind: 'response';
  readonly status: number;
  readonly reason: string;
}

export type SipMessage = SipRequest | SipResponse;

const COMPACT: Readonly<Record<string, string>> = {
  i: 'call-id',
  m: 'contact',
  e: 'content-encoding',
  l: 'content-length',
  c: 'content-type',
  f: 'from',
  s: 'subject',
  k: 'supported',
  t: 'to',
  v: 'via',
  o: 'event',
  r: 'refer-to',
  b: 'referred-by',
  x: 'session-expires',
  u: 'allow-events',
};

/** Headers whose values may be joined with commas on one line (RFC 3261 §7.3.1); others keep commas. */
const LIST_HEADERS = new Set([
  'via',
  'contact',
  'route',
  'record-route',
  'allow',
  'supported',
  'require',
  'proxy-require',
  'unsupported',
  'accept',
  'accept-encoding',
  'accept-language',
  'allow-events',
  'content-encoding',
]);

/** How our serializer spells header names on the wire. */
const CANONICAL: Readonly<Record<string, string>> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'www-authenticate': 'WWW-Authenticate',
  'min-se': 'Min-SE',
  rseq: 'RSeq',
  rack: 'RAck',
};

const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;

export function parseMessage(raw: Buffer): SipMessage {
  // RFC 3261 §7.5: empty lines before the start line (keep-alives on a stream) are skipped.
  let skip = 0;
  while (raw[skip] === 0x0d || raw[skip] === 0x0a) skip++;
  const data = raw.subarray(skip);
  if (data.length > MAX_MESSAGE_BYTES) throw new SipParseError(`message of ${data.length} bytes is too large`);
  const headEnd = findHeadEnd(data);
  if (headEnd === null) throw new SipParseError('no empty line after the headers');
  const head = data.toString('utf8', 0, headEnd.index);
  const lines = head.split(/\r?\n/);
  const startLine = lines.shift();
  if (startLine === undefined) throw new SipParseError('empty message');
  const headers = parseHeaders(lines);
  const bodyStart = headEnd.index + headEnd.length;
  const length = contentLength(headers);
  const available = data.length - bodyStart;
  if (length !== null && length > available) throw new SipParseError(`Content-Length ${length} exceeds the ${available} bytes received`);
  const body = data.subarray(bodyStart, bodyStart + (length ?? available));
  const base = { headers, body };
  requireCoreHeaders(headers);

  if (startLine.startsWith('SIP/')) {
    const match = /^SIP\/2\.0 ([1-6]\d\d)(?: (.*))?$/i.exec(startLine);
    if (match === null) throw new SipParseError(`bad status line: ${printable(startLine)}`);
    return { kind: 'response', status: Number(match[1]), reason: match[2] ?? '', ...base };
  }
  const parts = startLine.split(' ');
  if (parts.length !== 3 || parts[2]?.toUpperCase() !== 'SIP/2.0') throw new SipParseError(`bad request line: ${printable(startLine)}`);
  const [method, uri] = parts as [string, string];
  if (!TOKEN.test(method)) throw new SipParseError(`bad method: ${printable(method)}`);
  if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s\p{Cc}]+$/u.test(uri)) throw new SipParseError(`bad Request-URI: ${printable(uri)}`);
  const cseq = parseCSeq(headers);
  // parseCSeq upper-cases the method; compare the same way so extension methods in any case match themselves.
  if (cseq.method !== method.toUpperCase()) {
    throw new SipParseError(`CSeq method ${cseq.method} does not match ${method}`);
  }
  return { kind: 'request', method, uri, ...base };
}

/**
 * On a stream, where one message ends: the length of the first complete message in `data`, 0 when more
 * bytes are needed. Throws when the stream cannot be framed (no Content-Length, or too large).
 */
export function frameLength(data: Buffer): number {
  let start = 0;
  while (start + 1 < data.length && data[start] === 0x0d && data[start + 1] === 0x0a) start += 2;
  const headEnd = findHeadEnd(data.subarray(start));
  if (headEnd === null) {
    if (data.length > MAX_MESSAGE_BYTES) throw new SipParseError('headers too large');
    return 0;
  }
  const match = /^(?:content-length|l)[ \t]*:[ \t]*(\d+)/im.exec(data.toString('utf8', start, start + headEnd.index));
  if (match === null) throw new SipParseError('a message on a stream must carry Content-Length');
  const total = start + headEnd.index + headEnd.length + Number(match[1]);
  if (total > MAX_MESSAGE_BYTES) throw new SipParseError(`message of ${total} bytes is too large`);
  return data.length >= total ? total : 0;
}

function findHeadEnd(data: Buffer): { index: number; length: number } | null {
  const crlf = data.indexOf('\r\n\r\n');
  const lf = data.indexOf('\n\n');
  if (crlf === -1 && lf === -1) return null;
  if (lf === -1 || (crlf !== -1 && crlf < lf)) return { index: crlf, length: 4 };
  return { index: lf, length: 2 };
}

function parseHeaders(lines: string[]): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  const unfolded: string[] = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line)) {
      if (unfolded.length === 0) throw new SipParseError('continuation line before any header');
      unfolded[unfolded.length - 1] += ' ' + line.trim();
    } else {
      unfolded.push(line);
    }
  }
  if (unfolded.length > MAX_HEADER_LINES) throw new SipParseError(`more than ${MAX_HEADER_LINES} header lines`);
  for (const line of unfolded) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new SipParseError(`bad header line: ${printable(line)}`);
    const rawName = line.slice(0, colon).trim();
    if (!TOKEN.test(rawName)) throw new SipParseError(`bad header name: ${printable(rawName)}`);
    const lower = rawName.toLowerCase();
    const name = COMPACT[lower] ?? lower;
    const value = line.slice(colon + 1).trim();
    const values = LIST_HEADERS.has(name) ? splitList(value) : [value];
    const list = headers.get(name);
    if (list === undefined) headers.set(name, values);
    else list.push(...values);
  }
  return headers;
}

/** Splits a comma-joined header value, leaving commas inside quotes and angle brackets alone. */
export function splitList(value: string): string[] {
  const out: string[] = [];
  let quoted = false;
  let angle = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '\\' && quoted) i++;
    else if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '<') angle = true;
    else if (!quoted && ch === '>') angle = false;
    else if (ch === ',' && !quoted && !angle) {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(value.slice(start).trim());
  return out.filter((v) => v !== '');
}

function contentLength(headers: Map<string, string[]>): number | null {
  const values = headers.get('content-length');
  if (values === undefined) return null;
  const value = values[0] ?? '';
  if (!/^\d{1,6}$/.test(value)) throw new SipParseError(`bad Content-Length: ${printable(value)}`);
  return Number(value);
}

function requireCoreHeaders(headers: Map<string, string[]>): void {
  for (const name of ['via', 'from', 'to', 'call-id', 'cseq']) {
    if (!headers.get(name)?.[0]) throw new SipParseError(`missing ${name} header`);
  }
  parseCSeq(headers);
  // The transaction layer matches on the top Via's branch; one it cannot read is refused here, not there.
  parseVia(headers.get('via')![0]!);
}

export function parseCSeq(headers: Map<string, string[]>): { seq: number; method: string } {
  const match = /^(\d{1,10})\s+([A-Za-z0-9\-.!%*_+`'~]+)$/.exec(headers.get('cseq')?.[0] ?? '');
  if (match === null || Number(match[1]) > 2 ** 31 - 1) throw new SipParseError('bad CSeq');
  return { seq: Number(match[1]), method: match[2]!.toUpperCase() };
}

/** The first value of a header, if present. */
export function header(message: SipMessage, name: string): string | undefined {
  return message.headers.get(name)?.[0];
}

/** Named parameters of a header value after its main part (`;tag=x;lr`), keys lower-cased. */
export function headerParams(value: string): Map<string, string | null> {
  const params = new Map<string, string | null>();
  // Parameters follow the closing `>` of a name-addr, or the first `;` of a bare value.
  const close = value.lastIndexOf('>');
  const tail = close >= 0 ? value.slice(close + 1) : value.slice(value.indexOf(';') >= 0 ? value.indexOf(';') : value.length);
  for (const part of tail.split(';')) {
    const trimmed = part.trim();
    if (trimmed === '') continue;
    const eq = trimmed.indexOf('=');
    if (eq < 0) params.set(trimmed.toLowerCase(), null);
    else params.set(trimmed.slice(0, eq).trim().toLowerCase(), unquote(trimmed.slice(eq + 1).trim()));
  }
  return params;
}

/** The URI of a name-addr or addr-spec header value (`"Bob" <sip:bob@x>;tag=1` → `sip:bob@x`). */
export function headerUri(value: string): string {
  // A quoted display name may itself hold < and > (`"Sales <East>" <sip:sales@x>`): look past it.
  const quoted = /^\s*"(?:[^"\\]|\\.)*"/s.exec(value);
  const open = value.indexOf('<', quoted?.[0].length ?? 0);
  if (open >= 0) {
    const close = value.indexOf('>', open);
    if (close < 0) throw new SipParseError(`unclosed < in ${printable(value)}`);
    return value.slice(open + 1, close).trim();
  }
  const semi = value.indexOf(';');
  return (semi >= 0 ? value.slice(0, semi) : value).trim();
}

export function tagOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return headerParams(value).get('tag') ?? undefined;
}

export interface ParsedVia {
  readonly transport: string;
  readonly host: string;
  readonly port: number | null;
  readonly params: Map<string, string | null>;
}

export function parseVia(value: string): ParsedVia {
  const match = /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z]+)\s+(\[[^\]]+\]|[^\s;:]+)(?:\s*:\s*(\d+))?/i.exec(value);
  if (match === null) throw new SipParseError(`bad Via: ${printable(value)}`);
  return { transport: match[1]!.toUpperCase(), host: match[2]!, port: match[3] !== undefined ? Number(match[3]) : null, params: headerParams(value) };
}

export interface SipUri {
  readonly scheme: 'sip' | 'sips';
  readonly user: string | null;
  readonly host: string;
  readonly port: number | null;
  readonly params: Map<string, string | null>;
}

export function parseUri(uri: string): SipUri {
  const match = /^(sips?):(?:([^@]*)@)?(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?((?:;[^?]*)?)(?:\?.*)?$/i.exec(uri.trim());
  if (match === null) throw new SipParseError(`bad SIP URI: ${printable(uri)}`);
  const params = new Map<string, string | null>();
  for (const part of (match[5] ?? '').split(';')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) params.set(part.toLowerCase(), null);
    else params.set(part.slice(0, eq).toLowerCase(), part.slice(eq + 1));
  }
  const port = match[4] !== undefined ? Number(match[4]) : null;
  if (port !== null && (port < 1 || port > 65_535)) throw new SipParseError(`bad port in ${printable(uri)}`);
  return { scheme: match[1]!.toLowerCase() as 'sip' | 'sips', user: match[2] ?? null, host: match[3]!, port, params };
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) return value.slice(1, -1).replace(/\\(.)/g, '$1');
  return value;
}

/** A message ready to serialize. Header values are written as given, in order. */
export interface OutgoingRequest {
  readonly method: string;
  readonly uri: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body?: string | Buffer;
}

export interface OutgoingResponse {
  readonly status: number;
  readonly reason: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body?: string | Buffer;
}

export function serializeRequest(request: OutgoingRequest): Buffer {
  return serialize(`${request.method} ${request.uri} SIP/2.0`, request.headers, request.body);
}

export function serializeResponse(response: OutgoingResponse): Buffer {
  return serialize(`SIP/2.0 ${response.status} ${response.reason}`, response.headers, response.body);
}

function serialize(startLine: string, headers: readonly (readonly [string, string])[], body: string | Buffer | undefined): Buffer {
  const payload = body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  let head = startLine + '\r\n';
  for (const [name, value] of headers) {
    if (/[\r\n]/.test(value)) throw new Error(`header ${name} value contains a line break`);
    head += `${canonicalName(name)}: ${value}\r\n`;
  }
  head += `Content-Length: ${payload.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'utf8'), payload]);
}

function canonicalName(name: string): string {
  const lower = name.toLowerCase();
  return CANONICAL[lower] ?? lower.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
}

/** A response's headers copied from a request as RFC 3261 §8.2.6.2 requires, with a To tag added if missing. */
export function responseHeaders(request: SipRequest, toTag: string | undefined): [string, string][] {
  const headers: [string, string][] = [];
  for (const via of request.headers.get('via') ?? []) headers.push(['Via', via]);
  const to = header(request, 'to') ?? '';
  headers.push(['From', header(request, 'from') ?? '']);
  headers.push(['To', toTag !== undefined && tagOf(to) === undefined ? `${to};tag=${toTag}` : to]);
  headers.push(['Call-ID', header(request, 'call-id') ?? '']);
  headers.push(['CSeq', header(request, 'cseq') ?? '']);
  return headers;
}

function printable(text: string): string {
  const clipped = text.length > 80 ? text.slice(0, 80) + '…' : text;
  return JSON.stringify(clipped);
}
