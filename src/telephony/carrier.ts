/**
 * The Carrier port: how the contact service places calls and talks to them, whatever network carries them
 * (the simulated network in `sim/`, a SIP trunk in `sip/`). Written from the services' point of view.
 */

/** Why a call ended, as the network reports it. */
export type CallEndCause =
  /** The callee's line was busy (SIP 486/600). */
  | 'busy'
  /** The callee rejected the call (SIP 603). */
  | 'declined'
  /** The network gave up ringing before the engine's ring timeout (SIP 480/408). */
  | 'no-answer'
  /** The number does not exist or cannot be routed (SIP 404/484/604). */
  | 'unreachable'
  /** The network failed the call (SIP 5xx, transport failure, no RTP on an answered call). */
  | 'carrier-error'
  /** The callee hung up after answering. */
  | 'callee-hangup';

/** Answering-machine detection outcome, in Connect's AnsweringMachineDetectionStatus terms. */
export type AmdStatus = 'HUMAN_ANSWERED' | 'VOICEMAIL_BEEP' | 'VOICEMAIL_NO_BEEP' | 'AMD_UNRESOLVED';

export interface AnswerInfo {
  /** Present when the dial request enabled answering-machine detection. */
  readonly amdStatus?: AmdStatus;
}

/** What the network tells the engine about one call. Exactly one `ended` arrives, last. */
export interface CallListener {
  ringing(): void;
  /**
   * The callee's line picked up but the call is not reported answered yet: an answering machine whose
   * greeting the engine was asked to wait for. Stops the ring timeout; `answered` follows.
   */
  pickedUp(): void;
  answered(info: AnswerInfo): void;
  /** DTMF keys the callee pressed (RFC 4733 events on SIP). */
  digits(keys: string): void;
  /** The prompt started by `Call.play` finished playing. */
  promptFinished(): void;
  /** A recording started by `Call.record` was saved (when recording stops or the call ends). */
  recorded(recording: SavedRecording): void;
  ended(cause: CallEndCause): void;
}

export interface SavedRecording {
  /** Where the carrier stored it: a file path for the SIP adapter. */
  readonly location: string;
  /** Epoch milliseconds. */
  readonly startedAt: number;
  readonly stoppedAt: number;
}

export interface DialRequest {
  readonly contactId: string;
  readonly instanceId: string;
  /** E.164 destination. */
  readonly to: string;
  /** E.164 caller id presented to the callee. */
  readonly from: string;
  readonly callerIdName?: string;
  readonly answeringMachineDetection: { readonly enabled: boolean; readonly awaitPrompt: boolean };
}

/**
 * A call to an agent for a contact they accepted: their SIP phone registered with outdial under
 * `username`, else their desk phone number through the trunk; the simulated network answers for the
 * agent at once.
 */
export interface AgentDialRequest {
  readonly contactId: string;
  readonly instanceId: string;
  readonly userId: string;
  readonly username: string;
  readonly deskPhoneNumber?: string;
  /** The customer's number, shown on the agent's phone. */
  readonly from: string;
  readonly callerIdName?: string;
}

/** Something for the callee to hear. */
export interface Prompt {
  /** What is said, as plain text (the simulated network times prompts by it). */
  readonly text: string;
  /** SSML to speak instead of `text`. */
  readonly ssml?: string;
  /** A recorded prompt to play instead of speaking: a Connect prompt id or ARN, or a media URI. */
  readonly audio?: string;
  /** The text-to-speech voice (Connect's `TextToSpeechVoice`, e.g. Joanna) and its language (e.g. en-US). */
  readonly voice?: string;
  readonly languageCode?: string;
  /** A key press stops the prompt (barge-in); `promptFinished` follows the keys. */
  readonly interruptible?: boolean;
  /**
   * Built-in hold music instead of speech, for `seconds` (the default queue experience asks for it): on
   * SIP a quiet synthesized loop (media/hold-music.ts), on the simulated network a prompt that lasts that
   * long. `text` is then '' and `ssml`, `audio` and the voice are ignored; `promptFinished` follows the
   * music, as it follows speech.
   */
  readonly music?: { readonly seconds: number };
}

/** A placed call. Methods are fire-and-forget; outcomes arrive through the CallListener. */
export interface Call {
  play(prompt: Prompt): void;
  /** Starts or stops recording the call; each stretch of recording arrives as `recorded`. */
  record(enabled: boolean): void;
  /** Cancels the call if it has not been answered, hangs it up otherwise. No `ended` follows. */
  hangUp(): void;
  /**
   * Connects this answered call's audio with `peer`'s (a call of the same carrier) both ways, keys
   * included, until either call ends; stops what either was playing. Recording, when on, records both
   * parties from then on.
   */
  bridge(peer: Call): void;
}

export interface Carrier {
  dial(request: DialRequest, listener: CallListener): Call;
  /** Calls the agent's phone; `answered` means the agent picked up. */
  dialAgent(request: AgentDialRequest, listener: CallListener): Call;
  /** Drops every call in progress without notifying listeners; used on shutdown. */
  close(): Promise<void>;
}
