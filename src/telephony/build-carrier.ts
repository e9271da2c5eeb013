/**
 * Builds the carrier the config asks for: the simulated network alone when no trunk is configured, else a
 * router over the simulated network and one SIP user agent's trunks, with the SIP adapter's media engine
 * and prompt rendering. A missing text-to-speech engine stops the start here, with a clear error.
 */
import type { TelephonyConfig } from '../config/config.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Metrics } from '../shared/metrics.js';
import type { Carrier, Prompt } from './carrier.js';
import { LocalMediaEngine } from './media/local-media-engine.js';
import type { MediaEngine } from './media/media-engine.js';
import { WorkerMediaEngine } from './media/worker-media-engine.js';
import { prepareHoldMusic } from './media/hold-music.js';
import { PromptRenderer, type PromptSource } from './media/prompt-renderer.js';
import { EspeakTts } from './media/tts.js';
import { RoutingCarrier } from './routing-carrier.js';
import type { CalleeScript } from './sim/callee-script.js';
import { SimulatedNetwork } from './sim/simulated-network.js';
import type { AgentCredentialsLookup } from './sip/registrar.js';

export type { AgentCredentials, AgentCredentialsLookup } from './sip/registrar.js';
import { SipCarrier } from './sip/sip-carrier.js';

export interface BuiltCarrier {
  readonly carrier: Carrier;
  /** Present when routes exist: resolves their instance aliases once the instances do. */
  readonly routing?: RoutingCarrier;
  readonly sip?: SipCarrier;
}

export interface BuildCarrierDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /**
   * Agents' digest credentials by username, for the SIP registrar their phones REGISTER with; without it
   * outdial refuses REGISTER. Ignored when no trunk is configured (no SIP user agent runs).
   */
  readonly agentCredentials?: AgentCredentialsLookup;
  /** How long the simulated network's agents take to answer, in clock milliseconds (1 s by default). */
  readonly simulatedAgentAnswerMs?: number;
}

export async function buildCarrier(telephony: TelephonyConfig, callees: readonly CalleeScript[], deps: BuildCarrierDeps): Promise<BuiltCarrier> {
  const sim = new SimulatedNetwork(deps.clock, callees, { ...(deps.simulatedAgentAnswerMs !== undefined && { agentAnswerMs: deps.simulatedAgentAnswerMs }) });
  if (telephony.trunks.length === 0) return { carrier: sim };

  const { sip } = telephony;
  await EspeakTts.check(sip.ttsCommand);
  // A tenth of a second of synthesis, done now rather than in the middle of the first queued call's RTP.
  prepareHoldMusic();
  const renderer = new PromptRenderer(new EspeakTts({ command: sip.ttsCommand }));
  const logger = deps.logger.child({ component: 'sip' });
  const carrier = await SipCarrier.start(
    {
      bindAddress: sip.bindAddress,
      port: sip.port,
      ...(sip.publicAddress !== undefined && { publicAddress: sip.publicAddress }),
      trunks: telephony.trunks,
      sessionExpiresSeconds: sip.sessionExpiresSeconds,
      userAgent: 'outdial',
      udpMtuBytes: sip.udpMtuBytes,
      recordingsDir: sip.recordingsDir,
    },
    {
      clock: deps.clock,
      logger,
      metrics: deps.metrics,
      media: mediaEngine(sip, deps.clock, logger),
      ...(deps.agentCredentials !== undefined && { agentCredentials: deps.agentCredentials }),
      renderPrompt: (prompt) => renderer.render(rendererInput(prompt, sip.promptFiles, logger), { ...(prompt.voice !== undefined && { voice: prompt.voice }), ...(prompt.languageCode !== undefined && { languageCode: prompt.languageCode }) }),
    },
  );
  const carriers = new Map<string, Carrier>([['sim', sim]]);
  for (const trunk of telephony.trunks) carriers.set(trunk.name, carrier.trunk(trunk.name));
  const routing = new RoutingCarrier(carriers, telephony.routes, telephony.default, carrier.agentPhones);
  return { carrier: routing, routing, sip: carrier };
}

/** RTP on this thread, or spread over worker threads (one per core for the heaviest loads). */
function mediaEngine(sip: TelephonyConfig['sip'], clock: Clock, logger: Logger): MediaEngine {
  const options = { clock, bindAddress: sip.bindAddress, portRange: { min: sip.rtpPortMin, max: sip.rtpPortMax }, inactivityMs: sip.rtpInactivityMs, logger };
  return sip.mediaWorkers > 0 ? new WorkerMediaEngine({ ...options, workers: sip.mediaWorkers }) : new LocalMediaEngine(options);
}

/**
 * Hold music is synthesized; a recorded prompt plays its configured file; one with no file is spoken as its
 * text, and logged.
 */
function rendererInput(
  prompt: Prompt,
  files: Readonly<Record<string, string>>,
  logger: Logger,
): PromptSource {
  if (prompt.music !== undefined) return { kind: 'music', seconds: prompt.music.seconds };
  if (prompt.audio !== undefined) {
    // Flows name prompts by ARN or by id; config may list either.
    const path = files[prompt.audio] ?? files[prompt.audio.slice(prompt.audio.lastIndexOf('/') + 1)];
    if (path !== undefined) return { kind: 'file', path };
    logger.warn('no audio file configured for prompt; speaking its name', { prompt: prompt.audio });
  }
  if (prompt.ssml !== undefined) return { kind: 'ssml', ssml: prompt.ssml };
  return { kind: 'text', text: prompt.text };
}
