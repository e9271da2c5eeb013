/** The web app's display helpers (plain functions, run here without a browser). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { activityLabel, phoneNumber, reasonLabel } from '../../../web/src/format.js';
import { duration } from '../../../web/src/time.js';

describe('console display helpers', () => {
  it('format durations as m:ss or h:mm:ss, never negative', () => {
    assert.equal(duration(0), '0:00');
    assert.equal(duration(75_400), '1:15');
    assert.equal(duration(3_725_000), '1:02:05');
    assert.equal(duration(-5000), '0:00');
  });

  it('format North American numbers and leave others as E.164', () => {
    assert.equal(phoneNumber('+12065550101'), '+1 (206) 555-0101');
    assert.equal(phoneNumber('+442071838750'), '+442071838750');
  });

  it('name activities and disconnect reasons for people', () => {
    assert.equal(activityLabel('acw'), 'After-contact work');
    assert.equal(activityLabel('on-contact'), 'On contact');
    assert.equal(reasonLabel('CUSTOMER_DISCONNECT'), 'Customer disconnect');
    assert.equal(reasonLabel(null), '');
  });
});
