/**
 * DPoP forging for the attack catalogue: proofs with any header, claim or signature (byte-exact, through
 * `forge`), and sender-constrained access tokens signed with the test provider's own key, bound to a DPoP
 * key (`cnf.jkt`) or to a client certificate (`cnf["x5t#S256"]`).
 *
 *   const key = proofKey();                                   // ES256 (or RS256, EdDSA) + its thumbprint
 *   const token = dpopBoundToken(ctx, key.jkt);              // the provider's key, cnf: { jkt }
 *   const proof = forgeProof({ key, htu: `${origin}/api`, accessToken: token, claims: { iat: 0 } });
 */
import { randomUUID } from 'node:crypto';
import {
  certificateThumbprint,
  computeAth,
  type DPoPKey,
  generateDPoPKey,
  jwkThumbprint,
} from '@identity-model/core';
import type { AttackContext } from './attack-context.js';
import { forge, nowSeconds, type Segment, type SignKey } from './forge.js';

/** A client's DPoP key pair and the RFC 7638 thumbprint a bound token names. */
export interface ProofKeyPair extends DPoPKey {
  jkt: string;
}

export function proofKey(alg: 'ES256' | 'RS256' | 'EdDSA' = 'ES256'): ProofKeyPair {
  const key = generateDPoPKey(alg);
  return { ...key, jkt: jwkThumbprint(key.publicJwk) };
}

export interface ProofSpec {
  key: ProofKeyPair;
  /** `htu`: the URL the proof names. */
  htu: string;
  /** `htm`. Default `GET`. */
  htm?: string;
  /** The access token the proof goes with: `ath` is its hash. */
  accessToken?: string;
  /** Claims to add or override; `undefined` removes one (`jti`, `iat`, `ath`…). */
  claims?: Record<string, unknown>;
  /** Header members to add or override (`undefined` removes one), or the whole header as raw JSON text. */
  header?: Record<string, unknown> | string;
  /** Sign with this key instead of the proof key (under `alg`, default the header's). */
  signWith?: SignKey;
  alg?: string;
  /** The signature segment as given (`''` for none). */
  signature?: string;
}

/** A DPoP proof exactly as asked: by default a valid one for `GET htu` with `ath`, signed by `key`. */
export function forgeProof(spec: ProofSpec): string {
  const claims: Record<string, unknown> = {
    jti: randomUUID(),
    htm: spec.htm ?? 'GET',
    htu: spec.htu,
    iat: nowSeconds(),
    ...(spec.accessToken === undefined ? {} : { ath: computeAth(spec.accessToken) }),
    ...spec.claims,
  };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  let header: Segment;
  if (typeof spec.header === 'string') header = spec.header;
  else {
    const members: Record<string, unknown> = {
      typ: 'dpop+jwt',
      alg: spec.key.alg,
      jwk: { ...spec.key.publicJwk },
      ...spec.header,
    };
    for (const [name, value] of Object.entries(members)) if (value === undefined) delete members[name];
    header = members;
  }
  if (spec.signature !== undefined) return forge({ header, payload: claims, signature: spec.signature });
  const alg = spec.alg ?? (typeof spec.header === 'object' ? spec.header.alg : undefined) ?? spec.key.alg;
  return forge({ header, payload: claims, key: spec.signWith ?? spec.key.privateKey, alg: String(alg) });
}

/** An access token of the test provider (its real key and `kid`) bound to the DPoP key with thumbprint `jkt`. */
export function dpopBoundToken(
  ctx: AttackContext,
  jkt: string,
  overrides: Record<string, unknown> = {},
): string {
  return ctx.signReal(ctx.claims({ cnf: { jkt }, ...overrides }));
}

/** An access token of the test provider bound to the client certificate `certificatePem` (RFC 8705 §3). */
export function mtlsBoundToken(
  ctx: AttackContext,
  certificatePem: string,
  overrides: Record<string, unknown> = {},
): string {
  return ctx.signReal(
    ctx.claims({ cnf: { 'x5t#S256': certificateThumbprint(certificatePem) }, ...overrides }),
  );
}

/** `Authorization: DPoP <token>` and one `DPoP: <proof>` header. */
export function dpopHeaders(token: string, proof: string): [string, string][] {
  return [
    ['authorization', `DPoP ${token}`],
    ['dpop', proof],
  ];
}
