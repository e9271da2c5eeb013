import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { arns, instanceIdFrom, resourceIdFrom } from '../../../src/services/arns.js';

const CTX = { region: 'us-west-2', accountId: '123456789012' };
const INSTANCE_ID = '11111111-2222-3333-4444-555555555555';

describe('arns', () => {
  it('builds ARNs in AWS form', () => {
    assert.equal(arns.instance(CTX, INSTANCE_ID), `arn:aws:connect:us-west-2:123456789012:instance/${INSTANCE_ID}`);
    assert.equal(arns.queue(CTX, INSTANCE_ID, 'q-1'), `arn:aws:connect:us-west-2:123456789012:instance/${INSTANCE_ID}/queue/q-1`);
    assert.equal(arns.phoneNumber(CTX, 'p-1'), 'arn:aws:connect:us-west-2:123456789012:phone-number/p-1');
  });

  it('builds agent-side ARNs as Connect names them: agent, routing-profile, agent-state', () => {
    const instance = `arn:aws:connect:us-west-2:123456789012:instance/${INSTANCE_ID}`;
    assert.equal(arns.user(CTX, INSTANCE_ID, 'u-1'), `${instance}/agent/u-1`);
    assert.equal(arns.routingProfile(CTX, INSTANCE_ID, 'r-1'), `${instance}/routing-profile/r-1`);
    assert.equal(arns.agentStatus(CTX, INSTANCE_ID, 's-1'), `${instance}/agent-state/s-1`);
    assert.equal(resourceIdFrom(arns.user(CTX, INSTANCE_ID, 'u-1')), 'u-1');
  });
});

describe('instanceIdFrom', () => {
  it('takes the id out of an instance ARN', () => {
    assert.equal(instanceIdFrom(arns.instance(CTX, INSTANCE_ID)), INSTANCE_ID);
  });

  it('takes the id out of an instance ARN in another partition', () => {
    assert.equal(instanceIdFrom(`arn:aws-cn:connect:cn-north-1:123456789012:instance/${INSTANCE_ID}`), INSTANCE_ID);
  });

  it('returns a bare id as it is', () => {
    assert.equal(instanceIdFrom(INSTANCE_ID), INSTANCE_ID);
  });

  it('returns an ARN of anything but an instance as it is', () => {
    const queueArn = arns.queue(CTX, INSTANCE_ID, 'q-1');

    assert.equal(instanceIdFrom(queueArn), queueArn);
    assert.equal(instanceIdFrom(`arn:aws:s3:us-west-2:123456789012:instance/${INSTANCE_ID}`), `arn:aws:s3:us-west-2:123456789012:instance/${INSTANCE_ID}`);
  });
});

describe('resourceIdFrom', () => {
  it('takes the last path segment of a resource ARN', () => {
    assert.equal(resourceIdFrom(arns.queue(CTX, INSTANCE_ID, 'q-1')), 'q-1');
    assert.equal(resourceIdFrom(arns.contactFlow(CTX, INSTANCE_ID, 'f-1')), 'f-1');
    assert.equal(resourceIdFrom(arns.hoursOfOperation(CTX, INSTANCE_ID, 'h-1')), 'h-1');
    assert.equal(resourceIdFrom(arns.phoneNumber(CTX, 'p-1')), 'p-1');
  });

  it('returns a bare id as it is', () => {
    assert.equal(resourceIdFrom('q-1'), 'q-1');
  });
});
