/** Attack cases on structure: kid tricks, crit, b64, JWE and wrong part counts, signature tampering, JSON. */
import { CompactEncrypt, importJWK } from 'jose';
import { type AttackCase, INVALID_REQUEST, INVALID_TOKEN, type Outcome } from './attack-context.js';
import { b64u, forge, parts } from './forge.js';

const REJECT = [INVALID_TOKEN];
// Accepting the token is fine as long as it grants nothing; refusing the member outright is fine too.
const GRANTS_NOTHING: Outcome[] = [{ status: 403, error: 'insufficient_scope' }, INVALID_TOKEN];

function kidCase(name: string, kid: unknown, ref: string, hmacKey?: string): AttackCase {
  return {
    name: `kid ${name} is refused`,
    ref,
    token: (c) =>
      hmacKey === undefined
        ? c.signWith(c.attacker.rsa.privateKey, { alg: 'RS256', typ: 'at+jwt', kid }, c.claims())
        : c.signWith(hmacKey, { alg: 'HS256', typ: 'at+jwt', kid }, c.claims()),
    expect: REJECT,
    codes: ['key_not_found', 'token_malformed', 'alg_not_allowed', 'signature_invalid'],
  };
}

function critCase(name: string, header: Record<string, unknown>): AttackCase {
  return {
    name: `crit ${name} is refused`,
    ref: 'RFC 7515 §4.1.11',
    token: (c) => c.signReal(c.claims(), header),
    expect: REJECT,
    codes: ['crit_unsupported', 'token_malformed'],
  };
}

export const structureCases: AttackCase[] = [
  kidCase(
    'path traversal to /dev/null with an empty HMAC key',
    '../../../../../../dev/null',
    'CVE-2018-1000531-like; PortSwigger kid traversal',
    '',
  ),
  kidCase(
    "SQL injection (' UNION SELECT 'k') with HMAC key k",
    "x' UNION SELECT 'k' -- ",
    'kid injection (CWE-89)',
    'k',
  ),
  kidCase('command injection', 'k; curl http://127.0.0.1:9/ | sh', 'kid injection (CWE-78)'),
  kidCase('as a number', 12345, 'RFC 7515 §4.1.4 (kid is a string)'),
  kidCase('as an object ({"$ne": null})', { $ne: null }, 'NoSQL operator injection'),
  kidCase('as an array of trusted kids', ['a', 'b'], 'RFC 7515 §4.1.4'),
  kidCase('of 4,000 characters', 'k'.repeat(4000), 'resource exhaustion via kid'),
  critCase('naming an unknown extension', { crit: ['urn:example:unknown'], 'urn:example:unknown': true }),
  critCase('as an empty list', { crit: [] }),
  critCase('with a duplicated entry', { crit: ['urn:example:x', 'urn:example:x'], 'urn:example:x': 1 }),
  critCase('naming a registered header (alg)', { crit: ['alg'] }),
  critCase('that is not a list', { crit: 'urn:example:unknown', 'urn:example:unknown': true }),
  {
    name: 'b64:false (unencoded payload) is refused',
    ref: 'RFC 7797 §3, §6',
    // Signed over the usual input, so a verifier that honours b64:false checks a valid signature.
    token: (c) => c.signReal(c.claims(), { b64: false, crit: ['b64'] }),
    expect: REJECT,
    codes: ['crit_unsupported', 'token_malformed', 'signature_invalid'],
  },
  {
    name: 'JWE (five parts) encrypted to the provider public key is refused',
    ref: 'RFC 8725 §3.1; RFC 7516 (a JWE is not a JWS)',
    token: async (c) => {
      const key = await importJWK(
        { ...c.rsa.publicJwk, alg: 'RSA-OAEP-256' } as Parameters<typeof importJWK>[0],
        'RSA-OAEP-256',
      );
      return new CompactEncrypt(Buffer.from(JSON.stringify(c.claims())))
        .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', typ: 'at+jwt' })
        .encrypt(key);
    },
    expect: REJECT,
    codes: ['token_malformed'],
  },
  {
    name: 'two-part token (no signature segment) is refused',
    ref: 'RFC 7515 §7.1',
    token: (c) => parts(c.validToken).slice(0, 2).join('.'),
    expect: REJECT,
    codes: ['token_malformed'],
  },
  {
    name: 'four-part token is refused',
    ref: 'RFC 7515 §7.1',
    token: (c) => `${c.validToken}.${parts(c.validToken)[2]}`,
    expect: REJECT,
    codes: ['token_malformed'],
  },
  {
    name: 'signature stripped (trailing dot kept) is refused',
    ref: 'RFC 8725 §3.1',
    token: (c) => `${parts(c.validToken).slice(0, 2).join('.')}.`,
    expect: REJECT,
    codes: ['signature_invalid', 'token_malformed'],
  },
  {
    name: 'signature truncated is refused',
    ref: 'RFC 7515 §5.2',
    token: (c) => c.validToken.slice(0, -12),
    expect: REJECT,
    codes: ['signature_invalid', 'token_malformed'],
  },
  {
    name: 'payload tampered (scope raised) under the genuine signature is refused',
    ref: 'RFC 7515 §5.2',
    token: (c) => {
      const [h, p, s] = parts(c.validToken);
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
      return `${h}.${b64u(JSON.stringify({ ...claims, scope: 'read write admin' }))}.${s}`;
    },
    expect: REJECT,
    codes: ['signature_invalid'],
  },
  {
    name: 'signature with base64 padding appended is refused',
    ref: 'RFC 7515 §2 (base64url without padding)',
    token: (c) => `${c.validToken}==`,
    expect: REJECT,
    codes: ['token_malformed', 'signature_invalid'],
  },
  {
    name: 'whitespace inside the signature segment is refused',
    ref: 'RFC 7515 §2 (no whitespace in base64url); lenient decoders skip it',
    token: (c) => `${c.validToken.slice(0, -20)} ${c.validToken.slice(-20)}`,
    // Through HTTP the space already breaks the Authorization grammar.
    expect: [INVALID_REQUEST],
    codes: ['token_malformed', 'signature_invalid'],
  },
  {
    name: 'signature in the standard base64 alphabet (+ and /) is refused',
    ref: 'RFC 7515 §2',
    token: (c) => {
      const [h, p, s] = parts(c.validToken);
      const std = Buffer.from(s, 'base64url').toString('base64').replace(/=+$/, '');
      // Make sure at least one character differs from the base64url form.
      return `${h}.${p}.${std.includes('+') || std.includes('/') ? std : `${std.slice(0, -1)}/`}`;
    },
    expect: REJECT,
    codes: ['token_malformed', 'signature_invalid'],
  },
  {
    name: 'RSA signature with a leading zero byte is refused',
    ref: 'RFC 8017 §8.2.2 (signature length must equal the modulus length)',
    token: (c) => {
      const [h, p, s] = parts(c.validToken);
      return `${h}.${p}.${b64u(Buffer.concat([Buffer.alloc(1), Buffer.from(s, 'base64url')]))}`;
    },
    expect: REJECT,
    codes: ['signature_invalid', 'token_malformed'],
  },
  {
    name: 'signature by an untrusted key reusing the trusted kid is refused',
    ref: 'RFC 8725 §3.1',
    token: (c) =>
      c.signWith(c.attacker.rsa.privateKey, { alg: 'RS256', typ: 'at+jwt', kid: c.rsa.kid }, c.claims()),
    expect: REJECT,
    codes: ['signature_invalid'],
  },
  {
    name: 'header that is not JSON is refused',
    ref: 'RFC 7515 §5.2',
    token: (c) => `${b64u('{alg:RS256')}.${parts(c.validToken)[1]}.${parts(c.validToken)[2]}`,
    expect: REJECT,
    codes: ['token_malformed'],
  },
  {
    name: 'payload that is a JSON array is refused',
    ref: 'RFC 7519 §7.2 (claims are a JSON object)',
    token: (c) => c.signReal([c.claims()]),
    expect: REJECT,
    codes: ['token_malformed'],
  },
  {
    name: 'payload of characters outside base64url (~) is refused',
    ref: 'RFC 7515 §5.2',
    token: (c) => `${parts(c.validToken)[0]}.~~~~~~~~.${parts(c.validToken)[2]}`,
    expect: REJECT,
    codes: ['token_malformed'],
  },
  {
    name: 'duplicate alg members where the last is "none" are refused',
    ref: 'RFC 7515 §4 (duplicates rejected or last one wins); CVE-2022-23540',
    token: (c) =>
      forge({
        header: `{"alg":"RS256","typ":"at+jwt","kid":"${c.rsa.kid}","alg":"none"}`,
        payload: c.claims(),
        signature: parts(c.validToken)[2],
      }),
    expect: REJECT,
    codes: ['alg_none', 'alg_not_allowed', 'token_malformed', 'signature_invalid'],
  },
  {
    name: 'duplicate exp members where the last is in the past are refused',
    ref: 'RFC 7519 §4 (duplicates rejected or last one wins)',
    token: (c) => {
      const now = Math.floor(Date.now() / 1000);
      const body = JSON.stringify(c.claims({ exp: undefined })).slice(0, -1);
      return c.signReal(`${body},"exp":${now + 3600},"exp":${now - 3600}}`);
    },
    expect: REJECT,
    codes: ['token_expired', 'token_malformed'],
  },
  {
    name: '__proto__ claim smuggling an admin scope grants nothing',
    ref: 'prototype pollution (CWE-1321)',
    token: (c) => {
      const body = JSON.stringify(c.claims()).slice(0, -1);
      return c.signReal(`${body},"__proto__":{"scope":"admin","scp":["admin"],"permissions":["admin"]}}`);
    },
    path: '/admin',
    expect: GRANTS_NOTHING,
    codes: ['token_malformed', 'claim_invalid'],
    coreMayAccept: (scopes) => {
      if (scopes.includes('admin')) throw new Error('__proto__ smuggled the admin scope');
      if (({} as Record<string, unknown>).scope !== undefined) throw new Error('Object.prototype polluted');
    },
  },
  {
    name: '__proto__ spelled with \\u escapes grants nothing',
    ref: 'prototype pollution (CWE-1321); JSON escape smuggling',
    token: (c) => {
      const body = JSON.stringify(c.claims()).slice(0, -1);
      return c.signReal(`${body},"\\u005f\\u005fproto\\u005f\\u005f":{"scope":"admin"}}`);
    },
    path: '/admin',
    expect: GRANTS_NOTHING,
    codes: ['token_malformed', 'claim_invalid'],
    coreMayAccept: (scopes) => {
      if (scopes.includes('admin')) throw new Error('escaped __proto__ smuggled the admin scope');
    },
  },
  {
    name: 'constructor.prototype claim smuggling an admin scope grants nothing',
    ref: 'prototype pollution (CWE-1321)',
    token: (c) => c.signReal(c.claims({ constructor: { prototype: { scope: 'admin' } } })),
    path: '/admin',
    expect: GRANTS_NOTHING,
    codes: ['token_malformed', 'claim_invalid'],
    coreMayAccept: (scopes) => {
      if (scopes.includes('admin')) throw new Error('constructor.prototype smuggled the admin scope');
    },
  },
  {
    name: 'oversized token (10 KiB) is refused before decoding',
    ref: 'RFC 8725 §3.12-adjacent; resource exhaustion',
    token: (c) => c.signReal(c.claims({ pad: 'x'.repeat(7000) })),
    expect: REJECT,
    codes: ['token_too_large'],
  },
];
