/**
 * A SIP trunk as calls see it: where INVITEs go (the trunk, or its outbound proxy), how the callee and the
 * caller ID are written, and the digest credentials the trunk may ask for.
 */
import type { DialRequest } from '../carrier.js';
import type { SipDestination } from './sip-call.js';
import type { Peer, TransportName } from './transport.js';

export interface TrunkConfig {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly transport: TransportName;
  readonly username?: string;
  readonly password?: string;
  /** Domain of the From URI; the trunk's host when not set. */
  readonly fromDomain?: string;
  /** User part of the From URI; the caller's number when not set. */
  readonly fromUser?: string;
  /** Replaces the contact's caller ID number (E.164). */
  readonly callerIdNumber?: string;
  /** Replaces the contact's caller ID name (the queue's outbound caller ID name). */
  readonly callerIdName?: string;
  /** Adds P-Asserted-Identity with the caller ID number, as trunks that trust us expect (RFC 3325). */
  readonly assertIdentity: boolean;
  /** How numbers are written in URIs: `+12065550100` (e164) or `12065550100` (digits). */
  readonly numberFormat: 'e164' | 'digits';
  /** Send every request through this proxy (a loose route, RFC 3261 §16.12). */
  readonly outboundProxy?: { readonly host: string; readonly port: number };
}

export class SipTrunk {
  constructor(
    readonly config: TrunkConfig,
    /** The resolved next hop: the outbound proxy when there is one, else the trunk. */
    readonly peer: Peer,
  ) {}

  get name(): string {
    return this.config.name;
  }

  get domain(): string {
    return this.config.host;
  }

  get credentials(): { readonly username: string; readonly password: string } | undefined {
    const { username, password } = this.config;
    return username !== undefined && password !== undefined ? { username, password } : undefined;
  }

  /** Where a call to `request.to` on this trunk goes, and the caller ID it presents. */
  destination(request: Pick<DialRequest, 'to' | 'from' | 'callerIdName'>): SipDestination {
    return {
      name: this.name,
      requestUri: this.requestUri(request.to),
      peer: this.peer,
      to: `<sip:${this.calleeUser(request.to)}@${this.domain}>`,
      from: this.fromHeader(request.from, request.callerIdName),
      credentials: this.credentials,
      identityHeaders: this.callerIdHeaders(request.from),
      routeHeaders: this.routeHeaders(),
    };
  }

  calleeUser(number: string): string {
    return this.config.numberFormat === 'digits' ? number.replace(/^\+/, '') : number;
  }

  requestUri(to: string): string {
    const { host, port, transport } = this.config;
    return `sip:${this.calleeUser(to)}@${bracket(host)}:${port}${transport === 'tcp' ? ';transport=tcp' : ''}`;
  }

  fromHeader(number: string, name: string | undefined): string {
    const displayName = this.config.callerIdName ?? name;
    const user = this.config.fromUser ?? this.calleeUser(this.config.callerIdNumber ?? number);
    const uri = `<sip:${user}@${bracket(this.config.fromDomain ?? this.config.host)}>`;
    return displayName !== undefined && displayName !== '' ? `${quote(displayName)} ${uri}` : uri;
  }

  callerIdHeaders(number: string): [string, string][] {
    if (!this.config.assertIdentity) return [];
    const caller = this.calleeUser(this.config.callerIdNumber ?? number);
    return [['P-Asserted-Identity', `<sip:${caller}@${bracket(this.config.fromDomain ?? this.config.host)}>`]];
  }

  routeHeaders(): [string, string][] {
    const proxy = this.config.outboundProxy;
    return proxy === undefined ? [] : [['Route', `<sip:${bracket(proxy.host)}:${proxy.port};lr${this.config.transport === 'tcp' ? ';transport=tcp' : ''}>`]];
  }
}

function bracket(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** A name-addr with an optional display name: `"Name" <uri>`, or `<uri>`. */
export function nameAddr(displayName: string | undefined, uri: string): string {
  return displayName !== undefined && displayName !== '' ? `${quote(displayName)} <${uri}>` : `<${uri}>`;
}

function quote(name: string): string {
  return `"${name.replace(/["\\]/g, (c) => `\\${c}`).replace(/[\r\n]/g, ' ')}"`;
}
