/** UpdateContactTextToSpeechVoice: the voice later prompts are spoken with. */
import { next } from '../run.js';
import type { ActionHandler } from '../run.js';
import type { VoiceSettings } from '../types.js';
import { asText } from '../values.js';

const KEYS = ['TextToSpeechVoice', 'TextToSpeechEngine', 'TextToSpeechStyle'];

export const updateContactTextToSpeechVoice: ActionHandler = {
  spec: {
    errors: ['NoMatchingError'],
    check: (action) => (KEYS.some((key) => action.parameters[key] !== undefined) ? [] : [`set at least one of ${KEYS.join(', ')}.`]),
  },
  enter(run, action, { values }) {
    const engine = asText(values.TextToSpeechEngine) ?? run.state.voice.engine;
    const style = asText(values.TextToSpeechStyle) ?? run.state.voice.style;
    const voice: VoiceSettings = {
      voice: asText(values.TextToSpeechVoice) ?? run.state.voice.voice,
      ...(engine === undefined ? {} : { engine }),
      ...(style === undefined ? {} : { style }),
    };
    run.state.voice = voice;
    return next(action);
  },
};
