/**
 * Who may register a SIP phone with outdial: a Connect user, by their Username and password (the
 * registrar checks digest responses against the HA1 values stored at CreateUser). The phone's domain
 * names the instance (its alias or id); any other domain, such as outdial's IP address, finds the user
 * when exactly one instance has that username.
 */
import type { Store } from '../store/store.js';

export interface PhoneCredentials {
  readonly userId: string;
  readonly ha1: Readonly<Record<string, string>>;
}

/** Instances searched for a username when the domain names none; Connect allows a handful per account. */
const MAX_INSTANCES = 100;

export function phoneCredentials(store: Store): (username: string, domain: string) => Promise<PhoneCredentials | undefined> {
  return async (username, domain) => {
    const named = (await store.instances.findByAlias(domain)) ?? (await store.instances.get(domain));
    const instances = named !== undefined ? [named] : await store.instances.list({ limit: MAX_INSTANCES });
    const found = [];
    for (const instance of instances) {
      const user = await store.users.findByUsername(instance.id, username);
      if (user?.sipHa1 != null) found.push({ userId: user.id, ha1: user.sipHa1 });
    }
    return found.length === 1 ? found[0] : undefined;
  };
}
