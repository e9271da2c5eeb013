/**
 * SIP transports (RFC 3261 §18): one UDP port and a TCP listener on the same port number, plus TCP
 * connections opened toward peers on demand. What arrives is parsed and handed up with a way to answer
 * on the same transport; what cannot be parsed is counted and dropped, so a malformed datagram or a
 * broken stream never touches another call.
 *
 * UDP toward each peer goes out of a socket connected to that peer and bound to the shared port
 * (SO_REUSEADDR): the kernel then reports ICMP port-unreachable for that peer as ECONNREFUSED, which is
 * the only way a UDP sender learns that nothing listens, and its answers still arrive on our port.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { isIPv6 } from 'node:net';
import type { Logger } from '../../shared/logger.js';
import { frameLength, parseMessage, SipParseError, type SipMessage } from './message.js';

export type TransportName = 'udp' | 'tcp';

export interface Peer {
  readonly transport: TransportName;
  /** An IP address literal (names are resolved before they get here). */
  readonly address: string;
  readonly port: number;
}

export interface Inbound {
  readonly message: SipMessage;
  /** Where it came from: the address a response or a symmetric reply goes to. */
  readonly source: Peer;
}

export interface TransportHandlers {
  message(inbound: Inbound): void;
  /** Sending to `peer` failed at the transport (ICMP unreachable, TCP refused or reset). */
  unreachable(peer: Peer, error: Error): void;
  /** A datagram or stream could not be parsed or framed, and was dropped. */
  malformed(): void;
}

export interface SipTransportOptions {
  readonly bindAddress: string;
  /** 0 picks a free port; UDP and TCP share it. */
  readonly port: number;
  readonly logger: Logger;
  /** Idle TCP connections we opened are closed after this long. */
  readonly tcpIdleMs?: number;
}

const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

export class SipTransport {
  #udp: dgram.Socket | undefined;
  #tcpServer: net.Server | undefined;
  readonly #connectedUdp = new Map<string, UdpPeer>();
  readonly #tcp = new Map<string, TcpConnection>();
  #port = 0;
  #closed = false;
  /** Datagrams and stream messages dropped because they could not be parsed. */
  malformed = 0;

  constructor(
    private readonly options: SipTransportOptions,
    private readonly handlers: TransportHandlers,
  ) {}

  get port(): number {
    return this.#port;
  }

  async listen(): Promise<void> {
    // With port 0 the UDP port is the kernel's pick, and its number may be taken for TCP: pick again.
    for (let attempt = 1; ; attempt++) {
      const udp = await this.#bindUdp();
      try {
        await this.#listenTcp(udp.address().port);
        this.#udp = udp;
        this.#port = udp.address().port;
        return;
      } catch (error) {
        await new Promise<void>((resolve) => udp.close(() => resolve()));
        if (this.options.port !== 0 || attempt >= 5 || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      }
    }
  }

  async #bindUdp(): Promise<dgram.Socket> {
    const type = isIPv6(this.options.bindAddress) ? 'udp6' : 'udp4';
    const udp = dgram.createSocket({ type, reuseAddr: true, recvBufferSize: SOCKET_BUFFER_BYTES, sendBufferSize: SOCKET_BUFFER_BYTES });
    udp.on('message', (data, rinfo) => this.#datagram(data, rinfo));
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(this.options.port, this.options.bindAddress, () => {
        udp.off('error', reject);
        resolve();
      });
    });
    udp.on('error', (error) => this.options.logger.warn('SIP UDP socket error', { error: error.message }));
    return udp;
  }

  async #listenTcp(port: number): Promise<void> {
    const server = net.createServer((socket) => this.#adopt(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.options.bindAddress, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (error) => this.options.logger.warn('SIP TCP listener error', { error: error.message }));
    this.#tcpServer = server;
  }

  send(data: Buffer, peer: Peer): void {
    if (this.#closed) return;
    if (peer.transport === 'tcp') this.#tcpConnection(peer).send(data);
    else this.#udpTo(peer).send(data);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const peer of this.#connectedUdp.values()) peer.close();
    this.#connectedUdp.clear();
    for (const connection of this.#tcp.values()) connection.destroy();
    this.#tcp.clear();
    await Promise.all([
      new Promise<void>((resolve) => (this.#udp ? this.#udp.close(() => resolve()) : resolve())),
      new Promise<void>((resolve) => (this.#tcpServer ? this.#tcpServer.close(() => resolve()) : resolve())),
    ]);
  }

  #datagram(data: Buffer, rinfo: dgram.RemoteInfo): void {
    // A datagram of only CRLFs is a keep-alive (RFC 5626 §3.5.1); nothing to answer over UDP.
    if (data.length <= 4 && data.every((b) => b === 0x0d || b === 0x0a)) return;
    this.#deliver(data, { transport: 'udp', address: rinfo.address, port: rinfo.port });
  }

  #deliver(data: Buffer, source: Peer): void {
    let message: SipMessage;
    try {
      message = parseMessage(data);
    } catch (error) {
      this.malformed++;
      if (!(error instanceof SipParseError)) throw error;
      this.handlers.malformed();
      this.options.logger.debug('SIP message dropped', { from: `${source.address}:${source.port}`, reason: error.message });
      return;
    }
    this.handlers.message({ message, source });
  }

  #udpTo(peer: Peer): UdpPeer {
    const key = `${peer.address}:${peer.port}`;
    const known = this.#connectedUdp.get(key);
    if (known !== undefined) return known;
    const type = isIPv6(peer.address) ? 'udp6' : 'udp4';
    const socket = dgram.createSocket({ type, reuseAddr: true, recvBufferSize: SOCKET_BUFFER_BYTES, sendBufferSize: SOCKET_BUFFER_BYTES });
    const udpPeer = new UdpPeer(socket);
    this.#connectedUdp.set(key, udpPeer);
    socket.on('message', (data, rinfo) => this.#datagram(data, rinfo));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED' || error.code === 'EHOSTUNREACH' || error.code === 'ENETUNREACH') this.handlers.unreachable(peer, error);
      else this.options.logger.warn('SIP UDP socket error', { peer: key, error: error.message });
    });
    socket.bind(this.#port, this.options.bindAddress, () => socket.connect(peer.port, peer.address, () => udpPeer.connected()));
    return udpPeer;
  }

  #tcpConnection(peer: Peer): TcpConnection {
    const key = `${peer.address}:${peer.port}`;
    let connection = this.#tcp.get(key);
    if (connection === undefined || connection.destroyed) {
      const socket = net.connect({ host: peer.address, port: peer.port, localAddress: this.options.bindAddress });
      connection = this.#adopt(socket, peer);
    }
    return connection;
  }

  #adopt(socket: net.Socket, peer?: Peer): TcpConnection {
    const remote: Peer = peer ?? { transport: 'tcp', address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    const key = `${remote.address}:${remote.port}`;
    const connection = new TcpConnection(socket, {
      message: (data) => this.#deliver(data, remote),
      malformed: (reason) => {
        this.malformed++;
        this.handlers.malformed();
        this.options.logger.debug('SIP stream closed: cannot frame', { from: key, reason });
      },
      failed: (error) => this.handlers.unreachable(remote, error),
      closed: () => {
        if (this.#tcp.get(key) === connection) this.#tcp.delete(key);
      },
    });
    this.#tcp.set(key, connection);
    return connection;
  }
}

/** A UDP socket connected to one peer; what is sent before the connect completes waits for it. */
class UdpPeer {
  #queued: Buffer[] | null = [];

  constructor(private readonly socket: dgram.Socket) {}

  connected(): void {
    const queued = this.#queued ?? [];
    this.#queued = null;
    for (const data of queued) this.socket.send(data);
  }

  send(data: Buffer): void {
    if (this.#queued !== null) this.#queued.push(data);
    else this.socket.send(data);
  }

  close(): void {
    this.socket.close();
  }
}

interface TcpEvents {
  message(data: Buffer): void;
  malformed(reason: string): void;
  failed(error: Error): void;
  closed(): void;
}

/** One TCP connection: frames messages by Content-Length; a stream that cannot be framed is closed. */
class TcpConnection {
  #buffer: Buffer = Buffer.alloc(0);

  constructor(
    private readonly socket: net.Socket,
    private readonly events: TcpEvents,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.#data(chunk));
    socket.on('error', (error) => this.events.failed(error));
    socket.on('close', () => this.events.closed());
  }

  get destroyed(): boolean {
    return this.socket.destroyed;
  }

  send(data: Buffer): void {
    this.socket.write(data);
  }

  destroy(): void {
    this.socket.destroy();
  }

  #data(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      // CRLF keep-alives between messages (RFC 5626 §3.5.1) are dropped here, so pings never pile up.
      let skip = 0;
      while (this.#buffer[skip] === 0x0d || this.#buffer[skip] === 0x0a) skip++;
      if (skip > 0) this.#buffer = this.#buffer.subarray(skip);
      let length: number;
      try {
        length = frameLength(this.#buffer);
      } catch (error) {
        this.events.malformed((error as Error).message);
        this.socket.destroy();
        return;
      }
      if (length === 0) return;
      const message = this.#buffer.subarray(0, length);
      this.#buffer = this.#buffer.subarray(length);
      this.events.message(message);
    }
  }
}
