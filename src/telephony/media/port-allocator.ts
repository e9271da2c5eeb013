/**
 * Even RTP ports from a range (RFC 3550 §11: RTP even, RTCP the odd one above). Ports are handed out
 * round-robin rather than lowest-first, so a port just released is not reused at once: late packets of
 * the call that had it would land in the next call. Ports other processes hold are found by binding
 * (EADDRINUSE) and skipped.
 */
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';

export interface PortRange {
  /** Inclusive bounds; odd bounds are moved inward to the nearest even port. */
  readonly min: number;
  readonly max: number;
}

export const DEFAULT_PORT_RANGE: PortRange = { min: 20000, max: 40000 };

export interface BoundSocket {
  readonly socket: dgram.Socket;
  readonly port: number;
}

export class PortAllocator {
  readonly #first: number;
  readonly #count: number;
  readonly #taken = new Set<number>();
  #cursor: number;

  constructor(range: PortRange = DEFAULT_PORT_RANGE, random: () => number = Math.random) {
    this.#first = range.min + (range.min % 2);
    const last = range.max - (range.max % 2);
    if (range.min < 1 || range.max > 65535 || last < this.#first) {
      throw new RangeError(`RTP port range ${range.min}-${range.max} holds no even port`);
    }
    this.#count = (last - this.#first) / 2 + 1;
    // A random start spreads restarts and several engines on one host over the range.
    this.#cursor = Math.floor(random() * this.#count);
  }

  /** Binds a new UDP socket to the next free even port on `address`. */
  async bind(address: string): Promise<BoundSocket> {
    for (let tried = 0; tried < this.#count; tried++) {
      const port = this.#first + 2 * this.#cursor;
      this.#cursor = (this.#cursor + 1) % this.#count;
      if (this.#taken.has(port)) continue;
      const socket = await tryBind(address, port);
      if (socket === null) continue;
      this.#taken.add(port);
      return { socket, port };
    }
    throw new Error(`no free RTP port in ${this.#first}-${this.#first + 2 * (this.#count - 1)} on ${address}`);
  }

  release(port: number): void {
    this.#taken.delete(port);
  }
}

/** The socket bound to `port`, or null when something else holds the port. */
function tryBind(address: string, port: number): Promise<dgram.Socket | null> {
  const socket = dgram.createSocket({ type: isIPv6(address) ? 'udp6' : 'udp4' });
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException): void => {
      socket.close();
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(null);
      else reject(error);
    };
    socket.once('error', failed);
    socket.bind({ port, address, exclusive: true }, () => {
      socket.off('error', failed);
      resolve(socket);
    });
  });
}
