import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';

import {
  authorize,
  formatNonceCount,
  parseChallenge,
  parseChallenges,
  type DigestChallenge,
} from '../../../../src/telephony/sip/digest.js';

/** Parameters of an Authorization value, for assertions that must not depend on parameter order. */
function params(header: string): Map<string, string> {
  assert.match(header, /^Digest /);
  const out = new Map<string, string>();
  for (const match of header.slice(7).matchAll(/([\w-]+)=("((?:[^"\\]|\\.)*)"|[^,\s]+)/g)) {
    out.set(match[1]!, match[3] ?? match[2]!);
  }
  return out;
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

function mustParse(value: string): DigestChallenge {
  const challenge = parseChallenge(value);
  assert.ok(challenge, `no challenge in ${value}`);
  return challenge;
}

describe('digest: RFC 2617 §3.5 worked example', () => {
  const challenge = mustParse(
    'Digest\r\n realm="testrealm@host.com",\r\n qop="auth,auth-int",\r\n nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093",\r\n opaque="5ccc069c403ebaf9f0171e9517f40e41"',
  );

  it('parses the challenge', () => {
    assert.deepEqual(challenge, {
      realm: 'testrealm@host.com',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      opaque: '5ccc069c403ebaf9f0171e9517f40e41',
      algorithm: 'MD5',
      algorithmNamed: false,
      qop: ['auth', 'auth-int'],
      stale: false,
      userhash: false,
    });
  });

  it('computes the published response, choosing qop=auth and not naming the algorithm', () => {
    const header = authorize(challenge, {
      username: 'Mufasa',
      password: 'Circle Of Life',
      method: 'GET',
      uri: '/dir/index.html',
      nc: 1,
      cnonce: '0a4f113b',
    });
    const p = params(header);
    assert.equal(p.get('response'), '6629fae49393a05397450978507c4ef1');
    assert.equal(p.get('username'), 'Mufasa');
    assert.equal(p.get('realm'), 'testrealm@host.com');
    assert.equal(p.get('uri'), '/dir/index.html');
    assert.equal(p.get('qop'), 'auth');
    assert.equal(p.get('nc'), '00000001');
    assert.equal(p.get('cnonce'), '0a4f113b');
    assert.equal(p.get('opaque'), '5ccc069c403ebaf9f0171e9517f40e41');
    assert.equal(p.has('algorithm'), false);
    // qop and nc are tokens, never quoted (some SIP servers reject qop="auth")
    assert.match(header, /qop=auth(,|$)/);
    assert.match(header, /nc=00000001/);
  });
});

describe('digest: RFC 7616 §3.9.1 (SHA-256 and MD5 challenges in one response)', () => {
  const value =
    'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS", ' +
    'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"';
  const credentials = {
    username: 'Mufasa',
    password: 'Circle of Life',
    method: 'GET',
    uri: '/dir/index.html',
    nc: 1,
    cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  };

  it('lists both and picks SHA-256', () => {
    assert.deepEqual(
      parseChallenges(value).map((c) => c.algorithm),
      ['SHA-256', 'MD5'],
    );
    assert.equal(parseChallenge(value)?.algorithm, 'SHA-256');
  });

  it('picks SHA-256 even when MD5 comes first, and when the challenges are separate header lines', () => {
    const [sha, md] = value.split(', Digest ');
    assert.equal(parseChallenge(`Digest ${md!}, ${sha!}`)?.algorithm, 'SHA-256');
    assert.equal(parseChallenge([`Digest ${md!}`, sha!])?.algorithm, 'SHA-256');
  });

  it('computes the published SHA-256 response and echoes algorithm', () => {
    const p = params(authorize(mustParse(value), credentials));
    assert.equal(p.get('response'), '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
    assert.equal(p.get('algorithm'), 'SHA-256');
    assert.equal(p.get('opaque'), 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS');
  });

  it('computes the published MD5 response', () => {
    const md = parseChallenges(value)[1]!;
    const p = params(authorize(md, credentials));
    assert.equal(p.get('response'), '8ca523f5e9506fed4657c9700eebdbec');
    assert.equal(p.get('algorithm'), 'MD5');
  });
});

describe('digest: SHA-512-256 with userhash (the challenge of RFC 7616 §3.9.2)', () => {
  // The response and userhash printed in §3.9.2 cannot be reproduced by any implementation (RFC errata
  // 4897), so this checks the construction against the RFC's formulas computed independently.
  it('hashes the username with the realm and answers with SHA-512/256', () => {
    const sha = (t: string) => createHash('sha512-256').update(t, 'utf8').digest('hex');
    const challenge = mustParse(
      'Digest realm="api@example.org", qop="auth", algorithm=SHA-512-256, nonce="5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK", opaque="HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS", charset=UTF-8, userhash=true',
    );
    const username = 'J\u00e4s\u00f8n Doe';
    const password = 'Secret, or not?';
    const cnonce = 'NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v';
    const p = params(authorize(challenge, { username, password, method: 'GET', uri: '/doe.json', nc: 1, cnonce }));
    const ha1 = sha(`${username}:api@example.org:${password}`);
    const ha2 = sha('GET:/doe.json');
    assert.equal(p.get('username'), sha(`${username}:api@example.org`));
    assert.equal(p.get('response'), sha(`${ha1}:${challenge.nonce}:00000001:${cnonce}:auth:${ha2}`));
    assert.equal(p.get('algorithm'), 'SHA-512-256');
    assert.equal(p.get('userhash'), 'true');
  });

  it('prefers SHA-512-256 over SHA-256 over MD5 (RFC 8760)', () => {
    const c = parseChallenge('Digest realm="r", nonce="1", algorithm=MD5, Digest realm="r", nonce="2", algorithm=SHA-512-256, Digest realm="r", nonce="3", algorithm=SHA-256');
    assert.equal(c?.algorithm, 'SHA-512-256');
  });
});

describe('digest: legacy challenge without qop (RFC 2069 form, still sent by SIP trunks)', () => {
  const challenge = mustParse('Digest realm="sipp.test", nonce="5f3c17538a9b21"');

  it('answers with response = H(HA1:nonce:HA2) and no qop, nc or cnonce', () => {
    const header = authorize(challenge, {
      username: 'outdial',
      password: 's3cret',
      method: 'INVITE',
      uri: 'sip:service@127.0.0.1:5070',
      nc: 1,
      cnonce: 'ignored',
    });
    const ha1 = md5('outdial:sipp.test:s3cret');
    const ha2 = md5('INVITE:sip:service@127.0.0.1:5070');
    assert.equal(
      header,
      `Digest username="outdial", realm="sipp.test", nonce="5f3c17538a9b21", uri="sip:service@127.0.0.1:5070", response="${md5(`${ha1}:5f3c17538a9b21:${ha2}`)}"`,
    );
  });

  it('matches the RFC 2069 example as corrected by its erratum', () => {
    const header = authorize(mustParse('Digest realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"'), {
      username: 'Mufasa',
      password: 'CircleOfLife',
      method: 'GET',
      uri: '/dir/index.html',
      nc: 1,
      cnonce: 'x',
    });
    assert.equal(params(header).get('response'), '1949323746fe6a43ef61f9606e7febea');
  });
});

describe('digest: -sess and auth-int', () => {
  const base = { username: 'u', password: 'p', method: 'INVITE', uri: 'sip:a@b', nc: 2, cnonce: 'cn' } as const;

  it('MD5-sess hashes the nonce and cnonce into HA1', () => {
    const challenge = mustParse('Digest realm="r", nonce="n", algorithm=MD5-sess, qop="auth"');
    const ha1 = md5(`${md5('u:r:p')}:n:cn`);
    const ha2 = md5('INVITE:sip:a@b');
    const p = params(authorize(challenge, base));
    assert.equal(p.get('response'), md5(`${ha1}:n:00000002:cn:auth:${ha2}`));
    assert.equal(p.get('algorithm'), 'MD5-sess');
    assert.equal(p.get('nc'), '00000002');
  });

  it('SHA-256-sess uses SHA-256 throughout', () => {
    const sha = (t: string) => createHash('sha256').update(t).digest('hex');
    const challenge = mustParse('Digest realm="r", nonce="n", algorithm=sha-256-SESS, qop=auth');
    assert.equal(challenge.algorithm, 'SHA-256-sess');
    const ha1 = sha(`${sha('u:r:p')}:n:cn`);
    const p = params(authorize(challenge, base));
    assert.equal(p.get('response'), sha(`${ha1}:n:00000002:cn:auth:${sha('INVITE:sip:a@b')}`));
  });

  it('auth-int hashes the body when that is the only qop offered', () => {
    const challenge = mustParse('Digest realm="r", nonce="n", qop="auth-int"');
    const body = 'v=0\r\n';
    const ha2 = md5(`INVITE:sip:a@b:${md5(body)}`);
    const p = params(authorize(challenge, { ...base, body }));
    assert.equal(p.get('qop'), 'auth-int');
    assert.equal(p.get('response'), md5(`${md5('u:r:p')}:n:00000002:cn:auth-int:${ha2}`));
    // no body: H("") per RFC 2617 §3.2.2.3
    const empty = params(authorize(challenge, base));
    assert.equal(empty.get('response'), md5(`${md5('u:r:p')}:n:00000002:cn:auth-int:${md5(`INVITE:sip:a@b:${md5('')}`)}`));
  });
});

describe('digest: parsing real-world and awkward challenges', () => {
  it('reads case-insensitive scheme, names and algorithm, odd spacing, unquoted values', () => {
    const c = mustParse('DIGEST   Realm = "asterisk" ,NONCE=1a2b/3c+4d==,  Algorithm = md5 , QOP = "AUTH" , Stale = TRUE');
    assert.equal(c.realm, 'asterisk');
    assert.equal(c.nonce, '1a2b/3c+4d==');
    assert.equal(c.algorithm, 'MD5');
    assert.equal(c.algorithmNamed, true);
    assert.deepEqual(c.qop, ['auth']);
    assert.equal(c.stale, true);
  });

  it('keeps commas and escaped quotes inside quoted strings', () => {
    const c = mustParse('Digest realm="a, \\"b\\"", nonce="x,y"');
    assert.equal(c.realm, 'a, "b"');
    assert.equal(c.nonce, 'x,y');
  });

  it('skips other schemes, including token68 credentials', () => {
    const c = mustParse('Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple", Negotiate abc123==, Digest realm="x", nonce="n"');
    assert.equal(c.realm, 'x');
    assert.deepEqual(
      parseChallenges('Basic realm="simple"'),
      [],
    );
  });

  it('reads the challenges SIP servers send', () => {
    // Asterisk chan_pjsip, FreeSWITCH, Kamailio auth module, Twilio-like SHA-256
    const asterisk = mustParse('Digest realm="asterisk",nonce="1700000000/abcdef0123456789",opaque="66b1f4a8e1d7fd8a",algorithm=md5,qop="auth"');
    assert.equal(asterisk.opaque, '66b1f4a8e1d7fd8a');
    assert.equal(asterisk.algorithm, 'MD5');
    const freeswitch = mustParse('Digest realm="10.0.0.1", nonce="0d5a3b0e-8f6c-4a1e-9d2f-1b2c3d4e5f60", algorithm=MD5, qop="auth"');
    assert.equal(freeswitch.nonce, '0d5a3b0e-8f6c-4a1e-9d2f-1b2c3d4e5f60');
    const kamailio = mustParse('Digest realm="example.com", nonce="ZWJkZjU0ZTQ2YTZmOWM4YmQxZDY0NTE2ZTFmZmI0ZWM="');
    assert.deepEqual(kamailio.qop, []);
    assert.equal(kamailio.algorithmNamed, false);
    const sha = mustParse('Digest realm="sip.example.net", algorithm=SHA-256, qop="auth", nonce="abc", opaque="o"');
    assert.equal(sha.algorithm, 'SHA-256');
  });

  it('returns null for what it cannot answer', () => {
    assert.equal(parseChallenge(''), null);
    assert.equal(parseChallenge('Digest realm="x"'), null, 'no nonce');
    assert.equal(parseChallenge('Digest nonce="n"'), null, 'no realm');
    assert.equal(parseChallenge('Digest realm="x", nonce="n", algorithm=SHA-1'), null);
    assert.equal(parseChallenge('Digest realm="x", nonce="n", qop="auth-conf"'), null);
    assert.equal(parseChallenge('Digest realm="x, nonce="n"'), null, 'unterminated quote');
    assert.equal(parseChallenge('Digest realm'), null);
  });

  it('falls back to a supported challenge when the preferred one is unknown', () => {
    const c = parseChallenge('Digest realm="x", nonce="a", algorithm=SHA-1, Digest realm="x", nonce="b", algorithm=MD5');
    assert.equal(c?.nonce, 'b');
  });
});

describe('digest: formatting', () => {
  it('escapes quotes and backslashes in quoted values', () => {
    const c = mustParse('Digest realm="x", nonce="n"');
    const header = authorize(c, { username: 'a"b\\c', password: 'p', method: 'INVITE', uri: 'sip:x', nc: 1, cnonce: 'c' });
    assert.match(header, /username="a\\"b\\\\c"/);
    assert.equal(params(header).get('username'), 'a\\"b\\\\c');
  });

  it('formats the nonce count as 8 hex digits and refuses nonsense', () => {
    assert.equal(formatNonceCount(1), '00000001');
    assert.equal(formatNonceCount(255), '000000ff');
    assert.throws(() => formatNonceCount(0), RangeError);
    assert.throws(() => formatNonceCount(1.5), RangeError);
  });
});

describe('digest: agrees with SIPp 3.6.1 (values from its [authentication] keyword, accepted by its <verifyauth>)', () => {
  it('qop=auth with opaque', () => {
    const challenge = mustParse('Digest realm="sipp.test", nonce="19195b15f3c17538a9b21", opaque="0pq", algorithm=MD5, qop="auth"');
    const p = params(authorize(challenge, { username: 'outdial', password: 'wrong', method: 'INVITE', uri: 'sip:127.0.0.1:5070', nc: 1, cnonce: '6b8b4567' }));
    assert.equal(p.get('response'), '5211d269a6eb4f55b6e5b0a922d95baf');
  });

  it('no qop, for the INVITE and for the ACK of its 2xx (hashed with the method ACK)', () => {
    const challenge = mustParse('Digest realm="sipp.test", nonce="19204p1a1b2c3d4e5f6"');
    const base = { username: 'outdial', password: 's3cret', uri: 'sip:127.0.0.1:5070', nc: 1, cnonce: 'unused' };
    assert.equal(params(authorize(challenge, { ...base, method: 'INVITE' })).get('response'), '2cb7e967c0491ca59b5532a2d3e645db');
    assert.equal(params(authorize(challenge, { ...base, method: 'ACK' })).get('response'), '7b4689ecbe85934d7a58d23a8e0ae365');
  });
});
