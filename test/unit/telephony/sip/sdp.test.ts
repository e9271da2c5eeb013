import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  answerOffer,
  buildOffer,
  effectiveDirection,
  isHold,
  negotiateAnswer,
  parseSdp,
  SdpError,
  type MediaDescription,
  type SessionDescription,
} from '../../../../src/telephony/sip/sdp.js';

const crlf = (...lines: string[]) => `${lines.join('\r\n')}\r\n`;
const lf = (...lines: string[]) => `${lines.join('\n')}\n`;

function audio(sdp: SessionDescription, index = 0): MediaDescription {
  const media = sdp.media[index];
  assert.ok(media, `no m= line ${index}`);
  return media;
}

const LOCAL = {
  sessionId: '4242',
  version: 2,
  address: '192.0.2.10',
  port: 20000,
  codecs: ['PCMU', 'PCMA'],
  telephoneEventPayloadType: 101,
} as const;

// Answers captured from (or shaped exactly like) what real peers send.
const ASTERISK = crlf(
  'v=0',
  'o=- 1700000000 1700000002 IN IP4 203.0.113.10',
  's=Asterisk',
  'c=IN IP4 203.0.113.10',
  't=0 0',
  'm=audio 17324 RTP/AVP 0 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  'a=ptime:20',
  'a=maxptime:150',
  'a=sendrecv',
);
const FREESWITCH = crlf(
  'v=0',
  'o=FreeSWITCH 1700001234 1700001235 IN IP4 198.51.100.7',
  's=FreeSWITCH',
  'c=IN IP4 198.51.100.7',
  't=0 0',
  'm=audio 24572 RTP/AVP 8 101',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  'a=ptime:20',
  'a=rtcp:24573 IN IP4 198.51.100.7',
);
const TWILIO_LIKE = crlf(
  'v=0',
  'o=root 1125447342 1125447342 IN IP4 54.172.60.1',
  's=Twilio Media Gateway',
  'c=IN IP4 54.172.60.1',
  't=0 0',
  'm=audio 12970 RTP/AVP 0 126',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:126 telephone-event/8000',
  'a=fmtp:126 0-16',
  'a=ptime:20',
  'a=sendrecv',
);
/** `sipp -sd uas`, with [local_ip] etc. filled in: PCMU only, no telephone-event, no direction. */
const SIPP_UAS = crlf(
  'v=0',
  'o=user1 53655765 2353687637 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 6000 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
);

describe('sdp: buildOffer', () => {
  it('offers PCMU, PCMA and telephone-event with CRLF lines', () => {
    const sdp = buildOffer(LOCAL);
    assert.equal(
      sdp,
      crlf(
        'v=0',
        'o=outdial 4242 2 IN IP4 192.0.2.10',
        's=outdial',
        'c=IN IP4 192.0.2.10',
        't=0 0',
        'm=audio 20000 RTP/AVP 0 8 101',
        'a=rtpmap:0 PCMU/8000',
        'a=rtpmap:8 PCMA/8000',
        'a=rtpmap:101 telephone-event/8000',
        'a=fmtp:101 0-16',
        'a=ptime:20',
        'a=sendrecv',
      ),
    );
    assert.doesNotMatch(sdp.replaceAll('\r\n', ''), /[\r\n]/, 'no bare LF or CR');
  });

  it('writes IP6 for an IPv6 address, a chosen direction, ptime and codec order', () => {
    const sdp = buildOffer({ ...LOCAL, address: '2001:db8::10', codecs: ['PCMA'], direction: 'sendonly', ptime: 30 });
    assert.match(sdp, /^o=outdial 4242 2 IN IP6 2001:db8::10\r$/m);
    assert.match(sdp, /^c=IN IP6 2001:db8::10\r$/m);
    assert.match(sdp, /^m=audio 20000 RTP\/AVP 8 101\r$/m);
    assert.match(sdp, /^a=ptime:30\r$/m);
    assert.match(sdp, /^a=sendonly\r$/m);
  });

  it('parses back to what it offered', () => {
    const parsed = parseSdp(buildOffer(LOCAL));
    const media = audio(parsed);
    assert.equal(media.port, 20000);
    assert.deepEqual(
      media.formats.map((f) => [f.payloadType, f.encoding, f.fmtp]),
      [
        [0, 'PCMU', null],
        [8, 'PCMA', null],
        [101, 'telephone-event', '0-16'],
      ],
    );
    assert.equal(parsed.origin?.sessionVersion, '2');
  });

  it('refuses impossible input (a programming error, not an SdpError)', () => {
    assert.throws(() => buildOffer({ ...LOCAL, port: 0 }), RangeError);
    assert.throws(() => buildOffer({ ...LOCAL, codecs: [] }), RangeError);
    assert.throws(() => buildOffer({ ...LOCAL, telephoneEventPayloadType: 8 }), RangeError);
    assert.throws(() => buildOffer({ ...LOCAL, sessionId: 'abc' }), RangeError);
  });

  it('can leave out telephone-event', () => {
    assert.doesNotMatch(buildOffer({ ...LOCAL, telephoneEventPayloadType: null }), /telephone-event|101/);
  });
});

describe('sdp: parseSdp and negotiateAnswer on real answers', () => {
  it('Asterisk: PCMU with telephone-event 101', () => {
    assert.deepEqual(negotiateAnswer(parseSdp(ASTERISK), ['PCMU', 'PCMA']), {
      address: '203.0.113.10',
      port: 17324,
      codec: 'PCMU',
      payloadType: 0,
      telephoneEventPayloadType: 101,
      direction: 'sendrecv',
    });
    assert.equal(audio(parseSdp(ASTERISK)).ptime, 20);
  });

  it('FreeSWITCH: PCMA chosen, no direction attribute means sendrecv', () => {
    const remote = negotiateAnswer(parseSdp(FREESWITCH), ['PCMU', 'PCMA']);
    assert.equal(remote.codec, 'PCMA');
    assert.equal(remote.payloadType, 8);
    assert.equal(remote.direction, 'sendrecv');
    assert.equal(remote.telephoneEventPayloadType, 101);
  });

  it('Twilio-like: telephone-event on a payload type other than 101', () => {
    assert.equal(negotiateAnswer(parseSdp(TWILIO_LIKE), ['PCMU', 'PCMA']).telephoneEventPayloadType, 126);
  });

  it("SIPp's built-in UAS: no telephone-event", () => {
    const remote = negotiateAnswer(parseSdp(SIPP_UAS), ['PCMU', 'PCMA']);
    assert.equal(remote.telephoneEventPayloadType, null);
    assert.equal(remote.port, 6000);
  });

  it('LF line ends, static payload types without rtpmap, lower-case encodings, media-level c=', () => {
    const sdp = parseSdp(
      lf('v=0', 'o=CiscoSystemsSIP-GW-UserAgent 6542 2221 IN IP4 10.1.1.1', 's=SIP Call', 't=0 0', 'm=audio 16384 RTP/AVP 18 8 0 100', 'c=IN IP4 10.1.1.2', 'a=rtpmap:100 X-NSE/8000', 'a=rtpmap:101 pcmu/8000'),
    );
    const media = audio(sdp);
    assert.equal(sdp.connection, null);
    assert.deepEqual(media.connection, { addressType: 'IP4', address: '10.1.1.2' });
    assert.deepEqual(
      media.formats.map((f) => f.encoding),
      ['G729', 'PCMA', 'PCMU', 'X-NSE'],
    );
    const remote = negotiateAnswer(sdp, ['PCMU', 'PCMA']);
    assert.equal(remote.codec, 'PCMA', 'the answer order decides, not ours');
    assert.equal(remote.telephoneEventPayloadType, null);
    const lower = parseSdp(lf('v=0', 'c=IN IP4 10.0.0.1', 'm=audio 5000 RTP/AVP 96 97', 'a=rtpmap:96 pcmu/8000', 'a=rtpmap:97 Telephone-Event/8000'));
    assert.deepEqual(negotiateAnswer(lower, ['PCMU']), {
      address: '10.0.0.1',
      port: 5000,
      codec: 'PCMU',
      payloadType: 96,
      telephoneEventPayloadType: 97,
      direction: 'sendrecv',
    });
  });

  it('IPv6 connection', () => {
    const sdp = parseSdp(crlf('v=0', 'o=- 1 1 IN IP6 2001:db8::1', 's=-', 'c=IN IP6 2001:db8::1', 't=0 0', 'm=audio 40000 RTP/AVP 0', 'a=sendrecv'));
    assert.deepEqual(audio(sdp).connection, { addressType: 'IP6', address: '2001:db8::1' });
    assert.equal(negotiateAnswer(sdp, ['PCMU']).address, '2001:db8::1');
  });

  it('skips a rejected stream and a non-audio one; uses the first accepted audio', () => {
    const sdp = parseSdp(
      crlf('v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', 'm=video 0 RTP/AVP 31', 'm=audio 0 RTP/AVP 0', 'm=audio 3456 RTP/AVP 8 0', 'a=recvonly'),
    );
    assert.equal(sdp.media.length, 3);
    const remote = negotiateAnswer(sdp, ['PCMU', 'PCMA']);
    assert.equal(remote.port, 3456);
    assert.equal(remote.codec, 'PCMA');
    assert.equal(remote.direction, 'sendonly', 'they only receive, so we only send');
  });

  it('session-level direction applies unless the media level overrides it', () => {
    const base = ['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', 'a=sendonly'];
    assert.equal(audio(parseSdp(crlf(...base, 'm=audio 4000 RTP/AVP 0'))).direction, 'sendonly');
    assert.equal(audio(parseSdp(crlf(...base, 'm=audio 4000 RTP/AVP 0', 'a=sendrecv'))).direction, 'sendrecv');
  });

  it('throws SdpError when no usable audio or codec remains', () => {
    assert.throws(() => negotiateAnswer(parseSdp(crlf('v=0', 'c=IN IP4 1.2.3.4', 'm=audio 0 RTP/AVP 0')), ['PCMU']), SdpError);
    assert.throws(() => negotiateAnswer(parseSdp(crlf('v=0', 'c=IN IP4 1.2.3.4', 'm=audio 4000 RTP/AVP 18')), ['PCMU', 'PCMA']), SdpError);
    assert.throws(() => negotiateAnswer(parseSdp(crlf('v=0', 'c=IN IP4 1.2.3.4', 'm=audio 4000 RTP/AVP 8')), ['PCMU']), SdpError);
    assert.throws(() => negotiateAnswer(parseSdp(crlf('v=0', 'm=audio 4000 RTP/AVP 0')), ['PCMU']), SdpError, 'no c=');
    assert.throws(() => negotiateAnswer(parseSdp(crlf('v=0', 'c=IN IP4 1.2.3.4', 'm=audio 4000 RTP/SAVP 0')), ['PCMU']), SdpError, 'SRTP');
  });
});

describe('sdp: hold (RFC 3264 §8.4)', () => {
  const held = (...media: string[]) => parseSdp(crlf('v=0', 'o=- 1 2 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', 'm=audio 4000 RTP/AVP 0 101', 'a=rtpmap:101 telephone-event/8000', ...media));

  it('a=sendonly: the far end holds us; we receive only', () => {
    const sdp = held('a=sendonly');
    assert.equal(isHold(audio(sdp)), true);
    assert.equal(negotiateAnswer(sdp, ['PCMU']).direction, 'recvonly');
  });

  it('a=inactive', () => {
    const sdp = held('a=inactive');
    assert.equal(isHold(audio(sdp)), true);
    assert.equal(negotiateAnswer(sdp, ['PCMU']).direction, 'inactive');
  });

  it('c=IN IP4 0.0.0.0 (RFC 2543 hold) means send nothing to them', () => {
    const sdp = parseSdp(crlf('v=0', 'o=- 1 2 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 0.0.0.0', 't=0 0', 'm=audio 4000 RTP/AVP 0'));
    assert.equal(audio(sdp).direction, 'sendrecv', 'as written');
    assert.equal(effectiveDirection(audio(sdp)), 'sendonly');
    assert.equal(isHold(audio(sdp)), true);
    const remote = negotiateAnswer(sdp, ['PCMU']);
    assert.equal(remote.direction, 'recvonly');
    assert.equal(remote.address, '0.0.0.0');
    const recvonlyToo = parseSdp(crlf('v=0', 'c=IN IP4 0.0.0.0', 'm=audio 4000 RTP/AVP 0', 'a=recvonly'));
    assert.equal(effectiveDirection(audio(recvonlyToo)), 'inactive');
  });

  it('sendrecv and recvonly are not hold', () => {
    assert.equal(isHold(audio(held('a=sendrecv'))), false);
    assert.equal(isHold(audio(held('a=recvonly'))), false);
  });
});

describe('sdp: answerOffer (re-INVITE / UPDATE from the far end)', () => {
  const offer = (direction: string, connection = '203.0.113.5') =>
    parseSdp(
      crlf(
        'v=0',
        'o=- 1700000000 1700000003 IN IP4 203.0.113.5',
        's=Asterisk',
        `c=IN IP4 ${connection}`,
        't=0 0',
        'm=audio 17324 RTP/AVP 8 0 101',
        'a=rtpmap:8 PCMA/8000',
        'a=rtpmap:0 PCMU/8000',
        'a=rtpmap:101 telephone-event/8000',
        'a=fmtp:101 0-16',
        `a=${direction}`,
      ),
    );

  for (const [theirs, ours] of [
    ['sendonly', 'recvonly'],
    ['inactive', 'inactive'],
    ['recvonly', 'sendonly'],
    ['sendrecv', 'sendrecv'],
  ] as const) {
    it(`answers ${theirs} with ${ours}`, () => {
      const { sdp, remote } = answerOffer(offer(theirs), { ...LOCAL, codecs: ['PCMU'] });
      assert.match(sdp, new RegExp(`^a=${ours}\\r$`, 'm'));
      assert.equal(remote.direction, ours);
      assert.equal(audio(parseSdp(sdp)).direction, ours);
    });
  }

  it('keeps our codec choice even when the offer prefers another, with the offer’s payload types', () => {
    const { sdp, remote } = answerOffer(offer('sendrecv'), { ...LOCAL, codecs: ['PCMU'] });
    assert.deepEqual(remote, {
      address: '203.0.113.5',
      port: 17324,
      codec: 'PCMU',
      payloadType: 0,
      telephoneEventPayloadType: 101,
      direction: 'sendrecv',
    });
    assert.equal(
      sdp,
      crlf(
        'v=0',
        'o=outdial 4242 2 IN IP4 192.0.2.10',
        's=outdial',
        'c=IN IP4 192.0.2.10',
        't=0 0',
        'm=audio 20000 RTP/AVP 0 101',
        'a=rtpmap:0 PCMU/8000',
        'a=rtpmap:101 telephone-event/8000',
        'a=fmtp:101 0-16',
        'a=ptime:20',
        'a=sendrecv',
      ),
    );
  });

  it('answers the offer’s telephone-event payload type, and none when it has none', () => {
    const withTe = parseSdp(crlf('v=0', 'c=IN IP4 10.0.0.1', 'm=audio 5000 RTP/AVP 0 96', 'a=rtpmap:96 telephone-event/8000'));
    const answer = answerOffer(withTe, LOCAL);
    assert.match(answer.sdp, /^m=audio 20000 RTP\/AVP 0 96\r$/m);
    assert.equal(answer.remote.telephoneEventPayloadType, 96);
    const without = answerOffer(parseSdp(crlf('v=0', 'c=IN IP4 10.0.0.1', 'm=audio 5000 RTP/AVP 0')), LOCAL);
    assert.match(without.sdp, /^m=audio 20000 RTP\/AVP 0\r$/m);
    assert.equal(without.remote.telephoneEventPayloadType, null);
  });

  it('answers old-style hold (0.0.0.0) with recvonly', () => {
    const { remote } = answerOffer(offer('sendrecv', '0.0.0.0'), LOCAL);
    assert.equal(remote.direction, 'recvonly');
  });

  it('rejects every other stream with port 0, keeping the m= line count', () => {
    const sdp = parseSdp(
      crlf('v=0', 'c=IN IP4 10.0.0.1', 't=0 0', 'm=video 5002 RTP/AVP 31', 'm=audio 5000 RTP/AVP 0', 'm=image 5004 udptl t38', 'a=T38FaxVersion:0'),
    );
    const answer = answerOffer(sdp, LOCAL);
    const parsed = parseSdp(answer.sdp);
    assert.deepEqual(
      parsed.media.map((m) => `${m.type} ${m.port} ${m.protocol} ${m.fmt.join(' ')}`),
      ['video 0 RTP/AVP 31', 'audio 20000 RTP/AVP 0', 'image 0 udptl t38'],
    );
    assert.equal(answer.remote.port, 5000);
  });

  it('throws SdpError when there is no common codec or no audio', () => {
    assert.throws(() => answerOffer(parseSdp(crlf('v=0', 'c=IN IP4 10.0.0.1', 'm=audio 5000 RTP/AVP 18 9')), LOCAL), SdpError);
    assert.throws(() => answerOffer(parseSdp(crlf('v=0', 'c=IN IP4 10.0.0.1', 'm=audio 5000 RTP/AVP 8')), { ...LOCAL, codecs: ['PCMU'] }), SdpError, 'keeps PCMU, offer has only PCMA');
    assert.throws(() => answerOffer(parseSdp(crlf('v=0', 'c=IN IP4 10.0.0.1', 'm=video 5000 RTP/AVP 31')), LOCAL), SdpError);
  });
});

describe('sdp: garbage', () => {
  for (const [label, text] of [
    ['empty', ''],
    ['plain text', 'hello world'],
    ['HTML', '<html><body>502 Bad Gateway</body></html>'],
    ['wrong version', 'v=1\r\n'],
    ['no v= first', 'o=- 1 1 IN IP4 1.2.3.4\r\nv=0\r\n'],
    ['a non-SDP line', 'v=0\r\nthis is not sdp\r\n'],
    ['bad port', 'v=0\r\nm=audio port RTP/AVP 0\r\n'],
    ['port out of range', 'v=0\r\nm=audio 70000 RTP/AVP 0\r\n'],
    ['short m= line', 'v=0\r\nm=audio 4000\r\n'],
    ['bad payload type', 'v=0\r\nm=audio 4000 RTP/AVP PCMU\r\n'],
    ['payload type > 127', 'v=0\r\nm=audio 4000 RTP/AVP 200\r\n'],
    ['bad c=', 'v=0\r\nc=IN IPX 1.2.3.4\r\n'],
    ['bad o=', 'v=0\r\no=- 1 IN IP4\r\n'],
    ['bad rtpmap', 'v=0\r\nm=audio 4000 RTP/AVP 96\r\na=rtpmap:96 opus\r\n'],
  ] as const) {
    it(`throws SdpError on ${label}`, () => {
      assert.throws(() => parseSdp(text), SdpError);
    });
  }

  it('ignores lines it has no use for and trailing blank lines', () => {
    const sdp = parseSdp(
      crlf('v=0', 'o=- 1 1 IN IP4 1.2.3.4', 's=-', 'i=info', 'u=http://x', 'e=a@b', 'b=AS:64', 't=0 0', 'r=7d 1h 0 25h', 'm=audio 4000 RTP/AVP 0', 'b=TIAS:64000', 'a=rtcp-mux', 'c=IN IP4 1.2.3.4', '', ''),
    );
    assert.equal(audio(sdp).attributes[0]?.name, 'rtcp-mux');
    assert.equal(audio(sdp).port, 4000);
  });
});
