/** Attack cases on claims and token types: lifetime, issuer, audience, tokens of another kind, weak keys. */
import { type AttackCase, INVALID_TOKEN } from './attack-context.js';
import { nowSeconds } from './forge.js';

const REJECT = [INVALID_TOKEN];
const HOUR = 3600;

export const claimCases: AttackCase[] = [
  {
    name: 'expired token is refused',
    ref: 'RFC 7519 §4.1.4; RFC 9068 §4',
    token: (c) => c.signReal(c.claims({ iat: nowSeconds() - 2 * HOUR, exp: nowSeconds() - HOUR })),
    expect: REJECT,
    codes: ['token_expired'],
  },
  {
    name: 'token not yet valid (nbf an hour ahead) is refused',
    ref: 'RFC 7519 §4.1.5',
    token: (c) => c.signReal(c.claims({ nbf: nowSeconds() + HOUR, exp: nowSeconds() + 2 * HOUR })),
    expect: REJECT,
    codes: ['token_not_yet_valid'],
  },
  {
    name: 'iat an hour in the future is refused',
    ref: 'RFC 7519 §4.1.6; RFC 8725 §3.10-adjacent (pre-minted tokens)',
    token: (c) => c.signReal(c.claims({ iat: nowSeconds() + HOUR, exp: nowSeconds() + 2 * HOUR })),
    expect: REJECT,
    codes: ['iat_in_future'],
  },
  {
    name: 'token without exp (never expires) is refused',
    ref: 'RFC 9068 §2.2 (exp REQUIRED)',
    token: (c) => c.signReal(c.claims({ exp: undefined })),
    expect: REJECT,
    codes: ['claim_missing'],
  },
  {
    name: 'exp as a string (type confusion) is refused',
    ref: 'RFC 7519 §2 (NumericDate)',
    token: (c) => c.signReal(c.claims({ exp: String(nowSeconds() + HOUR) })),
    expect: REJECT,
    codes: ['claim_invalid', 'token_malformed'],
  },
  {
    name: 'exp of 1e999 (Infinity once parsed, a token that never expires) is refused',
    ref: 'RFC 7519 §2 (NumericDate); JSON number overflow',
    token: (c) => c.signReal(`${JSON.stringify(c.claims({ exp: undefined })).slice(0, -1)},"exp":1e999}`),
    expect: REJECT,
    codes: ['claim_invalid', 'token_malformed'],
  },
  {
    name: 'iss of another issuer is refused',
    ref: 'RFC 8725 §3.8; RFC 9068 §4',
    token: (c) => c.signReal(c.claims({ iss: 'https://evil.example' })),
    expect: REJECT,
    codes: ['issuer_invalid'],
  },
  {
    name: 'iss missing is refused',
    ref: 'RFC 9068 §2.2 (iss REQUIRED)',
    token: (c) => c.signReal(c.claims({ iss: undefined })),
    expect: REJECT,
    codes: ['issuer_invalid', 'claim_missing'],
  },
  {
    name: 'iss with altered case is refused',
    ref: 'OIDC Core §3.1.3.7 (exact match)',
    token: (c) => c.signReal(c.claims({ iss: c.issuer.replace('http://', 'HTTP://') })),
    expect: REJECT,
    codes: ['issuer_invalid'],
  },
  {
    name: 'iss with a trailing slash is refused',
    ref: 'OIDC Core §3.1.3.7 (exact match)',
    token: (c) => c.signReal(c.claims({ iss: `${c.issuer}/` })),
    expect: REJECT,
    codes: ['issuer_invalid'],
  },
  {
    name: 'iss as an array holding the real issuer is refused',
    ref: 'RFC 7519 §4.1.1 (iss is a string)',
    token: (c) => c.signReal(c.claims({ iss: [c.issuer] })),
    expect: REJECT,
    codes: ['issuer_invalid', 'claim_invalid', 'token_malformed'],
  },
  {
    name: 'aud missing is refused',
    ref: 'RFC 9068 §4 (aud REQUIRED)',
    token: (c) => c.signReal(c.claims({ aud: undefined })),
    expect: REJECT,
    codes: ['audience_invalid', 'claim_missing'],
  },
  {
    name: 'aud naming only another API is refused',
    ref: 'RFC 9068 §4; RFC 8725 §3.9 (cross-JWT confusion)',
    token: (c) => c.signReal(c.claims({ aud: c.otherAudience })),
    expect: REJECT,
    codes: ['audience_invalid'],
  },
  {
    name: 'aud list of other audiences only is refused',
    ref: 'RFC 7519 §4.1.3',
    token: (c) => c.signReal(c.claims({ aud: [c.otherAudience, 'urn:x', c.audience.toUpperCase()] })),
    expect: REJECT,
    codes: ['audience_invalid'],
  },
  {
    name: 'ID token presented as an access token is refused',
    ref: 'RFC 9068 §4; RFC 8725 §3.11 (explicit typing)',
    token: (c) =>
      c.signReal(
        c.claims({ aud: c.clientId, nonce: 'n-1', auth_time: nowSeconds(), at_hash: 'x', scope: undefined }),
        { typ: 'JWT' },
      ),
    expect: REJECT,
    codes: ['audience_invalid', 'typ_invalid'],
  },
  {
    name: 'logout token (typ logout+jwt) presented as an access token is refused',
    ref: 'OIDC Back-Channel Logout §2.4; RFC 8725 §3.11',
    token: (c) =>
      c.signReal(
        c.claims({ events: { 'http://schemas.openid.net/event/backchannel-logout': {} }, sid: 's-1' }),
        { typ: 'logout+jwt' },
      ),
    expect: REJECT,
    codes: ['typ_invalid'],
  },
  {
    name: 'DPoP proof (typ dpop+jwt) presented as an access token is refused',
    ref: 'RFC 9449 §4.2; RFC 8725 §3.11',
    token: (c) => c.signReal(c.claims({ htm: 'GET', htu: 'http://127.0.0.1/api' }), { typ: 'dpop+jwt' }),
    expect: REJECT,
    codes: ['typ_invalid'],
  },
  {
    name: 'token signed by a 1024-bit RSA key published in the key set is refused',
    ref: 'RFC 7518 §3.3 (2048 bits or larger); NIST SP 800-131A',
    token: (c) =>
      c.signWith(
        c.attacker.weakRsa.privateKey,
        { alg: 'RS256', typ: 'at+jwt', kid: c.attacker.weakRsa.kid },
        c.claims(),
      ),
    app: 'weak-keys',
    expect: REJECT,
    codes: ['key_not_found', 'alg_not_allowed', 'signature_invalid'],
  },
];
