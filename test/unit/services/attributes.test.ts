import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { InvalidParameterException } from '../../../src/api/errors.js';
import { checkAttributes, MAX_ATTRIBUTE_BYTES } from '../../../src/services/attributes.js';

describe('checkAttributes', () => {
  it('accepts keys of letters, digits, "-" and "_"', () => {
    assert.doesNotThrow(() => checkAttributes({ customerName: 'Ana', 'order-id': '42', account_no: '7', X9: '' }));
  });

  it('accepts no attributes at all', () => {
    assert.doesNotThrow(() => checkAttributes({}));
  });

  it('refuses a key with any other character, naming the key', () => {
    for (const key of ['first name', 'a.b', 'x:y', 'clé', 'a/b', '']) {
      assert.throws(
        () => checkAttributes({ [key]: 'v' }),
        (error: unknown) => error instanceof InvalidParameterException && error.message.includes(`"${key}"`),
        JSON.stringify(key),
      );
    }
  });

  it('accepts attributes of exactly 32,768 bytes, keys included', () => {
    assert.equal(MAX_ATTRIBUTE_BYTES, 32_768);

    assert.doesNotThrow(() => checkAttributes({ k: 'x'.repeat(32_767) }));
    assert.doesNotThrow(() => checkAttributes({ aa: 'x'.repeat(16_382), bb: 'y'.repeat(16_382) }));
  });

  it('refuses attributes one byte over the limit, keys included', () => {
    assert.throws(() => checkAttributes({ k: 'x'.repeat(32_768) }), InvalidParameterException);
    assert.throws(() => checkAttributes({ aa: 'x'.repeat(16_382), bbb: 'y'.repeat(16_382) }), InvalidParameterException);
  });

  it('counts multi-byte characters in UTF-8 bytes, not characters', () => {
    // "é" is 2 bytes and "😀" 4 in UTF-8 (and 1 and 2 UTF-16 units).
    assert.doesNotThrow(() => checkAttributes({ k: 'é'.repeat(16_383) + 'x' }));
    assert.throws(() => checkAttributes({ k: 'é'.repeat(16_384) }), InvalidParameterException);
    assert.doesNotThrow(() => checkAttributes({ k: '😀'.repeat(8_191) + 'xxx' }));
    assert.throws(() => checkAttributes({ k: '😀'.repeat(8_192) }), InvalidParameterException);
  });

  it('says how many bytes the attributes total', () => {
    assert.throws(() => checkAttributes({ k: 'é'.repeat(16_384) }), /32769 bytes/);
  });
});
