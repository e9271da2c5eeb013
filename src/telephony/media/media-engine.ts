/**
 * The seam between SIP signalling and RTP media. A call's signalling asks for a stream, tells it where the
 * far end listens once SDP says so, and plays audio into it; the stream reports key presses, the end of
 * what it played, and silence on the wire. Every method is a one-way message and every answer an event, so
 * an engine can keep its streams in this thread or in worker threads (one per core) behind the same port.
 */
import type { G711Codec } from './g711.js';

/** Where and how to send, from the far end's SDP. */
export interface RemoteMedia {
  readonly address: string;
  readonly port: number;
  readonly codec: G711Codec;
  /** The payload type the far end uses for `codec` (0 for PCMU, 8 for PCMA on every sane trunk). */
  readonly payloadType: number;
  /** The far end's telephone-event/8000 payload type; null when it offers none. */
  readonly telephoneEventPayloadType: number | null;
  /**
   * Our direction, the mirror of the far end's attribute: `sendrecv` normally; `recvonly`/`inactive` while
   * the far end holds the call, so nothing is sent; `sendonly` when the far end is `recvonly`. RTP
   * inactivity is watched only in `sendrecv`, the one direction in which the far end must send.
   */
  readonly direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
}

/** What a stream reports. Calls arrive on the thread that opened the stream. */
export interface MediaStreamListener {
  /** An RFC 4733 key press, once per event however often its end packet is repeated. */
  digit(key: string): void;
  /** The audio started by `play` with this token played to its end or was stopped. */
  playFinished(token: number): void;
  /** No RTP arrived for the inactivity timeout while the far end was expected to send. */
  inactive(): void;
}

export interface RecordingResult {
  readonly path: string;
  /** Epoch milliseconds of the first and last recorded frame. */
  readonly startedAt: number;
  readonly stoppedAt: number;
}

export interface MediaStreamStats {
  readonly packetsSent: number;
  readonly packetsReceived: number;
}

export interface MediaStream {
  /** The local address and RTP port (even) to put in our SDP. */
  readonly localPort: number;
  /** Where the far end sends; may change with a re-INVITE (hold, resume, new address). */
  setRemote(remote: RemoteMedia): void;
  /**
   * Plays 8 kHz mono 16-bit audio, replacing whatever was playing (whose `playFinished` follows). When
   * nothing plays the stream sends comfort noise, so the far end never hears a dead line.
   */
  play(audio: Int16Array, token: number): void;
  /** Stops the audio playing now (barge-in); `playFinished` follows for it. */
  stopPlaying(): void;
  /** Starts writing both directions to a stereo WAV at `path`: the far end left, what we send right. */
  startRecording(path: string): void;
  stopRecording(): Promise<RecordingResult | null>;
  /**
   * Relays the far end's audio and RFC 4733 key presses of this stream to `peer`'s far end and back, until
   * either stream closes or `bridge(null)`; each stream sends them with its own SSRC, numbering and codec.
   * A prompt playing on a stream goes out instead of the relayed audio while it lasts, and relayed audio
   * replaces comfort noise. Both streams must come from the same engine opened with the same `affinity`.
   */
  bridge(peer: MediaStream | null): void;
  /** Stops sending, releases the port; finishes a recording in progress. */
  close(): Promise<MediaStreamStats & { readonly recording: RecordingResult | null }>;
}

export interface MediaStreamOptions {
  /**
   * Streams opened with the same key live side by side (the same worker thread), so they can be bridged:
   * the contact id, for a customer's call and the agent's call that joins it.
   */
  readonly affinity?: string;
}

/** How the engine keeps time, for /metrics: its streams, and how late its 20 ms ticks ran recently. */
export interface MediaEngineStats {
  readonly streams: number;
  /** Over every pacer's recent ticks: the median and 99th percentile lateness, and the worst. */
  readonly latenessP50Ms: number;
  readonly latenessP99Ms: number;
  readonly latenessMaxMs: number;
  /** Frames dropped because a tick came too late to catch up, since the start. */
  readonly framesSkipped: number;
}

export interface MediaEngine {
  open(listener: MediaStreamListener, options?: MediaStreamOptions): Promise<MediaStream>;
  stats(): Promise<MediaEngineStats>;
  close(): Promise<void>;
}
