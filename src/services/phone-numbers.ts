/** Facts about E.164 numbers that the services need: country and allow-list checks. */

/** Calling-code prefixes to ISO country, longest first where codes share a prefix. Enough for the allow-lists outdial ships. */
const COUNTRY_PREFIXES: readonly [string, string][] = [
  ['+1787', 'PR'],
  ['+1939', 'PR'],
  ['+1', 'US'],
  ['+44', 'GB'],
  ['+52', 'MX'],
  ['+49', 'DE'],
  ['+33', 'FR'],
  ['+34', 'ES'],
  ['+39', 'IT'],
  ['+61', 'AU'],
  ['+64', 'NZ'],
  ['+81', 'JP'],
  ['+65', 'SG'],
  ['+27', 'ZA'],
  ['+55', 'BR'],
  ['+353', 'IE'],
];

/** ISO 3166 alpha-2 country of an E.164 number, as ListPhoneNumbers reports it ("US" when unknown). */
export function countryOf(e164: string): string {
  return COUNTRY_PREFIXES.find(([prefix]) => e164.startsWith(prefix))?.[1] ?? 'US';
}

/** Why `destination` may not be dialed under these lists, or undefined when it may. */
export function destinationRefusal(
  destination: string,
  allowed: readonly string[],
  blocked: readonly string[],
): string | undefined {
  if (!allowed.some((p) => destination.startsWith(p))) {
    return `Outbound calls to ${destination} are not allowed: the instance may call ${allowed.join(', ') || 'no country'}.`;
  }
  const block = blocked.find((p) => destination.startsWith(p));
  if (block !== undefined) return `Outbound calls to ${block} numbers are blocked for the instance.`;
  return undefined;
}
