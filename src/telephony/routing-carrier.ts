/**
 * Picks the carrier for each call: the first configured route whose instance and number pattern fit the
 * dial request names the carrier (the simulated network, or a SIP trunk); calls no route fits go to the
 * default carrier. Lets one outdial dial real numbers on a trunk while test ranges stay simulated.
 * An agent's call goes to their SIP phone when one is registered with this node, else to the carrier
 * their desk phone number routes to (the default carrier when they have none).
 */
import type { AgentDialRequest, Call, CallListener, Carrier, DialRequest } from './carrier.js';

export interface CarrierRoute {
  /** An E.164 number, or a prefix ending in `*` (`+44*`); any number when absent. */
  readonly match?: string;
  /** An instance id or alias; any instance when absent. */
  readonly instance?: string;
  readonly carrier: string;
}

/** Agents' phones registered with the SIP user agent: they win over any route. */
export interface RegisteredPhones {
  registered(userId: string): boolean;
  dialAgent(request: AgentDialRequest, listener: CallListener): Call;
}

export class RoutingCarrier implements Carrier {
  /** Instance aliases in routes, resolved to ids once the instances exist. */
  readonly #instanceIds = new Map<string, string>();

  constructor(
    private readonly carriers: ReadonlyMap<string, Carrier>,
    private readonly routes: readonly CarrierRoute[],
    private readonly defaultCarrier: string,
    private readonly phones?: RegisteredPhones,
  ) {
    for (const name of [defaultCarrier, ...routes.map((r) => r.carrier)]) {
      if (!carriers.has(name)) throw new Error(`no carrier named "${name}"`);
    }
  }

  /** Resolves the routes' instance aliases; an alias that names no instance matches nothing. */
  async resolveInstances(idOf: (aliasOrId: string) => Promise<string | undefined>): Promise<void> {
    for (const route of this.routes) {
      if (route.instance === undefined) continue;
      const id = await idOf(route.instance);
      if (id !== undefined) this.#instanceIds.set(route.instance, id);
    }
  }

  /** The carrier name a request goes to. */
  carrierFor(request: Pick<DialRequest, 'to' | 'instanceId'>): string {
    const route = this.routes.find(
      (r) =>
        (r.instance === undefined || r.instance === request.instanceId || this.#instanceIds.get(r.instance) === request.instanceId) &&
        (r.match === undefined || matches(r.match, request.to)),
    );
    return route?.carrier ?? this.defaultCarrier;
  }

  dial(request: DialRequest, listener: CallListener): Call {
    return this.carriers.get(this.carrierFor(request))!.dial(request, listener);
  }

  dialAgent(request: AgentDialRequest, listener: CallListener): Call {
    if (this.phones?.registered(request.userId) === true) return this.phones.dialAgent(request, listener);
    const carrier = this.carrierFor({ to: request.deskPhoneNumber ?? '', instanceId: request.instanceId });
    return this.carriers.get(carrier)!.dialAgent(request, listener);
  }

  async close(): Promise<void> {
    await Promise.all([...new Set(this.carriers.values())].map((c) => c.close()));
  }
}

function matches(pattern: string, number: string): boolean {
  return pattern.endsWith('*') ? number.startsWith(pattern.slice(0, -1)) : number === pattern;
}
