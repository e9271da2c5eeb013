/**
 * PhoneNumberValidation for stored DTMF input: turns the keyed digits into an E.164 number, or undefined
 * when they cannot be one. Local numbers are checked against a small table of countries.
 */

/** Country → calling code and the length range of its national significant number. */
const COUNTRIES: Readonly<Record<string, readonly [code: string, min: number, max: number]>> = {
  US: ['1', 10, 10],
  CA: ['1', 10, 10],
  GB: ['44', 9, 10],
  IE: ['353', 7, 9],
  AU: ['61', 9, 9],
  NZ: ['64', 8, 10],
  DE: ['49', 6, 13],
  FR: ['33', 9, 9],
  ES: ['34', 9, 9],
  IT: ['39', 6, 11],
  NL: ['31', 9, 9],
  MX: ['52', 10, 10],
  BR: ['55', 10, 11],
  IN: ['91', 10, 10],
  JP: ['81', 9, 10],
  SG: ['65', 8, 8],
  ZA: ['27', 9, 9],
};

export const PHONE_COUNTRIES = Object.keys(COUNTRIES);

export function toE164(digits: string, format: string, countryCode: string | undefined): string | undefined {
  if (!/^\d+$/.test(digits)) return undefined;
  if (format === 'E164') return /^[1-9]\d{7,14}$/.test(digits) ? `+${digits}` : undefined;
  const country = countryCode !== undefined && Object.hasOwn(COUNTRIES, countryCode) ? COUNTRIES[countryCode] : undefined;
  if (country === undefined) return undefined;
  const [code, min, max] = country;
  // A national trunk prefix (0 in most of the world, 1 in North America) is not part of the number.
  const national = code === '1' ? digits.replace(/^1(?=\d{10}$)/, '') : digits.replace(/^0/, '');
  return national.length >= min && national.length <= max ? `+${code}${national}` : undefined;
}
