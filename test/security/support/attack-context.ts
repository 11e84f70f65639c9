/**
 * What every attack case may use: the real provider's public and private keys, a real token from its
 * token endpoint, the attacker's own keys and the canary server. Built once per test file.
 */
import type { KeyObject } from 'node:crypto';
import type { TokenValidationErrorCode } from '@identity-model/core';
import type { TestIdp } from '../../support/idp.js';
import { startCanary } from './canary.js';
import { forge, nowSeconds, privateKeyFromJwk, type Segment, type SignKey } from './forge.js';
import { type AttackerKeys, attackerKeys } from './keys.js';
import type { LocalServer } from './local-server.js';
import type { RawRequest } from './raw-http.js';

export interface ProviderKey {
  kid: string;
  publicJwk: Record<string, unknown>;
  privateKey: KeyObject;
}

export interface AttackContext {
  issuer: string;
  audience: string;
  otherAudience: string;
  clientId: string;
  rsa: ProviderKey;
  ec: ProviderKey;
  ed: ProviderKey;
  /** A real RS256 access token from the provider's token endpoint (scope `read`). */
  validToken: string;
  attacker: AttackerKeys;
  canary: LocalServer;
  /** Claims a genuine access token would carry, with overrides (`undefined` removes a claim). */
  claims(overrides?: Record<string, unknown>): Record<string, unknown>;
  /** Signs with the provider's own key: header defaults to `{ alg, typ: 'at+jwt', kid }`. */
  signReal(
    payload: Segment,
    header?: Record<string, unknown> | string,
    alg?: 'RS256' | 'ES256' | 'EdDSA',
  ): string;
  /** Signs with a key of the attacker's choosing. */
  signWith(key: SignKey, header: Segment, payload: Segment, alg?: string): string;
}

/** An outcome at the HTTP level: status and the RFC 6750 `error` (null: a bare challenge). */
export interface Outcome {
  status: number;
  error: 'invalid_request' | 'invalid_token' | 'insufficient_scope' | null;
}

export interface AttackCase {
  /** Named after the attack it stops. */
  name: string;
  /** Where the attack is documented (RFC section, advisory). */
  ref: string;
  /** The token to present (token cases run through core and every adapter). */
  token?: (ctx: AttackContext) => string | Promise<string>;
  /** The whole request (header-level cases run through the adapters only). */
  request?: (ctx: AttackContext) => RawRequest | Promise<RawRequest>;
  /** Acceptable adapter outcomes; the first is the one RFC 6750 asks for. */
  expect: Outcome[];
  /** Acceptable `TokenValidationError` codes from core. */
  codes?: TokenValidationErrorCode[];
  /** Route to call: `/api` needs any valid token, `/admin` needs scope `admin`. */
  path?: '/api' | '/admin';
  /** Core may accept this token; `check` then decides whether what it accepted is safe. */
  coreMayAccept?: (scopes: readonly string[], claims: Record<string, unknown>) => void;
  /** Which app answers: the main one, or the one whose key set also publishes a weak key. */
  app?: 'main' | 'weak-keys';
}

export const INVALID_TOKEN: Outcome = { status: 401, error: 'invalid_token' };
export const INVALID_REQUEST: Outcome = { status: 400, error: 'invalid_request' };
export const NO_CREDENTIALS: Outcome = { status: 401, error: null };

function providerKey(idp: TestIdp, alg: 'RS256' | 'ES256' | 'EdDSA'): ProviderKey {
  const priv = idp.privateJwk(alg);
  const kid = String(priv.kid);
  const publicJwk = idp.publicJwks().keys.find((k) => k.kid === kid) as Record<string, unknown>;
  return { kid, publicJwk, privateKey: privateKeyFromJwk(priv) };
}

export async function createAttackContext(idp: TestIdp): Promise<AttackContext> {
  const attacker = attackerKeys();
  const canary = await startCanary(attacker);
  const rsa = providerKey(idp, 'RS256');
  const ec = providerKey(idp, 'ES256');
  const ed = providerKey(idp, 'EdDSA');
  const validToken = await idp.getToken({ scope: 'read' });
  const claims = (overrides: Record<string, unknown> = {}) => {
    const now = nowSeconds();
    const base: Record<string, unknown> = {
      iss: idp.issuer,
      sub: 'svc-basic',
      aud: idp.audience,
      client_id: 'svc-basic',
      iat: now,
      exp: now + 300,
      jti: `jti-${Math.random().toString(36).slice(2)}`,
      scope: 'read',
      ...overrides,
    };
    for (const [k, v] of Object.entries(base)) if (v === undefined) delete base[k];
    return base;
  };
  const keyFor = { RS256: rsa, ES256: ec, EdDSA: ed };
  return {
    issuer: idp.issuer,
    audience: idp.audience,
    otherAudience: idp.otherAudience,
    clientId: 'svc-basic',
    rsa,
    ec,
    ed,
    validToken,
    attacker,
    canary,
    claims,
    signReal(payload, header, alg = 'RS256') {
      const k = keyFor[alg];
      const h = typeof header === 'string' ? header : { alg, typ: 'at+jwt', kid: k.kid, ...header };
      return forge({ header: h, payload, key: k.privateKey, alg });
    },
    signWith(key, header, payload, alg) {
      return forge({ header, payload, key, alg });
    },
  };
}
