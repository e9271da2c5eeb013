/** TransferToFlow: continues the contact in another published flow, from its StartAction. */
import { error } from '../run.js';
import type { ActionHandler } from '../run.js';
import { asText } from '../values.js';

export const transferToFlow: ActionHandler = {
  spec: {
    errors: ['NoMatchingError'],
    check: (action) => (typeof action.parameters.ContactFlowId === 'string' ? [] : ['ContactFlowId is required (a flow id or ARN).']),
  },
  enter(run, _action, { values }) {
    const flowRef = asText(values.ContactFlowId);
    const flow = flowRef === undefined ? undefined : run.context.flow(flowRef);
    if (flowRef === undefined || flow === undefined) return error('NoMatchingError', `flow ${flowRef} not found or not published`);
    return { kind: 'transfer', flowRef, flow };
  },
};
