/**
 * DPoP and mTLS attack cases on the binding: the scheme a bound token travels under, the mode, the URL behind a
 * proxy, server nonces, and the client certificate of a certificate-bound token.
 */
import assert from 'node:assert/strict';
import { DPoPNonceSource } from '../../../packages/core/src/dpop/nonce-source.js';
import {
  ACCEPTED_DPOP,
  ACCEPTED_MTLS,
  CERTIFICATE_HEADER,
  type DPoPCase,
  INVALID_PROOF,
  NONCE_ROTATION_SECONDS,
  NONCE_SECRET,
} from './dpop-context.js';
import { dpopHeaders } from './dpop-forge.js';

const USE_NONCE = { status: 401, scheme: 'DPoP', error: 'use_dpop_nonce' } as const;
const INVALID_BEARER = { status: 401, scheme: 'Bearer', error: 'invalid_token' } as const;
const SPOOFED_HOST = 'api.example.com';

export const bindingCases: DPoPCase[] = [
  {
    name: 'DPoP-bound token downgraded to the Bearer scheme is refused',
    ref: 'RFC 9449 §7.2 (a bound token is not a bearer token)',
    expect: INVALID_BEARER,
    codes: ['dpop_bound_token_as_bearer'],
    run: (c) => c.send({ headers: [['authorization', `Bearer ${c.dpopToken()}`]] }),
  },
  {
    name: 'DPoP proof sent with the Bearer scheme is refused as a malformed request',
    ref: 'RFC 9449 §7.2',
    expect: { status: 400, scheme: 'Bearer', error: 'invalid_request' },
    run: (c) => {
      const token = c.dpopToken();
      return c.send({
        headers: [
          ['authorization', `Bearer ${token}`],
          ['dpop', c.proof({ accessToken: token })],
        ],
      });
    },
  },
  {
    name: "plain bearer token in 'required' mode is refused on the DPoP challenge",
    ref: 'RFC 9449 §7.1; FAPI 2.0 §5.3.2.2 (sender-constrained tokens only)',
    app: 'required',
    expect: { status: 401, scheme: 'DPoP', error: 'invalid_token' },
    run: (c) => c.send({ headers: [['authorization', `Bearer ${c.plainToken()}`]] }),
  },
  {
    name: "control: a valid DPoP request passes in 'required' mode",
    ref: 'RFC 9449 §7.1',
    app: 'required',
    expect: ACCEPTED_DPOP,
    run: (c) => {
      const token = c.dpopToken();
      return c.send({ headers: dpopHeaders(token, c.proof({ accessToken: token })) });
    },
  },
  {
    name: "DPoP scheme in 'disabled' mode is no credentials (a bare Bearer challenge), even with a valid proof",
    ref: 'RFC 6750 §3.1; RFC 9449 §7.1 (the server does not offer DPoP)',
    app: 'disabled',
    expect: { status: 401, scheme: 'Bearer' },
    run: (c) => {
      const token = c.dpopToken();
      return c.send({ headers: dpopHeaders(token, c.proof({ accessToken: token })) });
    },
  },
  {
    name: "DPoP-bound token downgraded to Bearer is refused in 'disabled' mode too",
    ref: 'RFC 9449 §7.2',
    app: 'disabled',
    expect: INVALID_BEARER,
    codes: ['dpop_bound_token_as_bearer'],
    run: (c) => c.send({ headers: [['authorization', `Bearer ${c.dpopToken()}`]] }),
  },
  {
    name: 'unbound token under the DPoP scheme, with a valid proof, is refused',
    ref: 'RFC 9449 §7.1 (the DPoP scheme is for DPoP-bound tokens)',
    expect: { status: 401, scheme: 'DPoP', error: 'invalid_token' },
    codes: ['dpop_token_unbound'],
    run: (c) => {
      const token = c.plainToken();
      return c.send({ headers: dpopHeaders(token, c.proof({ accessToken: token })) });
    },
  },
  {
    name: 'X-Forwarded-Host spoof without a trusted proxy (proof for the spoofed host) is refused',
    ref: 'RFC 9449 §4.3 item 9; express-oauth2-jwt-bearer 1.9.0 htu bypass',
    expect: INVALID_PROOF,
    codes: ['dpop_htu_mismatch'],
    run: (c) => {
      const token = c.dpopToken();
      const proof = c.proof({ accessToken: token, htu: `http://${SPOOFED_HOST}/api` });
      return c.send({
        headers: [
          ...dpopHeaders(token, proof),
          ['x-forwarded-host', SPOOFED_HOST],
          ['x-forwarded-proto', 'http'],
        ],
      });
    },
  },
  {
    name: 'accepted: X-Forwarded-Host from a trusted proxy names the URL the client called',
    ref: 'RFC 9449 §4.3 item 9; RFC 7239',
    app: 'proxy',
    expect: ACCEPTED_DPOP,
    run: (c) => {
      const token = c.dpopToken();
      const proof = c.proof({ accessToken: token, htu: `https://${SPOOFED_HOST}/api` });
      return c.send({
        headers: [
          ...dpopHeaders(token, proof),
          ['x-forwarded-host', SPOOFED_HOST],
          ['x-forwarded-proto', 'https'],
        ],
      });
    },
  },
  {
    name: 'proof without the server nonce is answered use_dpop_nonce with a DPoP-Nonce',
    ref: 'RFC 9449 §8, §9',
    app: 'nonce',
    expect: USE_NONCE,
    codes: ['dpop_nonce_invalid'],
    run: (c) => {
      const token = c.dpopToken();
      return c.send({ headers: dpopHeaders(token, c.proof({ accessToken: token })) });
    },
  },
  {
    name: 'proof with a stale server nonce (three rotations old, genuine MAC) is answered use_dpop_nonce',
    ref: 'RFC 9449 §9 (nonces rotated, old ones refused)',
    app: 'nonce',
    expect: USE_NONCE,
    codes: ['dpop_nonce_invalid'],
    run: (c) => {
      const past = Date.now() - 3 * NONCE_ROTATION_SECONDS * 1000;
      const stale = new DPoPNonceSource(
        { secret: NONCE_SECRET, rotateEvery: NONCE_ROTATION_SECONDS },
        () => past,
      ).current();
      const token = c.dpopToken();
      return c.send({
        headers: dpopHeaders(token, c.proof({ accessToken: token, claims: { nonce: stale } })),
      });
    },
  },
  {
    name: 'proof with a nonce forged in the right shape is answered use_dpop_nonce',
    ref: 'RFC 9449 §9',
    app: 'nonce',
    expect: USE_NONCE,
    codes: ['dpop_nonce_invalid'],
    run: (c) => {
      const forged = new DPoPNonceSource({ secret: `another-${NONCE_SECRET}` }).current();
      const token = c.dpopToken();
      return c.send({
        headers: dpopHeaders(token, c.proof({ accessToken: token, claims: { nonce: forged } })),
      });
    },
  },
  {
    name: 'accepted: a proof carrying the nonce the server just sent',
    ref: 'RFC 9449 §8.2 (retry with the provided nonce)',
    app: 'nonce',
    expect: ACCEPTED_DPOP,
    run: async (c) => {
      const token = c.dpopToken();
      const first = await c.send({ headers: dpopHeaders(token, c.proof({ accessToken: token })) });
      assert.equal(first.status, 401);
      const nonce = first.headers['dpop-nonce'];
      assert.ok(nonce, 'no DPoP-Nonce to retry with');
      return c.send({ headers: dpopHeaders(token, c.proof({ accessToken: token, claims: { nonce } })) });
    },
  },
  {
    name: 'control: mTLS-bound token with its own client certificate is accepted',
    ref: 'RFC 8705 §3',
    app: 'tls',
    expect: ACCEPTED_MTLS,
    run: (c) => c.send({ headers: [['authorization', `Bearer ${c.mtlsToken()}`]], cert: c.certs.bound }),
  },
  {
    name: 'mTLS-bound token presented with another client certificate (thumbprint mismatch) is refused',
    ref: 'RFC 8705 §3.1',
    app: 'tls',
    expect: INVALID_BEARER,
    codes: ['certificate_mismatch'],
    run: (c) => c.send({ headers: [['authorization', `Bearer ${c.mtlsToken()}`]], cert: c.certs.other }),
  },
  {
    name: 'mTLS-bound token over TLS without a client certificate is refused',
    ref: 'RFC 8705 §3',
    app: 'tls',
    expect: INVALID_BEARER,
    codes: ['certificate_missing'],
    run: (c) => c.send({ headers: [['authorization', `Bearer ${c.mtlsToken()}`]] }),
  },
  {
    name: 'mTLS-bound token over plain HTTP is refused',
    ref: 'RFC 8705 §3',
    expect: INVALID_BEARER,
    codes: ['certificate_missing'],
    run: (c) => c.send({ headers: [['authorization', `Bearer ${c.mtlsToken()}`]] }),
  },
  {
    name: 'certificate header from an untrusted peer (not a declared proxy) is ignored',
    ref: 'RFC 8705 §3 (the certificate of the TLS connection); proxy header spoofing',
    app: 'tls',
    expect: INVALID_BEARER,
    codes: ['certificate_missing'],
    run: (c) =>
      c.send({
        headers: [
          ['authorization', `Bearer ${c.mtlsToken()}`],
          [CERTIFICATE_HEADER, encodeURIComponent(c.certs.bound.cert)],
        ],
      }),
  },
  {
    name: 'accepted: certificate header from a trusted proxy',
    ref: 'RFC 8705 §3 behind a TLS-terminating proxy',
    app: 'proxy',
    expect: ACCEPTED_MTLS,
    run: (c) =>
      c.send({
        headers: [
          ['authorization', `Bearer ${c.mtlsToken()}`],
          [CERTIFICATE_HEADER, encodeURIComponent(c.certs.bound.cert)],
        ],
      }),
  },
  {
    name: 'certificate header of another client from a trusted proxy (thumbprint mismatch) is refused',
    ref: 'RFC 8705 §3.1',
    app: 'proxy',
    expect: INVALID_BEARER,
    codes: ['certificate_mismatch'],
    run: (c) =>
      c.send({
        headers: [
          ['authorization', `Bearer ${c.mtlsToken()}`],
          [CERTIFICATE_HEADER, encodeURIComponent(c.certs.other.cert)],
        ],
      }),
  },
];
