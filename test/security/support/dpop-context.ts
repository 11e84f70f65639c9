/**
 * What a DPoP attack case is and what it may use. A case is data plus one small `run`: it builds its
 * requests with the forging toolkit and sends them through `c.send` to the app under test (core's
 * authenticator, or a Fastify, Express or Koa server on 127.0.0.1), and returns the answer to judge.
 *
 * Apps (one resource-server configuration each, per runner):
 *   allowed  — the defaults (`dpop` mode 'allowed', no trusted proxy)
 *   required — `dpop: { mode: 'required' }`
 *   disabled — `dpop: { mode: 'disabled' }`
 *   nonce    — `dpop: { nonce: { secret, rotateEvery: 60 } }` (RFC 9449 §9 server nonces)
 *   proxy    — `trustedProxies: ['127.0.0.1']` (the test client is the proxy), certificate header `x-client-cert`
 *   tls      — served over TLS asking for a client certificate (any issuer, as RFC 8705 §2.2 allows); the
 *              certificate header is believed from a proxy at 192.0.2.10 only, which the test client is not
 */
import type { BearerAuthOptions } from '@identity-model/core';
import type { TestCertificate } from '../../support/certificates.js';
import type { AttackContext } from './attack-context.js';
import type { Answer, ChallengeScheme, DPoPExpect } from './dpop-answer.js';
import type { ProofKeyPair, ProofSpec } from './dpop-forge.js';

export type DPoPAppKind = 'allowed' | 'required' | 'disabled' | 'nonce' | 'proxy' | 'tls';
export const DPOP_APP_KINDS: readonly DPoPAppKind[] = [
  'allowed',
  'required',
  'disabled',
  'nonce',
  'proxy',
  'tls',
];

export const CERTIFICATE_HEADER = 'x-client-cert';
/** The nonce app's HMAC secret, so a case can mint a genuinely stale nonce of that server. */
export const NONCE_SECRET = 'dpop-nonce-secret-of-the-test-resource-server';
export const NONCE_ROTATION_SECONDS = 60;

/** The resource-server options of each app, on top of issuer, audience and logger. */
export const DPOP_APP_OPTIONS: Record<DPoPAppKind, Partial<BearerAuthOptions>> = {
  allowed: {},
  required: { dpop: { mode: 'required' } },
  disabled: { dpop: { mode: 'disabled' } },
  nonce: { dpop: { nonce: { secret: NONCE_SECRET, rotateEvery: NONCE_ROTATION_SECONDS } } },
  proxy: { trustedProxies: ['127.0.0.1'], mtls: { certificateHeader: CERTIFICATE_HEADER } },
  tls: { trustedProxies: ['192.0.2.10'], mtls: { certificateHeader: CERTIFICATE_HEADER } },
};

/** The schemes each app challenges with. */
export const OFFERED: Record<DPoPAppKind, readonly ChallengeScheme[]> = {
  allowed: ['Bearer', 'DPoP'],
  required: ['DPoP'],
  disabled: ['Bearer'],
  nonce: ['Bearer', 'DPoP'],
  proxy: ['Bearer', 'DPoP'],
  tls: ['Bearer', 'DPoP'],
};

export interface DPoPRequest {
  method?: string;
  /** Request-target, default `/api`. */
  path?: string;
  headers: [string, string][];
  /** Over TLS: the client certificate to present (none when absent). */
  cert?: TestCertificate;
}

export interface DPoPCaseContext {
  attack: AttackContext;
  /** The legitimate client's DPoP key. */
  key: ProofKeyPair;
  /** A key the attacker holds. */
  attackerKey: ProofKeyPair;
  /** Where the app under test is reached: `http://127.0.0.1:<port>` (`https://` for the tls app). */
  origin: string;
  port: number;
  /** `bound` is the certificate `mtlsToken()` is bound to; `other` is another client's. */
  certs: { bound: TestCertificate; other: TestCertificate };
  /** A fresh access token of the provider bound to `key` (or to the key with thumbprint `jkt`). */
  dpopToken(jkt?: string): string;
  /** A fresh access token of the provider bound to `certs.bound`. */
  mtlsToken(): string;
  /** A fresh plain (unbound) access token of the provider. */
  plainToken(): string;
  /** A proof for `GET <origin>/api` signed by `key`, with the changes in `spec`. */
  proof(spec?: Partial<ProofSpec>): string;
  /** Sends one request to the app under test (its token and proof are registered for the log scan). */
  send(request: DPoPRequest): Promise<Answer>;
}

export interface DPoPCase {
  /** Named after the attack it stops (or, for an accepted case, after what must keep working). */
  name: string;
  /** Where the attack is documented. */
  ref: string;
  /** Which app answers. Default `allowed`. */
  app?: DPoPAppKind;
  expect: DPoPExpect;
  /** The cause codes core may report for the refusal (checked by the core runner). */
  codes?: readonly string[];
  run(c: DPoPCaseContext): Promise<Answer>;
}

/** The refusal every failed proof check gets (RFC 9449 §7.1). */
export const INVALID_PROOF: DPoPExpect = { status: 401, scheme: 'DPoP', error: 'invalid_dpop_proof' };
export const ACCEPTED_DPOP: DPoPExpect = { status: 200, binding: 'dpop' };
export const ACCEPTED_MTLS: DPoPExpect = { status: 200, binding: 'mtls' };
