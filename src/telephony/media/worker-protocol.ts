/**
 * Messages between the worker media engine and its threads. Each stream lives in one worker; every
 * command names it by an id the main thread chose, and every answer or event carries it back.
 */
import type { RecordingResult, RemoteMedia } from './media-engine.js';
import type { PacerStats } from './pacer.js';
import type { PortRange } from './port-allocator.js';

export interface WorkerSetup {
  readonly bindAddress: string;
  /** This worker's own slice of the engine's range, so threads never compete for a port. */
  readonly portRange: PortRange;
  readonly inactivityMs: number;
}

export type WorkerCommand =
  | { readonly op: 'open'; readonly id: number }
  | { readonly op: 'setRemote'; readonly id: number; readonly remote: RemoteMedia }
  | { readonly op: 'play'; readonly id: number; readonly audio: Int16Array; readonly token: number }
  | { readonly op: 'stopPlaying'; readonly id: number }
  | { readonly op: 'startRecording'; readonly id: number; readonly path: string }
  | { readonly op: 'stopRecording'; readonly id: number; readonly request: number }
  | { readonly op: 'close'; readonly id: number }
  /** Bridges stream `id` to stream `peer` of the same worker, or ends its bridge (null). */
  | { readonly op: 'bridge'; readonly id: number; readonly peer: number | null }
  | { readonly op: 'pacerStats' };

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export type WorkerEvent =
  | { readonly event: 'opened'; readonly id: number; readonly port: number }
  | { readonly event: 'openFailed'; readonly id: number; readonly message: string }
  | { readonly event: 'digit'; readonly id: number; readonly key: string }
  | { readonly event: 'playFinished'; readonly id: number; readonly token: number }
  | { readonly event: 'inactive'; readonly id: number }
  /** Answers `stopRecording`; null when nothing was recording. Times are replaced by the main thread's clock. */
  | { readonly event: 'recordingStopped'; readonly id: number; readonly request: number; readonly recording: RecordingResult | null }
  | { readonly event: 'recordingFailed'; readonly id: number; readonly request: number; readonly message: string }
  | { readonly event: 'closed'; readonly id: number; readonly packetsSent: number; readonly packetsReceived: number; readonly recording: RecordingResult | null }
  | { readonly event: 'pacerStats'; readonly stats: PacerStats }
  | { readonly event: 'log'; readonly level: LogLevel; readonly message: string; readonly meta: Record<string, unknown> };
