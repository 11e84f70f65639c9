import { ConfigurationError, TokenValidationError } from '../errors.js';
import { getDefaultHttpClient } from '../http/default-client.js';
import type { HttpClient } from '../http/types.js';
import type { JWK } from '../jwks/json-web-key.js';
import { LocalKeySet } from '../jwks/local-key-set.js';
import type { KeySource } from '../jwks/verification-key.js';
import { sharedRemoteKeySet } from '../protocol/endpoint-response-verifier.js';
import { SignedResponseVerifier } from '../protocol/signed-response.js';
import { AuthorizeCallbackError } from './authorize-callback-error.js';
import {
  AuthorizeCallbackResponse,
  MAX_CALLBACK_VALUE,
  MAX_JWT_PARAMETER,
} from './authorize-callback-response.js';

export interface JarmOptions {
  /** The issuer the flow started with: the JWT's `iss` must be exactly this. */
  issuer: string;
  /** Our `client_id`: the JWT's `aud` must contain it (a response minted for another client is refused). */
  clientId: string;
  /** The provider's JWK Set URL (its `jwks_uri`), fetched and cached per HTTP client … */
  jwksUri?: string | URL;
  /** … or its public keys … */
  keys?: { keys: readonly JWK[] };
  /** … or any other source of trusted keys. */
  keySource?: KeySource;
  /** Allowed `alg` values. Default: RS/PS/ES 256-512 and EdDSA (`none` and HMAC never). */
  algorithms?: readonly string[];
  /** Seconds of clock skew tolerated for `exp`, `iat`, `nbf`. Default 5. */
  clockTolerance?: number;
  httpClient?: HttpClient;
  /** Current time in ms; for tests. */
  now?: () => number;
}

/** JWT members that are about the JWT, not authorization response parameters. */
const ENVELOPE = new Set(['aud', 'exp', 'iat', 'nbf', 'jti']);

function keySourceOf(options: JarmOptions): KeySource {
  const given = (['jwksUri', 'keys', 'keySource'] as const).filter((k) => options[k] !== undefined);
  if (given.length !== 1) {
    throw new ConfigurationError(
      "jwksUri, keys or keySource: give exactly one (the provider's signing keys)",
    );
  }
  if (options.keySource !== undefined) return options.keySource;
  if (options.keys !== undefined) return new LocalKeySet(options.keys);
  const uri = String(options.jwksUri);
  if (!URL.canParse(uri) || !/^https?:$/.test(new URL(uri).protocol)) {
    throw new ConfigurationError('jwksUri: must be an absolute http(s) URL');
  }
  return sharedRemoteKeySet(options.httpClient ?? getDefaultHttpClient(), new URL(uri).href);
}

/**
 * Verifies a JARM response (`response_mode=jwt`, `query.jwt`, `fragment.jwt`, `form_post.jwt`) on the
 * hardened JWS path: signature from the provider's keys, `iss` exactly the issuer, `aud` our client, `exp`
 * required and not passed. Returns its parameters as an `AuthorizeCallbackResponse` (then check `state` and,
 * through `iss`, the issuer as for any callback). Takes the callback as parsed, or the `response` JWT itself.
 * Rejects with `AuthorizeCallbackError` (`jarm_missing`, `jarm_invalid` with the `TokenValidationError` as cause).
 */
export async function processJarmResponse(
  input: AuthorizeCallbackResponse | string,
  options: JarmOptions,
): Promise<AuthorizeCallbackResponse> {
  if (typeof options !== 'object' || options === null) throw new ConfigurationError('JARM options: required');
  if (typeof options.clientId !== 'string' || options.clientId === '') {
    throw new ConfigurationError('clientId: a non-empty string is required');
  }
  const verifier = new SignedResponseVerifier({
    issuer: options.issuer,
    audience: options.clientId,
    keySource: keySourceOf(options),
    typ: ['JWT'],
    allowAbsentTyp: true,
    requiredClaims: ['exp'],
    ...(options.algorithms === undefined ? {} : { algorithms: options.algorithms }),
    ...(options.clockTolerance === undefined ? {} : { clockTolerance: options.clockTolerance }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const jwt = typeof input === 'string' ? input : input.response;
  if (jwt === undefined || jwt === '') {
    throw new AuthorizeCallbackError('jarm_missing', 'the callback carries no JARM response parameter');
  }
  let claims: Readonly<Record<string, unknown>>;
  try {
    ({ claims } = await verifier.verify(jwt));
  } catch (cause) {
    if (!(cause instanceof TokenValidationError)) throw cause;
    throw new AuthorizeCallbackError('jarm_invalid', `the JARM response was refused (${cause.code})`, {
      cause,
    });
  }
  return new AuthorizeCallbackResponse(parameters(claims));
}

function parameters(claims: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(claims)) {
    if (ENVELOPE.has(name)) continue;
    const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
    const limit = name === 'id_token' || name === 'access_token' ? MAX_JWT_PARAMETER : MAX_CALLBACK_VALUE;
    if (typeof text !== 'string' || text.length > limit) {
      throw new AuthorizeCallbackError(
        'jarm_invalid',
        `the JARM response member "${name.slice(0, 64)}" is not a bounded string`,
      );
    }
    out[name] = text;
  }
  return out;
}
