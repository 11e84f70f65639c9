import type { DiscoveryPolicyOptions } from '../discovery/discovery-policy.js';
import { ConfigurationError } from '../errors.js';
import { getDefaultHttpClient } from '../http/default-client.js';
import type { HttpClient } from '../http/types.js';
import type { JWK } from '../jwks/json-web-key.js';
import { LocalKeySet } from '../jwks/local-key-set.js';
import type { KeySource } from '../jwks/verification-key.js';
import { type Logger, silentLogger } from '../logger.js';
import { sharedRemoteKeySet } from '../protocol/endpoint-response-verifier.js';
import { DiscoveryKeySource } from '../validation/discovery-key-source.js';

/** What every provider-signed token for our client (ID token, logout token) is checked against. */
export interface ProviderTokenOptions {
  /** Required. The provider's exact issuer identifier (`iss`, compared character for character). */
  issuer: string;
  /** Required. Our `client_id`: the token's `aud` must contain it. */
  clientId: string;
  /** The provider's JWK Set URL. Default: the `jwks_uri` of the issuer's discovery document. */
  jwksUri?: string | URL;
  /** Or a fixed JWK Set (public keys). */
  keys?: { keys: readonly JWK[] };
  /** Or any other source of trusted keys (not closed by the validator). */
  keySource?: KeySource;
  /** Rules the discovery document must pass when keys come from discovery. */
  discoveryPolicy?: DiscoveryPolicyOptions;
  /** Allowed `alg` values. Default: RS/PS/ES 256-512 and EdDSA. `none` and HS* are never allowed. */
  algorithms?: readonly string[];
  /** Seconds of clock skew tolerated for `exp`, `iat`, `nbf`, `auth_time`. Default 5. */
  clockTolerance?: number;
  /** HTTP client for discovery and keys. Default: the shared client. */
  httpClient?: HttpClient;
  logger?: Logger;
  /** Current time in ms since the epoch. Default `Date.now`; injectable for tests. */
  now?: () => number;
}

/** The key source a validator verifies with, and whether the validator owns (and so closes) it. */
export interface ResolvedTokenKeys {
  readonly keySource: KeySource;
  readonly owned: boolean;
}

function fail(what: string, message: string): never {
  throw new ConfigurationError(`${what}: ${message}`);
}

/** Checks issuer, clientId and the key options once, and builds the key source (no I/O). */
export function resolveTokenKeys(options: ProviderTokenOptions, what: string): ResolvedTokenKeys {
  if (typeof options !== 'object' || options === null)
    fail(what, 'options are required: { issuer, clientId }');
  const { issuer, clientId } = options;
  if (typeof issuer !== 'string' || issuer === '' || issuer !== issuer.trim()) {
    fail(what, "issuer is required: the provider's exact issuer identifier");
  }
  if (typeof clientId !== 'string' || clientId === '') fail(what, 'clientId is required: our client_id');
  for (const alg of options.algorithms ?? []) {
    if (typeof alg === 'string' && alg.startsWith('HS')) {
      fail(what, `${alg} is not supported: list asymmetric algorithms only (RS256, ES256, EdDSA …)`);
    }
  }
  const given = (['jwksUri', 'keys', 'keySource'] as const).filter((k) => options[k] !== undefined);
  if (given.length > 1) fail(what, `give one key source, not ${given.join(' and ')}`);
  if (options.keySource !== undefined) {
    const s = options.keySource;
    if (typeof s?.getKeys !== 'function' || typeof s.isCurrent !== 'function') {
      fail(what, 'keySource must implement getKeys(kid) and isCurrent(key)');
    }
    return { keySource: s, owned: false };
  }
  if (options.keys !== undefined) {
    if (!Array.isArray(options.keys?.keys))
      fail(what, 'keys must be a JWK Set: { keys: [ ...public JWKs ] }');
    return { keySource: new LocalKeySet(options.keys), owned: true };
  }
  const httpClient = options.httpClient ?? getDefaultHttpClient();
  if (options.jwksUri !== undefined) {
    const url = URL.canParse(String(options.jwksUri)) ? new URL(options.jwksUri) : undefined;
    if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      fail(what, 'jwksUri must be an absolute http(s) URL');
    }
    // Shared per HTTP client and URL: every validator of the process fetches the provider's keys once per TTL.
    return { keySource: sharedRemoteKeySet(httpClient, url.href), owned: false };
  }
  if (!URL.canParse(issuer))
    fail(what, 'issuer must be a URL to discover its keys (or give jwksUri or keys)');
  const source = new DiscoveryKeySource(issuer, {
    httpClient,
    logger: options.logger ?? silentLogger,
    policy: options.discoveryPolicy,
    // The document must name exactly this issuer (OpenID Connect Discovery 1.0 §4.3).
    issuer,
  });
  return { keySource: source, owned: true };
}
