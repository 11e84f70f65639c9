/** Attack cases on the JOSE header: `alg: none`, algorithm confusion, key type mismatch, embedded keys. */
import { sign as cryptoSign } from 'node:crypto';
import { type AttackCase, type AttackContext, INVALID_TOKEN } from './attack-context.js';
import { b64u, forge, parts, publicKeyForms } from './forge.js';

const REJECT = [INVALID_TOKEN];

function noneCase(spelling: string): AttackCase {
  return {
    name: `alg "${spelling}" with an empty signature is refused`,
    ref: 'RFC 8725 §2.1, §3.1; CVE-2015-9235 (jsonwebtoken)',
    token: (c) => forge({ header: { alg: spelling, typ: 'at+jwt' }, payload: c.claims(), signature: '' }),
    expect: REJECT,
    codes: ['alg_none', 'alg_not_allowed'],
  };
}

/** HS* signed with the provider's public key as the HMAC secret, the classic confusion (CVE-2016-10555). */
function confusion(
  name: string,
  alg: string,
  secret: (c: AttackContext) => string | Buffer,
  kid: 'rsa' | 'ec',
): AttackCase {
  return {
    name: `algorithm confusion: ${alg} keyed with ${name}`,
    ref: 'RFC 8725 §2.1, §3.1; CVE-2016-10555 (jsonwebtoken), CVE-2023-48223 (fast-jwt)',
    token: (c) => c.signWith(secret(c), { alg, typ: 'at+jwt', kid: c[kid].kid }, c.claims(), alg),
    expect: REJECT,
    codes: ['alg_not_allowed'],
  };
}

const rsaPem = (c: AttackContext) => publicKeyForms(c.rsa.publicJwk).spkiPem;

export const algorithmCases: AttackCase[] = [
  noneCase('none'),
  noneCase('None'),
  noneCase('NONE'),
  noneCase('nOnE'),
  {
    name: 'alg "none" keeping a genuine signature is refused',
    ref: 'RFC 8725 §3.1',
    token: (c) => {
      const [, payload, sig] = parts(c.validToken);
      return `${b64u(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: c.rsa.kid }))}.${payload}.${sig}`;
    },
    expect: REJECT,
    codes: ['alg_none', 'alg_not_allowed'],
  },
  {
    name: 'missing alg header is refused',
    ref: 'RFC 7515 §4.1.1',
    token: (c) =>
      forge({
        header: { typ: 'at+jwt', kid: c.rsa.kid },
        payload: c.claims(),
        key: c.rsa.privateKey,
        alg: 'RS256',
      }),
    expect: REJECT,
    codes: ['token_malformed', 'alg_not_allowed'],
  },
  {
    name: 'alg as an array ["RS256"] (type confusion) is refused',
    ref: 'RFC 7515 §4.1.1 (alg is a string)',
    token: (c) =>
      forge({
        header: { alg: ['RS256'], typ: 'at+jwt', kid: c.rsa.kid },
        payload: c.claims(),
        key: c.rsa.privateKey,
        alg: 'RS256',
      }),
    expect: REJECT,
    codes: ['token_malformed', 'alg_not_allowed'],
  },
  confusion('the RSA public key (SPKI PEM)', 'HS256', rsaPem, 'rsa'),
  confusion(
    'the RSA public key (PKCS#1 PEM)',
    'HS256',
    (c) => publicKeyForms(c.rsa.publicJwk).pkcs1Pem ?? '',
    'rsa',
  ),
  confusion('the RSA public key PEM behind leading whitespace', 'HS256', (c) => `\n \t${rsaPem(c)}`, 'rsa'),
  confusion(
    'the RSA public key PEM behind a BOM and NUL byte',
    'HS256',
    (c) => `\ufeff\u0000${rsaPem(c)}`,
    'rsa',
  ),
  confusion('the RSA public JWK as JSON text', 'HS256', (c) => JSON.stringify(c.rsa.publicJwk), 'rsa'),
  confusion(
    'the RSA modulus bytes',
    'HS256',
    (c) => Buffer.from(String(c.rsa.publicJwk.n), 'base64url'),
    'rsa',
  ),
  confusion('the RSA public key DER', 'HS512', (c) => publicKeyForms(c.rsa.publicJwk).der, 'rsa'),
  confusion('the EC public key (SPKI PEM)', 'HS256', (c) => publicKeyForms(c.ec.publicJwk).spkiPem, 'ec'),
  {
    name: 'key type mismatch: ES256 header naming the RSA key is refused',
    ref: 'RFC 8725 §3.1 (each key used with exactly one algorithm)',
    token: (c) =>
      c.signWith(c.attacker.ec.privateKey, { alg: 'ES256', typ: 'at+jwt', kid: c.rsa.kid }, c.claims()),
    expect: REJECT,
    codes: ['alg_not_allowed', 'key_not_found', 'signature_invalid'],
  },
  {
    name: 'key type mismatch: RS256 header naming the EC key is refused',
    ref: 'RFC 8725 §3.1',
    token: (c) =>
      c.signWith(c.attacker.rsa.privateKey, { alg: 'RS256', typ: 'at+jwt', kid: c.ec.kid }, c.claims()),
    expect: REJECT,
    codes: ['alg_not_allowed', 'key_not_found', 'signature_invalid'],
  },
  {
    name: 'key type mismatch: EdDSA header naming the EC key is refused',
    ref: 'RFC 8725 §3.1',
    token: (c) =>
      c.signWith(c.attacker.ed.privateKey, { alg: 'EdDSA', typ: 'at+jwt', kid: c.ec.kid }, c.claims()),
    expect: REJECT,
    codes: ['alg_not_allowed', 'key_not_found', 'signature_invalid'],
  },
  {
    name: 'curve mismatch: ES384 signed by the provider P-256 key is refused',
    ref: 'RFC 7518 §3.4 (ES384 requires P-384)',
    token: (c) => forgeEs384(c),
    expect: REJECT,
    codes: ['alg_not_allowed', 'key_not_found', 'signature_invalid'],
  },
  {
    name: 'ECDSA signature in DER encoding (not raw R||S) is refused',
    ref: 'RFC 7518 §3.4',
    token: (c) => {
      const input = `${b64u(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: c.ec.kid }))}.${b64u(JSON.stringify(c.claims()))}`;
      const der = cryptoSign('sha256', Buffer.from(input), { key: c.ec.privateKey, dsaEncoding: 'der' });
      return `${input}.${b64u(der)}`;
    },
    expect: REJECT,
    codes: ['signature_invalid', 'token_malformed'],
  },
  {
    name: 'ECDSA all-zero signature (psychic signature) is refused',
    ref: 'CVE-2022-21449',
    token: (c) =>
      forge({
        header: { alg: 'ES256', typ: 'at+jwt', kid: c.ec.kid },
        payload: c.claims(),
        signature: b64u(Buffer.alloc(64)),
      }),
    expect: REJECT,
    codes: ['signature_invalid'],
  },
  {
    name: 'embedded jwk header carrying the attacker key is not trusted',
    ref: 'RFC 8725 §3.10; CVE-2018-0114 (node-jose)',
    token: (c) =>
      c.signWith(
        c.attacker.rsa.privateKey,
        { alg: 'RS256', typ: 'at+jwt', jwk: c.attacker.rsa.publicJwk },
        c.claims(),
      ),
    expect: REJECT,
    codes: ['key_not_found', 'signature_invalid'],
  },
  {
    name: 'embedded jwk reusing a trusted kid is not trusted',
    ref: 'CVE-2018-0114 (node-jose)',
    token: (c) =>
      c.signWith(
        c.attacker.rsa.privateKey,
        { alg: 'RS256', typ: 'at+jwt', kid: c.rsa.kid, jwk: { ...c.attacker.rsa.publicJwk, kid: c.rsa.kid } },
        c.claims(),
      ),
    expect: REJECT,
    codes: ['signature_invalid'],
  },
  {
    name: 'jku pointing at the attacker key set causes no request',
    ref: 'RFC 8725 §3.10; RFC 7515 §4.1.2',
    token: (c) =>
      c.signWith(
        c.attacker.rsa.privateKey,
        { alg: 'RS256', typ: 'at+jwt', kid: c.attacker.rsa.kid, jku: `${c.canary.origin}/jku/jwks.json` },
        c.claims(),
      ),
    expect: REJECT,
    codes: ['key_not_found'],
  },
  {
    name: 'x5u pointing at the attacker certificate causes no request',
    ref: 'RFC 8725 §3.10; RFC 7515 §4.1.5',
    token: (c) =>
      c.signWith(
        c.attacker.rsa.privateKey,
        { alg: 'RS256', typ: 'at+jwt', kid: c.attacker.rsa.kid, x5u: `${c.canary.origin}/x5u/cert.pem` },
        c.claims(),
      ),
    expect: REJECT,
    codes: ['key_not_found'],
  },
  {
    name: 'x5c carrying a self-signed attacker certificate is not trusted',
    ref: 'RFC 7515 §4.1.6',
    token: (c) =>
      c.signWith(
        c.attacker.rsa.privateKey,
        { alg: 'RS256', typ: 'at+jwt', x5c: [c.attacker.certificateB64] },
        c.claims(),
      ),
    expect: REJECT,
    codes: ['key_not_found', 'signature_invalid'],
  },
  {
    name: 'iss pointing at the attacker (discovery from the token) causes no request',
    ref: 'RFC 8725 §3.8; RFC 9700 §4.1 (mix-up)',
    token: (c) =>
      c.signWith(
        c.attacker.rsa.privateKey,
        { alg: 'RS256', typ: 'at+jwt', kid: c.attacker.rsa.kid },
        c.claims({ iss: c.canary.origin }),
      ),
    expect: REJECT,
    codes: ['issuer_invalid', 'key_not_found'],
  },
];

function forgeEs384(c: AttackContext): string {
  const input = `${b64u(JSON.stringify({ alg: 'ES384', typ: 'at+jwt', kid: c.ec.kid }))}.${b64u(JSON.stringify(c.claims()))}`;
  const sig = cryptoSign('sha384', Buffer.from(input), { key: c.ec.privateKey, dsaEncoding: 'ieee-p1363' });
  // node:crypto signs SHA-384 with a P-256 key happily; a verifier that ignores the curve accepts this.
  return `${input}.${b64u(sig)}`;
}
