/** UpdateContactRecordingBehavior: kept in the state; the flow runner starts and stops the call's recording from it. */
import { next } from '../run.js';
import type { ActionHandler } from '../run.js';

const PARTICIPANTS = ['Agent', 'Customer'];

export const updateContactRecordingBehavior: ActionHandler = {
  spec: {
    errors: ['NoMatchingError'],
    check: (action) => {
      const { RecordingBehavior, AnalyticsBehavior } = action.parameters;
      if (RecordingBehavior === undefined && AnalyticsBehavior === undefined) return ['set RecordingBehavior or AnalyticsBehavior.'];
      const participants = (RecordingBehavior as { RecordedParticipants?: unknown } | undefined)?.RecordedParticipants;
      if (RecordingBehavior !== undefined && (!Array.isArray(participants) || !participants.every((p) => PARTICIPANTS.includes(p as string)))) {
        return ['RecordingBehavior.RecordedParticipants must be a list of "Agent" and "Customer" (empty stops recording).'];
      }
      return [];
    },
  },
  enter(run, action, { values }) {
    run.state.recording = { ...run.state.recording, ...values };
    return next(action);
  },
};
