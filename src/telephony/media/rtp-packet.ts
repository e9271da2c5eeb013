/**
 * RTP fixed header (RFC 3550 §5.1). Parsing takes whatever the network delivered and answers null for
 * anything that is not a well-formed version 2 packet, so a stray or hostile datagram is dropped, never
 * thrown. Contributing sources are skipped: a call has one far end, and mixers are not our concern.
 */

export const RTP_HEADER_BYTES = 12;

export interface RtpHeader {
  readonly marker: boolean;
  readonly payloadType: number;
  /** 16-bit sequence number. */
  readonly sequence: number;
  /** 32-bit media timestamp (8 kHz units for G.711 and telephone-event). */
  readonly timestamp: number;
  readonly ssrc: number;
}

export interface RtpPacket extends RtpHeader {
  /** The payload without header, CSRCs, extension or padding; a view into the received buffer. */
  readonly payload: Uint8Array;
}

export function parseRtp(buf: Uint8Array): RtpPacket | null {
  if (buf.length < RTP_HEADER_BYTES) return null;
  const b0 = buf[0]!;
  const b1 = buf[1]!;
  if (b0 >> 6 !== 2) return null;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let start = RTP_HEADER_BYTES + (b0 & 0x0f) * 4;
  if ((b0 & 0x10) !== 0) {
    // Header extension (§5.3.1): 16-bit profile tag, then its length in 32-bit words.
    if (buf.length < start + 4) return null;
    start += 4 + view.getUint16(start + 2) * 4;
  }
  let end = buf.length;
  if ((b0 & 0x20) !== 0) {
    const padding = buf[end - 1]!;
    if (padding === 0) return null;
    end -= padding;
  }
  if (end < start) return null;
  return {
    marker: (b1 & 0x80) !== 0,
    payloadType: b1 & 0x7f,
    sequence: view.getUint16(2),
    timestamp: view.getUint32(4),
    ssrc: view.getUint32(8),
    payload: buf.subarray(start, end),
  };
}

/** A plain 12-byte header (no CSRC, extension or padding) followed by the payload, in one buffer. */
export function serializeRtp(header: RtpHeader, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(RTP_HEADER_BYTES + payload.length);
  out[0] = 0x80;
  out[1] = (header.marker ? 0x80 : 0) | (header.payloadType & 0x7f);
  out.writeUInt16BE(header.sequence & 0xffff, 2);
  out.writeUInt32BE(header.timestamp >>> 0, 4);
  out.writeUInt32BE(header.ssrc >>> 0, 8);
  out.set(payload, RTP_HEADER_BYTES);
  return out;
}
