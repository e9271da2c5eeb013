import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { describe, it } from 'node:test';

import { PortAllocator } from '../../../src/telephony/media/port-allocator.js';

async function occupy(port: number): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', resolve));
  return socket;
}

const close = (socket: dgram.Socket): Promise<void> => new Promise((resolve) => socket.close(resolve));

describe('PortAllocator', () => {
  it('hands out even ports round-robin, skipping one another process holds', async () => {
    const squatter = await occupy(43302);
    // random() = 0 starts the round at the bottom of the range.
    const ports = new PortAllocator({ min: 43301, max: 43307 }, () => 0);
    const first = await ports.bind('127.0.0.1');
    const second = await ports.bind('127.0.0.1');
    assert.deepEqual([first.port, second.port], [43304, 43306]);
    await assert.rejects(ports.bind('127.0.0.1'), /no free RTP port in 43302-43306/);
    await close(squatter);
    const third = await ports.bind('127.0.0.1');
    assert.equal(third.port, 43302);
    await close(first.socket);
    ports.release(first.port);
    const again = await ports.bind('127.0.0.1');
    assert.equal(again.port, 43304);
    await Promise.all([second, third, again].map(({ socket }) => close(socket)));
  });

  it('refuses a range without an even port', () => {
    assert.throws(() => new PortAllocator({ min: 43311, max: 43311 }), RangeError);
    assert.throws(() => new PortAllocator({ min: 0, max: 10 }), RangeError);
  });

  it('reports errors other than a busy port', async () => {
    await assert.rejects(new PortAllocator({ min: 43320, max: 43330 }).bind('192.0.2.1'), { code: 'EADDRNOTAVAIL' });
  });
});
