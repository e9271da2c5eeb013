/** The config file's `console` section. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../../src/config/config.js';

describe('console config', () => {
  it('marks cookies Secure when the request came over TLS unless told otherwise', () => {
    assert.equal(loadConfig({}).console.secureCookies, 'auto');
    assert.equal(loadConfig({ file: { console: { secureCookies: true } } }).console.secureCookies, true);
    assert.equal(loadConfig({ file: { console: { secureCookies: false } } }).console.secureCookies, false);
  });

  it('refuses unknown keys and values', () => {
    assert.throws(() => loadConfig({ file: { console: { secureCookie: true } } }), /secureCookie/);
    assert.throws(() => loadConfig({ file: { console: { secureCookies: 'yes' } } }), /secureCookies/);
  });
});
