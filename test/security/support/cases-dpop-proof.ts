/** DPoP attack cases on the proof itself (RFC 9449 §4.3): every one refused `invalid_dpop_proof`. */
import assert from 'node:assert/strict';
import { ACCEPTED_DPOP, type DPoPCase, type DPoPCaseContext, INVALID_PROOF } from './dpop-context.js';
import { dpopHeaders, forgeProof } from './dpop-forge.js';
import { b64u, nowSeconds, parts } from './forge.js';

const FIVE_MINUTES = 300;

/** A case whose one request carries a fresh bound token and the proof `proof(c, token)` builds. */
function oneProof(
  name: string,
  ref: string,
  codes: readonly string[],
  proof: (c: DPoPCaseContext, token: string) => string,
  request: { method?: string; path?: string } = {},
): DPoPCase {
  return {
    name,
    ref,
    expect: INVALID_PROOF,
    codes,
    run: (c) => {
      const token = c.dpopToken();
      return c.send({ ...request, headers: dpopHeaders(token, proof(c, token)) });
    },
  };
}

export const proofCases: DPoPCase[] = [
  {
    name: 'control: a DPoP-bound token with a valid proof is accepted, bound to the proof key',
    ref: 'RFC 9449 §7.1',
    expect: ACCEPTED_DPOP,
    run: async (c) => {
      const token = c.dpopToken();
      const answer = await c.send({ headers: dpopHeaders(token, c.proof({ accessToken: token })) });
      assert.deepEqual(answer.json?.binding, { method: 'dpop', jkt: c.key.jkt });
      return answer;
    },
  },
  {
    name: 'accepted: the query is not part of htu (proof for /api?a=1 used at /api?a=2)',
    ref: 'RFC 9449 §4.2 (htu without query and fragment), §4.3 item 9',
    expect: ACCEPTED_DPOP,
    run: (c) => {
      const token = c.dpopToken();
      const proof = c.proof({ accessToken: token, htu: `${c.origin}/api?a=1` });
      return c.send({ path: '/api?a=2', headers: dpopHeaders(token, proof) });
    },
  },
  {
    name: 'replayed proof (same jti, same replica) is refused',
    ref: 'RFC 9449 §11.1 (proof replay)',
    expect: INVALID_PROOF,
    codes: ['dpop_replayed'],
    run: async (c) => {
      const token = c.dpopToken();
      const headers = dpopHeaders(token, c.proof({ accessToken: token }));
      const first = await c.send({ headers });
      assert.equal(first.status, 200, `the first use must pass: ${first.body}`);
      return c.send({ headers });
    },
  },
  oneProof(
    'proof naming another host (htu) is refused',
    'RFC 9449 §4.3 item 9',
    ['dpop_htu_mismatch'],
    (c, t) => c.proof({ accessToken: t, htu: `http://api.evil.example:${c.port}/api` }),
  ),
  oneProof(
    'proof naming another path (htu) is refused',
    'RFC 9449 §4.3 item 9',
    ['dpop_htu_mismatch'],
    (c, t) => c.proof({ accessToken: t, htu: `${c.origin}/admin` }),
  ),
  oneProof(
    'proof naming another scheme (htu https for an http API) is refused',
    'RFC 9449 §4.3 item 9',
    ['dpop_htu_mismatch'],
    (c, t) => c.proof({ accessToken: t, htu: `${c.origin.replace(/^http:/, 'https:')}/api` }),
  ),
  oneProof(
    'proof naming another port (htu) is refused',
    'RFC 9449 §4.3 item 9',
    ['dpop_htu_mismatch'],
    (c, t) => c.proof({ accessToken: t, htu: `${c.origin.replace(/:\d+$/, `:${c.port + 1}`)}/api` }),
  ),
  oneProof(
    'proof for another method (htm POST on a GET) is refused',
    'RFC 9449 §4.3 item 8',
    ['dpop_htm_mismatch'],
    (c, t) => c.proof({ accessToken: t, htm: 'POST' }),
  ),
  oneProof(
    'stale proof (iat five minutes old, window 60 s) is refused',
    'RFC 9449 §4.3 item 11, §11.1',
    ['dpop_iat_invalid'],
    (c, t) => c.proof({ accessToken: t, claims: { iat: nowSeconds() - FIVE_MINUTES } }),
  ),
  oneProof(
    'pre-dated proof (iat five minutes ahead) is refused',
    'RFC 9449 §4.3 item 11, §11.2 (pre-generated proofs)',
    ['dpop_iat_invalid'],
    (c, t) => c.proof({ accessToken: t, claims: { iat: nowSeconds() + FIVE_MINUTES } }),
  ),
  oneProof(
    'proof without ath (not tied to the access token) is refused',
    'RFC 9449 §4.3 item 12, §7',
    ['dpop_ath_mismatch'],
    (c) => c.proof({}),
  ),
  oneProof(
    'proof made for another access token (wrong ath) is refused',
    'RFC 9449 §4.3 item 12',
    ['dpop_ath_mismatch'],
    (c) => c.proof({ accessToken: c.dpopToken() }),
  ),
  oneProof(
    "stolen bound token with the thief's own valid proof (cnf.jkt mismatch) is refused",
    'RFC 9449 §4.3 item 12, §6.1',
    ['dpop_jkt_mismatch'],
    (c, t) => forgeProof({ key: c.attackerKey, htu: `${c.origin}/api`, accessToken: t }),
  ),
  oneProof(
    'HS256 proof (symmetric alg, oct key in jwk) is refused',
    'RFC 9449 §4.2 (asymmetric only), §4.3 item 5',
    ['dpop_alg_not_allowed'],
    (c, t) =>
      c.proof({
        accessToken: t,
        header: { alg: 'HS256', jwk: { kty: 'oct', k: b64u('attacker-chosen-hmac-secret') } },
        alg: 'HS256',
        signWith: 'attacker-chosen-hmac-secret',
      }),
  ),
  oneProof(
    'alg none proof (no signature) is refused',
    'RFC 9449 §4.3 item 5; RFC 8725 §3.1',
    ['dpop_alg_not_allowed', 'dpop_proof_malformed'],
    (c, t) => c.proof({ accessToken: t, header: { alg: 'none' }, signature: '' }),
  ),
  oneProof(
    'alg none proof with a signature segment is refused',
    'RFC 9449 §4.3 item 5; RFC 8725 §3.1',
    ['dpop_alg_not_allowed'],
    (c, t) => c.proof({ accessToken: t, header: { alg: 'none' }, signature: b64u('x'.repeat(64)) }),
  ),
  oneProof(
    'private key in the jwk header is refused',
    'RFC 9449 §4.3 item 7 (jwk must not contain a private key)',
    ['dpop_jwk_private'],
    (c, t) => {
      const d = c.key.privateKey.export({ format: 'jwk' }).d;
      return c.proof({ accessToken: t, header: { jwk: { ...c.key.publicJwk, d } } });
    },
  ),
  oneProof(
    'proof signed by a key other than its jwk header is refused',
    'RFC 9449 §4.3 item 6',
    ['dpop_signature_invalid'],
    (c, t) => c.proof({ accessToken: t, signWith: c.attackerKey.privateKey }),
  ),
  oneProof(
    'proof whose claims were changed after signing (jti swapped) is refused',
    'RFC 9449 §4.3 item 6; RFC 7515 §5.2',
    ['dpop_signature_invalid'],
    (c, t) => {
      const [header, payload, signature] = parts(c.proof({ accessToken: t }));
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
      return `${header}.${b64u(JSON.stringify({ ...claims, jti: 'a-fresh-jti' }))}.${signature}`;
    },
  ),
  oneProof('proof without jti is refused', 'RFC 9449 §4.2, §4.3 item 4', ['dpop_jti_missing'], (c, t) =>
    c.proof({ accessToken: t, claims: { jti: undefined } }),
  ),
  oneProof(
    'proof with typ jwt (not dpop+jwt) is refused',
    'RFC 9449 §4.3 item 4; RFC 8725 §3.11 (explicit typing)',
    ['dpop_typ_invalid'],
    (c, t) => c.proof({ accessToken: t, header: { typ: 'JWT' } }),
  ),
  oneProof(
    'an access token passed off as a proof (typ at+jwt) is refused',
    'RFC 8725 §3.11 (cross-JWT confusion)',
    ['dpop_typ_invalid'],
    (_c, t) => t,
  ),
  oneProof(
    'oversized proof (9 KiB of padding in a claim) is refused unread',
    'resource exhaustion; RFC 9449 §11.1',
    ['dpop_proof_malformed'],
    (c, t) => c.proof({ accessToken: t, claims: { pad: 'p'.repeat(9 * 1024) } }),
  ),
  {
    name: 'DPoP scheme without a DPoP header is refused',
    ref: 'RFC 9449 §7.1',
    expect: INVALID_PROOF,
    codes: ['dpop_proof_missing'],
    run: (c) => c.send({ headers: [['authorization', `DPoP ${c.dpopToken()}`]] }),
  },
  {
    name: 'two DPoP headers (valid proof first) are refused',
    ref: 'RFC 9449 §4.3 item 1 (exactly one DPoP header)',
    expect: INVALID_PROOF,
    codes: ['dpop_proof_repeated'],
    run: (c) => {
      const token = c.dpopToken();
      return c.send({
        headers: [
          ...dpopHeaders(token, c.proof({ accessToken: token })),
          ['dpop', c.proof({ accessToken: token })],
        ],
      });
    },
  },
  {
    name: 'two proofs comma-joined in one DPoP header are refused',
    ref: 'RFC 9449 §4.3 items 1-2; RFC 9110 §5.3 (a joined field value)',
    expect: INVALID_PROOF,
    codes: ['dpop_proof_repeated', 'dpop_proof_malformed'],
    run: (c) => {
      const token = c.dpopToken();
      const proof = `${c.proof({ accessToken: token })}, ${c.proof({ accessToken: token })}`;
      return c.send({ headers: dpopHeaders(token, proof) });
    },
  },
];
