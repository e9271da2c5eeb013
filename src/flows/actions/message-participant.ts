/** MessageParticipant: plays one prompt, waits until it has finished, then goes on. */
import { error, next } from '../run.js';
import type { ActionHandler } from '../run.js';
import { checkPrompt, promptOf } from './prompt.js';

export const messageParticipant: ActionHandler = {
  spec: { errors: ['NoMatchingError'], lenientReferences: true, check: (action) => checkPrompt(action.parameters) },
  enter(run, _action, { values }) {
    const prompt = promptOf(values);
    if (prompt === undefined) return error('NoMatchingError', 'the prompt reference resolved to nothing');
    const seq = run.seq();
    run.emit({ type: 'Play', seq, prompt, voice: run.state.voice, interruptibleByDigits: false });
    return { kind: 'wait', wait: { kind: 'prompt', promptSeq: seq } };
  },
  resume(_run, action, wait, event) {
    if (event.type !== 'PromptFinished' || wait.kind !== 'prompt' || event.seq !== wait.promptSeq) return undefined;
    return next(action);
  },
};
