/** UpdateContactAttributes: merges attributes into the contact, all or nothing, within Connect's 32 KB. */
import { error, next, oneOf, unsupported } from '../run.js';
import type { ActionHandler } from '../run.js';
import { asText } from '../values.js';

/** Connect's limit on the total size of a contact's attributes (keys and values, UTF-8). */
export const MAX_ATTRIBUTES_BYTES = 32_768;

const utf8 = new TextEncoder();

export function attributesSize(attributes: Readonly<Record<string, string>>): number {
  return Object.entries(attributes).reduce((sum, [key, value]) => sum + utf8.encode(key).length + utf8.encode(value).length, 0);
}

export const updateContactAttributes: ActionHandler = {
  spec: {
    errors: ['NoMatchingError'],
    check: (action) => {
      const attributes = action.parameters.Attributes;
      const faults = oneOf(action.parameters, 'TargetContact', ['Current', 'Related']);
      if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes) || Object.keys(attributes).length === 0) {
        faults.push('Attributes must be an object with at least one key.');
      }
      return faults;
    },
  },
  enter(run, action, { values }) {
    if (values.TargetContact === 'Related') return unsupported(run, action, 'UpdateContactAttributes on the related contact is not supported');
    const changes: Record<string, string> = {};
    for (const [key, value] of Object.entries(values.Attributes as Record<string, unknown>)) {
      const text = asText(value);
      if (text === undefined) return error('NoMatchingError', `attribute ${key} is not a string value`);
      changes[key] = text;
    }
    const attributes = { ...run.state.attributes, ...changes };
    const size = attributesSize(attributes);
    if (size > MAX_ATTRIBUTES_BYTES) return error('NoMatchingError', `attributes would take ${size} bytes, over the ${MAX_ATTRIBUTES_BYTES}-byte limit`);
    run.state.attributes = attributes;
    run.emit({ type: 'SetContactAttributes', attributes: changes });
    run.log({ kind: 'AttributesChanged', attributes: changes });
    return next(action);
  },
};
