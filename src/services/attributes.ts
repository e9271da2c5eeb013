import { InvalidParameterException } from './errors.js';

/** Connect's limit on a contact's attributes: 32,768 UTF-8 bytes across all keys and values. */
export const MAX_ATTRIBUTE_BYTES = 32_768;
const KEY = /^[A-Za-z0-9_-]+$/;

/** Throws InvalidParameterException unless every key is alphanumeric/`-`/`_` and the total fits. */
export function checkAttributes(attributes: Readonly<Record<string, string>>): void {
  let bytes = 0;
  for (const [key, value] of Object.entries(attributes)) {
    if (!KEY.test(key)) {
      throw new InvalidParameterException(`Attribute key "${key.slice(0, 64)}" may contain only letters, digits, "-" and "_".`);
    }
    bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (bytes > MAX_ATTRIBUTE_BYTES) {
    throw new InvalidParameterException(`Attributes total ${bytes} bytes; the limit is ${MAX_ATTRIBUTE_BYTES} UTF-8 bytes per contact.`);
  }
}
