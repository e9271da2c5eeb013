/**
 * How a final SIP response to our INVITE ends the call, in the Carrier port's terms; the contact service
 * turns these into Connect's disconnect reasons exactly as it does for the simulated network.
 */
import type { CallEndCause } from '../carrier.js';

export function endCauseForStatus(status: number): CallEndCause {
  switch (status) {
    case 486:
    case 600:
      return 'busy';
    case 480:
    case 408:
    case 487:
      return 'no-answer';
    case 603:
      return 'declined';
    case 404:
    case 484:
    case 604:
      return 'unreachable';
    default:
      // 5xx, and the 4xx a callee cannot cause (403 after our credentials, 488, 420 …): the network failed.
      return 'carrier-error';
  }
}
