import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';

import { isValidSecret, newSecret, signatureHeader } from '../../../src/events/signing.js';

/** `whsec_` and base64 of `bytes` bytes of value 7. */
const secretOf = (bytes: number): string => `whsec_${Buffer.alloc(bytes, 7).toString('base64')}`;

describe('signatureHeader', () => {
  it('is v1, and base64 HMAC-SHA256 over "{id}.{timestamp}.{body}" keyed with the decoded secret', () => {
    const key = Buffer.from('0123456789abcdef0123456789abcdef');
    const secret = `whsec_${key.toString('base64')}`;
    const body = '{"version":"0","detail":{"eventType":"INITIATED"}}';

    const expected = createHmac('sha256', key).update(`msg_1.1700000000.${body}`).digest('base64');

    assert.equal(signatureHeader([secret], 'msg_1', 1700000000, body), `v1,${expected}`);
  });

  it("matches the Standard Webhooks specification's example", () => {
    const header = signatureHeader(['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'], 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');

    assert.equal(header, 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('signs byte for byte what the standardwebhooks package signs, and verifies with it', () => {
    const secret = newSecret();
    const body = '{"emoji":"☎","n":1}';
    const timestamp = Math.floor(Date.now() / 1000);

    const header = signatureHeader([secret], 'evt-1', timestamp, body);

    assert.equal(header, new Webhook(secret).sign('evt-1', new Date(timestamp * 1000), body));
    const headers = { 'webhook-id': 'evt-1', 'webhook-timestamp': String(timestamp), 'webhook-signature': header };
    assert.deepEqual(new Webhook(secret).verify(body, headers), { emoji: '☎', n: 1 });
  });

  it('gives one space-separated v1 signature per secret, in order, each verifying with its own secret', () => {
    const [current, previous] = [newSecret(), newSecret()];
    const timestamp = Math.floor(Date.now() / 1000);

    const header = signatureHeader([current, previous], 'evt-2', timestamp, '{}');

    const parts = header.split(' ');
    assert.equal(parts.length, 2);
    assert.deepEqual(parts, [signatureHeader([current], 'evt-2', timestamp, '{}'), signatureHeader([previous], 'evt-2', timestamp, '{}')]);
    for (const part of parts) assert.match(part, /^v1,[A-Za-z0-9+/]{43}=$/);
    const headers = { 'webhook-id': 'evt-2', 'webhook-timestamp': String(timestamp), 'webhook-signature': header };
    for (const secret of [current, previous]) assert.deepEqual(new Webhook(secret).verify('{}', headers), {});
    assert.throws(() => new Webhook(newSecret()).verify('{}', headers));
  });

  it('changes with the id, the timestamp and the body', () => {
    const secret = secretOf(32);
    const base = signatureHeader([secret], 'a', 1, 'x');

    assert.notEqual(signatureHeader([secret], 'b', 1, 'x'), base);
    assert.notEqual(signatureHeader([secret], 'a', 2, 'x'), base);
    assert.notEqual(signatureHeader([secret], 'a', 1, 'y'), base);
  });

  it('is empty without secrets', () => {
    assert.equal(signatureHeader([], 'a', 1, 'x'), '');
  });
});

describe('newSecret', () => {
  it('makes distinct valid secrets of 32 random bytes', () => {
    const a = newSecret();
    const b = newSecret();

    assert.notEqual(a, b);
    assert.ok(isValidSecret(a));
    assert.match(a, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.equal(Buffer.from(a.slice('whsec_'.length), 'base64').length, 32);
  });
});

describe('isValidSecret', () => {
  it('takes whsec_ and base64 of 24 to 64 bytes', () => {
    for (const bytes of [24, 25, 32, 63, 64]) assert.equal(isValidSecret(secretOf(bytes)), true, `${bytes} bytes`);
  });

  it('refuses fewer than 24 or more than 64 bytes', () => {
    for (const bytes of [0, 1, 16, 23, 65, 128]) assert.equal(isValidSecret(secretOf(bytes)), false, `${bytes} bytes`);
  });

  it('refuses a missing or different prefix', () => {
    const encoded = Buffer.alloc(32, 7).toString('base64');

    assert.equal(isValidSecret(encoded), false);
    assert.equal(isValidSecret(`WHSEC_${encoded}`), false);
    assert.equal(isValidSecret(`whsec${encoded}`), false);
    assert.equal(isValidSecret(`whsk_${encoded}`), false);
    assert.equal(isValidSecret(''), false);
    assert.equal(isValidSecret('whsec_'), false);
  });

  it('refuses what is not standard base64: base64url letters, whitespace, too much or misplaced padding', () => {
    const encoded = Buffer.alloc(32, 0xfb).toString('base64'); // "+/" inside
    assert.match(encoded, /[+/]/);

    assert.equal(isValidSecret(`whsec_${encoded}`), true);
    assert.equal(isValidSecret(`whsec_${encoded.replace(/\+/g, '-').replace(/\//g, '_')}`), false);
    assert.equal(isValidSecret(`whsec_${encoded} `), false);
    assert.equal(isValidSecret(` whsec_${encoded}`), false);
    assert.equal(isValidSecret(`whsec_${encoded.slice(0, 20)} ${encoded.slice(20)}`), false);
    assert.equal(isValidSecret(`whsec_${encoded.replace(/=$/, '===')}`), false);
    assert.equal(isValidSecret(`whsec_=${encoded.replace(/=$/, '')}`), false);
  });
});
