/** Request-level attack cases: how the token travels (RFC 6750 §2), run through the adapters. */
import { type AttackCase, INVALID_REQUEST, INVALID_TOKEN, NO_CREDENTIALS } from './attack-context.js';

const bearer = (value: string | Buffer): [string, string | Buffer][] => [
  [
    'authorization',
    Buffer.isBuffer(value) ? Buffer.concat([Buffer.from('Bearer '), value]) : `Bearer ${value}`,
  ],
];

export const requestCases: AttackCase[] = [
  {
    name: 'two Authorization headers (valid first) are refused',
    ref: 'RFC 6750 §3.1 (repeats a parameter); RFC 9110 §5.3',
    request: (c) => ({ headers: [...bearer(c.validToken), ...bearer('garbage.token.here')] }),
    expect: [INVALID_REQUEST],
  },
  {
    name: 'two Authorization headers (valid second) are refused',
    ref: 'RFC 6750 §3.1',
    request: (c) => ({ headers: [...bearer('garbage.token.here'), ...bearer(c.validToken)] }),
    expect: [INVALID_REQUEST],
  },
  {
    name: 'header token plus query token is refused',
    ref: 'RFC 6750 §2 (one method only), §3.1',
    request: (c) => ({ path: `/api?access_token=${c.validToken}`, headers: bearer('bad.bad.bad') }),
    expect: [INVALID_REQUEST, INVALID_TOKEN],
  },
  {
    name: 'header token plus form-body token is refused',
    ref: 'RFC 6750 §2.2, §3.1',
    request: (c) => ({
      method: 'POST',
      headers: [...bearer('bad.bad.bad'), ['content-type', 'application/x-www-form-urlencoded']],
      body: `access_token=${c.validToken}`,
    }),
    expect: [INVALID_REQUEST, INVALID_TOKEN],
  },
  {
    name: 'query token is ignored while the query method is off',
    ref: 'RFC 6750 §2.3, RFC 9700 §4.3.2 (tokens in URLs leak)',
    request: (c) => ({ path: `/api?access_token=${c.validToken}` }),
    expect: [NO_CREDENTIALS],
  },
  {
    name: 'Bearer scheme without a token is refused',
    ref: 'RFC 6750 §2.1, §3.1',
    request: () => ({ headers: [['authorization', 'Bearer']] }),
    expect: [INVALID_REQUEST, NO_CREDENTIALS],
  },
  {
    name: 'trailing junk after the token is refused',
    ref: 'RFC 6750 §2.1 (b68token grammar)',
    request: (c) => ({ headers: bearer(`${c.validToken} admin`) }),
    expect: [INVALID_REQUEST],
  },
  {
    name: 'comma-joined tokens in one header are refused',
    ref: 'RFC 6750 §2.1; RFC 9110 §11.6.2',
    request: (c) => ({ headers: bearer(`${c.validToken}, Bearer ${c.validToken}`) }),
    expect: [INVALID_REQUEST],
  },
  {
    name: 'no-break space between scheme and token is refused',
    ref: 'RFC 9110 §11.4 (1*SP); Unicode whitespace confusion',
    request: (c) => ({ headers: [['authorization', `Bearer\u00a0${c.validToken}`]] }),
    expect: [INVALID_REQUEST, NO_CREDENTIALS],
  },
  {
    name: 'zero-width space appended to the token is refused',
    ref: 'RFC 6750 §2.1 (b64token grammar); Unicode confusion',
    request: (c) => ({ headers: bearer(`${c.validToken}\u200b`) }),
    expect: [INVALID_REQUEST],
  },
  {
    name: 'full-width dots (homoglyphs normalising to ".") are refused',
    ref: 'Unicode NFKC confusion; RFC 6750 §2.1',
    request: (c) => ({ headers: bearer(c.validToken.replaceAll('.', '\uff0e')) }),
    expect: [INVALID_REQUEST],
  },
  {
    name: 'Latin-1 byte inside the token is refused',
    ref: 'RFC 9110 §5.5 (obs-text); RFC 6750 §2.1',
    request: (c) => ({ headers: bearer(Buffer.concat([Buffer.from(c.validToken), Buffer.from([0xff])])) }),
    expect: [INVALID_REQUEST],
  },
  {
    name: 'catastrophic-backtracking Authorization value answers promptly',
    ref: 'ReDoS (CWE-1333)',
    request: () => ({ headers: bearer(`${'a='.repeat(3000)}!`) }),
    expect: [INVALID_REQUEST],
  },
  {
    name: 'oversized Authorization header (64 KiB) is refused',
    ref: 'resource exhaustion; Node maxHeaderSize',
    request: () => ({ headers: bearer('a'.repeat(64 * 1024)) }),
    expect: [{ status: 431, error: null }, INVALID_REQUEST],
  },
  {
    name: 'HEAD request without a token is refused like GET',
    ref: 'HEAD-method authentication bypass (CWE-650)',
    request: () => ({ method: 'HEAD' }),
    expect: [NO_CREDENTIALS],
  },
  {
    name: 'Basic scheme carrying a JWT is not taken as a bearer token',
    ref: 'RFC 6750 §3; RFC 7617',
    request: (c) => ({ headers: [['authorization', `Basic ${c.validToken}`]] }),
    expect: [NO_CREDENTIALS],
  },
];
