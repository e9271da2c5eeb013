/**
 * SDP (RFC 4566) and the offer/answer rules (RFC 3264) for one G.711 audio stream plus RFC 4733
 * telephone-events: our INVITE's offer, the far end's answer, and our answer when the far end offers in a
 * re-INVITE or UPDATE (hold, resume, a new address). The parser is tolerant of what trunks and PBXs
 * really send and refuses only what cannot be SDP, with an `SdpError`.
 *
 * Direction words in `RemoteMedia` are ours: `recvonly` means we receive and do not send (the far end put
 * us on hold). Directions in a parsed `MediaDescription` are the far end's, as written.
 */
import { isIPv6 } from 'node:net';
import type { G711Codec } from '../media/g711.js';
import type { RemoteMedia } from '../media/media-engine.js';

export class SdpError extends Error {
  override readonly name = 'SdpError';
}

export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface SdpConnection {
  readonly addressType: 'IP4' | 'IP6';
  /** Without any `/ttl` or `/count` suffix. */
  readonly address: string;
}

export interface SdpOrigin {
  readonly username: string;
  readonly sessionId: string;
  readonly sessionVersion: string;
  readonly connection: SdpConnection;
}

export interface SdpAttribute {
  /** Lower-cased. */
  readonly name: string;
  /** Null for a property attribute such as `a=sendrecv`. */
  readonly value: string | null;
}

export interface SdpFormat {
  readonly payloadType: number;
  /** From `a=rtpmap`, or RFC 3551's static table; null for an unknown dynamic type. Case as written. */
  readonly encoding: string | null;
  readonly clockRate: number | null;
  readonly channels: number;
  readonly fmtp: string | null;
}

export interface MediaDescription {
  readonly type: string;
  /** 0 when the stream is rejected or disabled. */
  readonly port: number;
  readonly protocol: string;
  /** RTP payload types in the order of the m= line, which is the sender's preference. */
  readonly formats: readonly SdpFormat[];
  /** The m= line's format tokens as written (also for non-RTP streams such as `udptl t38`). */
  readonly fmt: readonly string[];
  /** The media-level c= line, else the session-level one. */
  readonly connection: SdpConnection | null;
  /** The media-level direction attribute, else the session-level one, else `sendrecv`. */
  readonly direction: MediaDirection;
  readonly ptime: number | null;
  /** Media-level attributes in order. */
  readonly attributes: readonly SdpAttribute[];
}

export interface SessionDescription {
  readonly origin: SdpOrigin | null;
  readonly sessionName: string;
  readonly connection: SdpConnection | null;
  readonly direction: MediaDirection | null;
  readonly attributes: readonly SdpAttribute[];
  readonly media: readonly MediaDescription[];
}

export interface LocalMedia {
  /** Digits; stays the same for the whole dialog (RFC 3264 §8). */
  readonly sessionId: string;
  /** Goes up by one each time our description changes. */
  readonly version: number;
  /** IPv4 or IPv6 literal (or a host name, sent as IP4) the far end sends RTP to. */
  readonly address: string;
  readonly port: number;
  /** In order of preference. */
  readonly codecs: readonly G711Codec[];
  /** Usually 101; null offers no RFC 4733 events. */
  readonly telephoneEventPayloadType: number | null;
}

export interface OfferOptions extends LocalMedia {
  readonly direction?: MediaDirection;
  readonly ptime?: number;
}

const STATIC_PT: Readonly<Record<G711Codec, number>> = { PCMU: 0, PCMA: 8 };

/** RFC 3551 table 4: the audio payload types a peer may use without an rtpmap. */
const STATIC_AUDIO: ReadonlyMap<number, { encoding: string; clockRate: number; channels?: number }> = new Map([
  [0, { encoding: 'PCMU', clockRate: 8000 }],
  [3, { encoding: 'GSM', clockRate: 8000 }],
  [4, { encoding: 'G723', clockRate: 8000 }],
  [5, { encoding: 'DVI4', clockRate: 8000 }],
  [6, { encoding: 'DVI4', clockRate: 16000 }],
  [7, { encoding: 'LPC', clockRate: 8000 }],
  [8, { encoding: 'PCMA', clockRate: 8000 }],
  [9, { encoding: 'G722', clockRate: 8000 }],
  [10, { encoding: 'L16', clockRate: 44100, channels: 2 }],
  [11, { encoding: 'L16', clockRate: 44100 }],
  [12, { encoding: 'QCELP', clockRate: 8000 }],
  [13, { encoding: 'CN', clockRate: 8000 }],
  [14, { encoding: 'MPA', clockRate: 90000 }],
  [15, { encoding: 'G728', clockRate: 8000 }],
  [16, { encoding: 'DVI4', clockRate: 11025 }],
  [17, { encoding: 'DVI4', clockRate: 22050 }],
  [18, { encoding: 'G729', clockRate: 8000 }],
]);

const DIRECTIONS: ReadonlySet<string> = new Set<MediaDirection>(['sendrecv', 'sendonly', 'recvonly', 'inactive']);
const RTP_PROTOCOLS: ReadonlySet<string> = new Set(['rtp/avp', 'rtp/avpf']);
const CRLF = '\r\n';

function isDirection(name: string): name is MediaDirection {
  return DIRECTIONS.has(name);
}

function parseConnection(value: string): SdpConnection {
  const [netType, addressType, address] = value.trim().split(/\s+/);
  if (netType?.toUpperCase() !== 'IN' || address === undefined) throw new SdpError(`bad c= line: ${value}`);
  const type = addressType?.toUpperCase();
  if (type !== 'IP4' && type !== 'IP6') throw new SdpError(`bad address type in c= line: ${value}`);
  // Multicast addresses carry /ttl and /count; a unicast RTP peer never should, but the address is what counts.
  return { addressType: type, address: address.split('/')[0] ?? address };
}

function parseOrigin(value: string): SdpOrigin {
  const fields = value.trim().split(/\s+/);
  const [username, sessionId, sessionVersion] = fields;
  if (fields.length !== 6 || username === undefined || sessionId === undefined || sessionVersion === undefined) {
    throw new SdpError(`bad o= line: ${value}`);
  }
  return { username, sessionId, sessionVersion, connection: parseConnection(fields.slice(3).join(' ')) };
}

function parseAttribute(value: string): SdpAttribute {
  const colon = value.indexOf(':');
  if (colon < 0) return { name: value.trim().toLowerCase(), value: null };
  return { name: value.slice(0, colon).trim().toLowerCase(), value: value.slice(colon + 1).trim() };
}

function parsePayloadType(text: string, line: string): number {
  if (!/^\d{1,3}$/.test(text)) throw new SdpError(`bad payload type in ${line}`);
  const pt = Number(text);
  if (pt > 127) throw new SdpError(`payload type out of range in ${line}`);
  return pt;
}

interface MediaDraft {
  type: string;
  port: number;
  protocol: string;
  payloadTypes: number[];
  /** Non-RTP formats (e.g. `m=image 0 udptl t38`) stay as text; they only matter for rejecting the stream. */
  rawFormats: string[];
  connection: SdpConnection | null;
  attributes: SdpAttribute[];
}

function parseMediaLine(value: string): MediaDraft {
  const [type, portField, protocol, ...formats] = value.trim().split(/\s+/);
  if (type === undefined || portField === undefined || protocol === undefined) throw new SdpError(`bad m= line: ${value}`);
  const portText = portField.split('/')[0] ?? '';
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw new SdpError(`bad port in m= line: ${value}`);
  // RTP/AVP, RTP/SAVP, UDP/TLS/RTP/SAVPF…: the formats are payload types; anything else is opaque text.
  const isRtp = /(^|\/)RTP\//i.test(protocol);
  return {
    type: type.toLowerCase(),
    port: Number(portText),
    protocol,
    payloadTypes: isRtp ? formats.map((f) => parsePayloadType(f, `m=${value}`)) : [],
    rawFormats: formats,
    connection: null,
    attributes: [],
  };
}

function buildFormats(draft: MediaDraft): SdpFormat[] {
  const rtpmaps = new Map<number, { encoding: string; clockRate: number; channels: number }>();
  const fmtps = new Map<number, string>();
  for (const attribute of draft.attributes) {
    if (attribute.value === null) continue;
    const match = /^(\d{1,3})\s+(.*)$/.exec(attribute.value);
    if (match === null) continue;
    const pt = Number(match[1]);
    const rest = match[2] ?? '';
    if (attribute.name === 'rtpmap') {
      const [encoding, rate, channels] = rest.trim().split('/');
      const clockRate = Number(rate);
      if (encoding === undefined || encoding === '' || !Number.isInteger(clockRate) || clockRate <= 0) {
        throw new SdpError(`bad rtpmap: ${attribute.value}`);
      }
      rtpmaps.set(pt, { encoding, clockRate, channels: channels === undefined ? 1 : Number(channels) || 1 });
    } else if (attribute.name === 'fmtp') {
      fmtps.set(pt, rest.trim());
    }
  }
  return draft.payloadTypes.map((payloadType) => {
    const known = rtpmaps.get(payloadType) ?? STATIC_AUDIO.get(payloadType);
    return {
      payloadType,
      encoding: known?.encoding ?? null,
      clockRate: known?.clockRate ?? null,
      channels: known?.channels ?? 1,
      fmtp: fmtps.get(payloadType) ?? null,
    };
  });
}

function directionOf(attributes: readonly SdpAttribute[]): MediaDirection | null {
  let direction: MediaDirection | null = null;
  for (const { name, value } of attributes) if (value === null && isDirection(name)) direction = name;
  return direction;
}

/** Reads an SDP body; LF or CRLF, any case in keywords. Throws `SdpError` for anything that is not SDP. */
export function parseSdp(text: string): SessionDescription {
  const lines = text.split(/\r?\n|\r/).map((line) => line.trim()).filter((line) => line !== '' && line !== '\0');
  if (lines[0] === undefined || !/^v\s*=\s*0$/.test(lines[0])) throw new SdpError('SDP must start with v=0');
  let origin: SdpOrigin | null = null;
  let sessionName = '';
  let sessionConnection: SdpConnection | null = null;
  const sessionAttributes: SdpAttribute[] = [];
  const drafts: MediaDraft[] = [];
  for (const line of lines.slice(1)) {
    const match = /^([a-zA-Z])\s*=(.*)$/.exec(line);
    if (match === null) throw new SdpError(`not an SDP line: ${line.slice(0, 80)}`);
    const type = (match[1] ?? '').toLowerCase();
    const value = match[2] ?? '';
    const current = drafts.at(-1);
    switch (type) {
      case 'o':
        origin = parseOrigin(value);
        break;
      case 's':
        sessionName = value.trim();
        break;
      case 'c':
        if (current === undefined) sessionConnection = parseConnection(value);
        else current.connection = parseConnection(value);
        break;
      case 'a':
        (current?.attributes ?? sessionAttributes).push(parseAttribute(value));
        break;
      case 'm':
        drafts.push(parseMediaLine(value));
        break;
      default:
        // i=, u=, e=, p=, b=, t=, r=, z=, k= and unknown types carry nothing a voice call needs
        break;
    }
  }
  const sessionDirection = directionOf(sessionAttributes);
  const media = drafts.map((draft): MediaDescription => {
    const ptime = draft.attributes.find((a) => a.name === 'ptime')?.value;
    const ptimeValue = ptime == null ? Number.NaN : Number.parseFloat(ptime);
    return {
      type: draft.type,
      port: draft.port,
      protocol: draft.protocol,
      formats: buildFormats(draft),
      fmt: draft.rawFormats,
      connection: draft.connection ?? sessionConnection,
      direction: directionOf(draft.attributes) ?? sessionDirection ?? 'sendrecv',
      ptime: Number.isFinite(ptimeValue) && ptimeValue > 0 ? ptimeValue : null,
      attributes: draft.attributes,
    };
  });
  return { origin, sessionName, connection: sessionConnection, direction: sessionDirection, attributes: sessionAttributes, media };
}

function isUnspecified(connection: SdpConnection | null): boolean {
  return connection === null || connection.address === '0.0.0.0' || connection.address === '::';
}

/**
 * What the far end will really do on this stream. RFC 3264 §8.4: a 0.0.0.0 connection address (RFC 2543
 * hold) means "send nothing to me", whatever the direction attribute says.
 */
export function effectiveDirection(media: MediaDescription): MediaDirection {
  if (!isUnspecified(media.connection)) return media.direction;
  if (media.direction === 'sendrecv' || media.direction === 'sendonly') return 'sendonly';
  return 'inactive';
}

/** True when the far end has put the stream on hold (it will not receive what we send). */
export function isHold(media: MediaDescription): boolean {
  const direction = effectiveDirection(media);
  return direction === 'sendonly' || direction === 'inactive';
}

/** The other side's view of a direction: what we do when they do `direction`. */
export function reverseDirection(direction: MediaDirection): MediaDirection {
  switch (direction) {
    case 'sendonly':
      return 'recvonly';
    case 'recvonly':
      return 'sendonly';
    case 'sendrecv':
    case 'inactive':
      return direction;
  }
}

function matches(format: SdpFormat, encoding: string): boolean {
  return format.encoding?.toLowerCase() === encoding.toLowerCase() && format.clockRate === 8000 && format.channels === 1;
}

function codecOf(format: SdpFormat, wanted: readonly G711Codec[]): G711Codec | undefined {
  return wanted.find((codec) => matches(format, codec));
}

function telephoneEvent(media: MediaDescription): number | null {
  return media.formats.find((format) => matches(format, 'telephone-event'))?.payloadType ?? null;
}

function isUsableAudio(media: MediaDescription): boolean {
  return media.type === 'audio' && media.port !== 0 && RTP_PROTOCOLS.has(media.protocol.toLowerCase());
}

function assertLocal(local: LocalMedia): void {
  if (!/^\d{1,20}$/.test(local.sessionId)) throw new RangeError(`SDP session id must be digits: ${local.sessionId}`);
  if (!Number.isSafeInteger(local.version) || local.version < 0) throw new RangeError(`bad SDP version: ${local.version}`);
  if (!Number.isInteger(local.port) || local.port < 1 || local.port > 65535) throw new RangeError(`bad RTP port: ${local.port}`);
  if (local.codecs.length === 0) throw new RangeError('no codecs to offer');
  const te = local.telephoneEventPayloadType;
  if (te !== null && (!Number.isInteger(te) || te < 96 || te > 127)) throw new RangeError(`telephone-event needs a dynamic payload type: ${te}`);
  if (/\s/.test(local.address) || local.address === '') throw new RangeError(`bad address: ${local.address}`);
}

function sessionLines(local: LocalMedia): string[] {
  const addressType = isIPv6(local.address) ? 'IP6' : 'IP4';
  return [
    'v=0',
    `o=outdial ${local.sessionId} ${local.version} IN ${addressType} ${local.address}`,
    's=outdial',
    `c=IN ${addressType} ${local.address}`,
    't=0 0',
  ];
}

function audioLines(port: number, formats: readonly { pt: number; rtpmap: string; fmtp?: string }[], ptime: number, direction: MediaDirection): string[] {
  const lines = [`m=audio ${port} RTP/AVP ${formats.map((f) => f.pt).join(' ')}`];
  for (const format of formats) {
    lines.push(`a=rtpmap:${format.pt} ${format.rtpmap}`);
    if (format.fmtp !== undefined) lines.push(`a=fmtp:${format.pt} ${format.fmtp}`);
  }
  lines.push(`a=ptime:${ptime}`, `a=${direction}`);
  return lines;
}

/** Our offer: one audio stream with the given codecs (static payload types) and telephone-event. */
export function buildOffer(options: OfferOptions): string {
  assertLocal(options);
  const ptime = options.ptime ?? 20;
  if (!Number.isInteger(ptime) || ptime < 10 || ptime > 200) throw new RangeError(`bad ptime: ${ptime}`);
  const formats: { pt: number; rtpmap: string; fmtp?: string }[] = [...new Set(options.codecs)].map((codec) => ({
    pt: STATIC_PT[codec],
    rtpmap: `${codec}/8000`,
  }));
  const te = options.telephoneEventPayloadType;
  if (te !== null) formats.push({ pt: te, rtpmap: 'telephone-event/8000', fmtp: '0-16' });
  return [...sessionLines(options), ...audioLines(options.port, formats, ptime, options.direction ?? 'sendrecv'), ''].join(CRLF);
}

/**
 * Applies the far end's answer to our offer of `offered`: the first audio stream it accepted, the first of
 * its formats that we offered. Throws `SdpError` when the answer leaves us no audio.
 */
export function negotiateAnswer(answer: SessionDescription, offered: readonly G711Codec[]): RemoteMedia {
  const media = answer.media.find(isUsableAudio);
  if (media === undefined) throw new SdpError('the answer accepts no audio stream');
  if (media.connection === null) throw new SdpError('the answer has no connection address');
  for (const format of media.formats) {
    const codec = codecOf(format, offered);
    if (codec === undefined) continue;
    return {
      address: media.connection.address,
      port: media.port,
      codec,
      payloadType: format.payloadType,
      telephoneEventPayloadType: telephoneEvent(media),
      direction: reverseDirection(effectiveDirection(media)),
    };
  }
  throw new SdpError(`the answer chose none of the offered codecs (${offered.join(', ')})`);
}

/**
 * Our answer to an offer from the far end (re-INVITE, UPDATE): the first audio stream where one of our
 * codecs, in our order of preference, is offered; every other stream is rejected with port 0 as RFC 3264
 * §6 requires. Payload type numbers are the offer's. Throws `SdpError` when there is no common codec.
 */
export function answerOffer(offer: SessionDescription, local: LocalMedia): { sdp: string; remote: RemoteMedia } {
  assertLocal(local);
  let chosen: { index: number; codec: G711Codec; format: SdpFormat; media: MediaDescription } | undefined;
  for (const [index, media] of offer.media.entries()) {
    if (!isUsableAudio(media) || media.connection === null) continue;
    for (const codec of local.codecs) {
      const format = media.formats.find((f) => matches(f, codec));
      if (format !== undefined) {
        chosen = { index, codec, format, media };
        break;
      }
    }
    if (chosen !== undefined) break;
  }
  if (chosen === undefined || chosen.media.connection === null) {
    throw new SdpError(`the offer has no audio stream with ${local.codecs.join(' or ')}`);
  }
  const theirDirection = effectiveDirection(chosen.media);
  const ours = reverseDirection(theirDirection);
  const te = local.telephoneEventPayloadType === null ? null : telephoneEvent(chosen.media);
  const lines = sessionLines(local);
  for (const [index, media] of offer.media.entries()) {
    if (index !== chosen.index) {
      lines.push(`m=${media.type} 0 ${media.protocol} ${media.fmt.join(' ')}`.trimEnd());
      continue;
    }
    const formats: { pt: number; rtpmap: string; fmtp?: string }[] = [{ pt: chosen.format.payloadType, rtpmap: `${chosen.codec}/8000` }];
    if (te !== null) formats.push({ pt: te, rtpmap: 'telephone-event/8000', fmtp: '0-16' });
    lines.push(...audioLines(local.port, formats, 20, ours));
  }
  lines.push('');
  return {
    sdp: lines.join(CRLF),
    remote: {
      address: chosen.media.connection.address,
      port: chosen.media.port,
      codec: chosen.codec,
      payloadType: chosen.format.payloadType,
      telephoneEventPayloadType: te,
      direction: ours,
    },
  };
}
