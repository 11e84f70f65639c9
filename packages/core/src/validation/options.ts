import type { KeyObject } from 'node:crypto';
import type { DiscoveryPolicyOptions } from '../discovery/discovery-policy.js';
import type { HttpClient } from '../http/types.js';
import type { JWK } from '../jwks/json-web-key.js';
import type { RemoteKeySetOptions } from '../jwks/remote-key-set.js';
import type { KeySource } from '../jwks/verification-key.js';
import type { Logger } from '../logger.js';
import type { JwtClaims } from './types.js';

/** Who may issue tokens: one issuer, a list (each with its own keys), or a predicate for multi-tenant providers. */
export type IssuerOption = string | readonly string[] | ((issuer: string) => boolean);

/** A custom claim check, run after the signature and every standard claim have passed. */
export type ClaimValidator = (value: unknown, claims: JwtClaims) => boolean | Promise<boolean>;

/** An expected value: the claim must equal it, or (for an array claim) contain it. */
export type ExpectedClaimValue = string | number | boolean;

export interface VerifiedTokenCacheOptions {
  /**
   * Most tokens kept. Once full, a verified token takes the place of the least recently used one only when it
   * was seen more often lately (TinyLFU), so a flood of one-shot tokens cannot push out those in use. Default 1000.
   */
  maxEntries?: number;
  /** Longest time (seconds) an entry lives, whatever its `exp`. Default 300. */
  maxTtlSeconds?: number;
}

export interface DiscoveryKeyOptions {
  /**
   * Most issuers whose discovery document and key set are kept at once (least recently used out).
   * Matters with an issuer predicate; default 100. An issuer is admitted only once its keys were had: tokens
   * naming tenants that cannot be discovered never push a working tenant out.
   */
  maxIssuers?: number;
  /**
   * Rules the discovery documents must pass (https, issuer name, required metadata …). Validation checks
   * only `jwks_uri` and trusts it on any host the issuer's document names; `validateEndpoints: true` keeps
   * it to the issuer's origin (or `additionalEndpointBaseAddresses`). A refusal is logged once, at error level.
   */
  policy?: DiscoveryPolicyOptions;
  /**
   * After a failed discovery fetch, how long (ms) callers get the failure without a new fetch. Default 5000.
   * With an issuer predicate this is also how long an issuer whose keys could not be had is refused from
   * memory (up to 256 such issuers are remembered at once).
   */
  failureBackoffMs?: number;
}

export interface TokenValidatorOptions {
  /**
   * Required. The exact `iss` value(s) accepted, compared character for character (`https://x/` is not
   * `https://x`). With discovery (the default key source) each must be a URL in its own normal form, and a
   * predicate only ever sees such an `iss`: one with dot segments, backslashes, userinfo, a query, a
   * fragment or needless percent-encoding is refused before anything is fetched.
   */
  issuer: IssuerOption;
  /**
   * Required. Accepted audiences: a token passes when its `aud` contains any of them. `false` skips the check
   * (not recommended: a token minted for another API would be accepted).
   */
  audience: string | readonly string[] | false;
  /** Allowed `alg` values. Default: RS256/384/512, PS256/384/512, ES256/384/512, EdDSA. HS* only with `secret`. */
  algorithms?: readonly string[];
  /** Seconds of clock skew tolerated for `exp`, `nbf`, `iat`. Default 5. */
  clockTolerance?: number;
  /** Seconds after `iat` past which a token is refused, whatever its `exp`. */
  maxTokenAge?: number;
  /** Claims that must be present (besides `exp`, `iat` and those implied by other options). */
  requiredClaims?: readonly string[];
  /** `iat` must be present. Default true (RFC 9068). */
  requireIat?: boolean;
  /** Expected `sub`. */
  subject?: string;
  /**
   * Accepted JOSE `typ` values, compared case-insensitively with or without `application/`. Default: `at+jwt`,
   * `JWT` or absent; with `strict`, only `at+jwt`.
   */
  typ?: string | readonly string[];
  /** RFC 9068 profile: `typ: at+jwt` and `iss`, `exp`, `aud`, `sub`, `client_id`, `iat`, `jti` all required. */
  strict?: boolean;
  /** Claim name → expected value, or a check of the value (sync or async). Run last. */
  validators?: Readonly<Record<string, ExpectedClaimValue | ClaimValidator>>;

  // Where keys come from: discovery from the issuer unless exactly one of these is given.
  /** The JWK Set URL (no discovery). */
  jwksUri?: string | URL;
  /** A local JWK Set (public keys). */
  keys?: { keys: readonly JWK[] };
  /** A shared secret for HS256/384/512; `algorithms` must then list the HS algorithms explicitly. */
  secret?: string | Uint8Array | KeyObject;
  /** Any other source of trusted keys. The validator does not close it. */
  keySource?: KeySource;
  /** Discovery-based key sets (the default key source). */
  discovery?: DiscoveryKeyOptions;
  /** Tuning of remote key sets (discovery or `jwksUri`): TTLs, unknown-`kid` refetch cooldown, staleness. */
  keySet?: Omit<RemoteKeySetOptions, 'httpClient' | 'logger'>;

  /** The verified-token cache; `false` verifies every token every time. */
  cache?: false | VerifiedTokenCacheOptions;
  /** Tokens longer than this (characters) are refused before any decoding. Default 8192. */
  maxTokenLength?: number;
  /** Claims scopes are read from. Default `['scope', 'scp']`; add `'permissions'` for Auth0 RBAC. */
  scopeClaims?: readonly string[];
  /** HTTP client for discovery and key sets. Default: the shared client. */
  httpClient?: HttpClient;
  logger?: Logger;
  /** Current time in ms since the epoch. Default `Date.now`; injectable for tests. */
  now?: () => number;
}
