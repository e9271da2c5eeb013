/**
 * Reads the RTP payloads out of the pcap files SIPp ships (/usr/share/sip-tester/*.pcap): libpcap format,
 * Ethernet frames, IPv4, UDP. Enough for those captures, not a general pcap reader.
 */
import { readFileSync } from 'node:fs';

export const SIPP_PCAP_DIR = '/usr/share/sip-tester';

export interface CapturedDatagram {
  /** Capture time in milliseconds since the first packet. */
  readonly atMs: number;
  /** The UDP payload: here, one RTP packet. */
  readonly data: Buffer;
}

export function readUdpPcap(path: string): CapturedDatagram[] {
  const file = readFileSync(path);
  if (file.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error(`${path}: not a little-endian microsecond pcap`);
  if (file.readUInt32LE(20) !== 1) throw new Error(`${path}: link type is not Ethernet`);
  const datagrams: CapturedDatagram[] = [];
  let first: number | null = null;
  for (let offset = 24; offset + 16 <= file.length; ) {
    const atUs = file.readUInt32LE(offset) * 1e6 + file.readUInt32LE(offset + 4);
    const length = file.readUInt32LE(offset + 8);
    const frame = file.subarray(offset + 16, offset + 16 + length);
    offset += 16 + length;
    if (frame.readUInt16BE(12) !== 0x0800) continue;
    const ip = frame.subarray(14);
    if (ip[9] !== 17) continue;
    const udp = ip.subarray((ip[0]! & 0x0f) * 4);
    first ??= atUs;
    datagrams.push({ atMs: (atUs - first) / 1000, data: Buffer.from(udp.subarray(8, udp.readUInt16BE(4))) });
  }
  return datagrams;
}
