/**
 * A worker thread of the worker media engine: its own in-process engine (pacer, ports, streams) driven
 * by commands from the main thread, with every event and log line posted back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SystemClock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import { LocalMediaEngine } from './local-media-engine.js';
import type { MediaStream } from './media-engine.js';
import type { LogLevel, WorkerCommand, WorkerEvent, WorkerSetup } from './worker-protocol.js';

const channel = parentPort;
if (channel === null) throw new Error('media-worker.ts runs only as a worker thread');
const setup = workerData as WorkerSetup;
const post = (event: WorkerEvent): void => channel.postMessage(event);

function forwardingLogger(bindings: Record<string, unknown>): Logger {
  const log = (level: LogLevel) => (message: string, meta?: Record<string, unknown>) => post({ event: 'log', level, message, meta: { ...bindings, ...meta } });
  return {
    trace: log('trace'),
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (more) => forwardingLogger({ ...bindings, ...more }),
  };
}

// Media runs in real time whatever the main thread's clock does; recording dates are the main thread's.
const engine = new LocalMediaEngine({ clock: new SystemClock(), ...setup, logger: forwardingLogger({}) });
const streams = new Map<number, MediaStream>();

channel.on('message', (command: WorkerCommand) => {
  if (command.op === 'pacerStats') {
    post({ event: 'pacerStats', stats: engine.pacerStats() });
    return;
  }
  if (command.op === 'open') {
    open(command.id);
    return;
  }
  const { id } = command;
  const stream = streams.get(id);
  switch (command.op) {
    case 'setRemote':
      stream?.setRemote(command.remote);
      return;
    case 'play':
      stream?.play(command.audio, command.token);
      return;
    case 'stopPlaying':
      stream?.stopPlaying();
      return;
    case 'startRecording':
      stream?.startRecording(command.path);
      return;
    case 'stopRecording': {
      const { request } = command;
      (stream?.stopRecording() ?? Promise.resolve(null)).then(
        (recording) => post({ event: 'recordingStopped', id, request, recording }),
        (error: unknown) => post({ event: 'recordingFailed', id, request, message: String(error) }),
      );
      return;
    }
    case 'bridge':
      stream?.bridge(command.peer === null ? null : (streams.get(command.peer) ?? null));
      return;
    case 'close':
      streams.delete(id);
      void (stream?.close() ?? Promise.resolve({ packetsSent: 0, packetsReceived: 0, recording: null })).then((result) => post({ event: 'closed', id, ...result }));
      return;
  }
});

function open(id: number): void {
  engine
    .open({
      digit: (key) => post({ event: 'digit', id, key }),
      playFinished: (token) => post({ event: 'playFinished', id, token }),
      inactive: () => post({ event: 'inactive', id }),
    })
    .then(
      (stream) => {
        streams.set(id, stream);
        post({ event: 'opened', id, port: stream.localPort });
      },
      (error: unknown) => post({ event: 'openFailed', id, message: error instanceof Error ? error.message : String(error) }),
    );
}
