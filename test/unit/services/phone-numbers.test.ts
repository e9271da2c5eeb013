import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DEFAULTS } from '../../../src/config/defaults.js';
import { countryOf, destinationRefusal } from '../../../src/services/phone-numbers.js';

describe('countryOf', () => {
  it('names the country of a number by its calling code', () => {
    assert.equal(countryOf('+12065550100'), 'US');
    assert.equal(countryOf('+442071838750'), 'GB');
    assert.equal(countryOf('+525512345678'), 'MX');
    assert.equal(countryOf('+4930123456'), 'DE');
    assert.equal(countryOf('+61212345678'), 'AU');
    assert.equal(countryOf('+81312345678'), 'JP');
  });

  it('prefers the longer prefix where codes overlap', () => {
    assert.equal(countryOf('+17875550100'), 'PR');
    assert.equal(countryOf('+19395550100'), 'PR');
    assert.equal(countryOf('+353112345678'), 'IE');
  });

  it('says US for a calling code it does not know', () => {
    assert.equal(countryOf('+9715012345678'), 'US');
  });
});

describe('destinationRefusal', () => {
  const allowed = DEFAULTS.allowedPrefixes;
  const blocked = DEFAULTS.blockedPrefixes;

  it('allows a number under an allowed prefix and no blocked one', () => {
    assert.equal(destinationRefusal('+12065550100', allowed, blocked), undefined);
    assert.equal(destinationRefusal('+442071838750', allowed, blocked), undefined);
    assert.equal(destinationRefusal('+525512345678', allowed, blocked), undefined);
  });

  it('refuses a number outside the allowed prefixes, listing them', () => {
    const reason = destinationRefusal('+33123456789', allowed, blocked);

    assert.equal(reason, 'Outbound calls to +33123456789 are not allowed: the instance may call +1, +52, +44.');
  });

  it('refuses a number on a blocked prefix even when its country is allowed, naming the prefix', () => {
    const reason = destinationRefusal('+447700900123', allowed, blocked);

    assert.equal(reason, 'Outbound calls to +447 numbers are blocked for the instance.');
  });

  it('refuses every number when nothing is allowed', () => {
    assert.match(destinationRefusal('+12065550100', [], []) ?? '', /may call no country/);
  });
});
