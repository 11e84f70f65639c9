import { ConfigurationError, TokenValidationError } from '../errors.js';
import type { KeySource } from '../jwks/verification-key.js';
import { normalizeTyp, resolveOptions } from '../validation/resolve-options.js';
import { JwtAccessTokenValidator } from '../validation/token-validator.js';
import type { JwtClaims, JwtHeader } from '../validation/types.js';

/** Longest signed response accepted (characters), before anything is decoded. */
export const MAX_SIGNED_RESPONSE_LENGTH = 65_536;

/**
 * What a signed endpoint response (RFC 9701 introspection, OIDC Core §5.3.2 userinfo, …) must satisfy
 * before any of its content is trusted.
 */
export interface SignedResponseOptions {
  /** The exact `iss` the response must carry (the authorization server's issuer identifier). */
  issuer: string;
  /** Accepted `aud` values: the response passes when its `aud` contains one. Normally our `client_id`. */
  audience: string | readonly string[];
  /**
   * Accepted JOSE `typ` values, compared case-insensitively with or without `application/`
   * (`token-introspection+jwt` for RFC 9701, `JWT` for userinfo).
   */
  typ: readonly string[];
  /** Whether a response with no `typ` is accepted (userinfo: yes; RFC 9701: no). Default false. */
  allowAbsentTyp?: boolean;
  /** The keys that may have signed it (a `RemoteKeySet` over the provider's `jwks_uri`, a `LocalKeySet` …). */
  keySource: KeySource;
  /** Allowed `alg` values. Default: RS/PS/ES 256-512 and EdDSA. `none` is never allowed. */
  algorithms?: readonly string[];
  /** Seconds of clock skew tolerated for `iat`, `exp`, `nbf`. Default 5. */
  clockTolerance?: number;
  /** Claims that must be present. Default `['iat']` (RFC 9701 §5); `[]` for userinfo. */
  requiredClaims?: readonly string[];
  /** Seconds after `iat` past which a response is refused (a replayed old answer). Default: no limit. */
  maxAge?: number;
  /** Current time in ms since the epoch. Default `Date.now`; injectable for tests. */
  now?: () => number;
}

/** A response that passed every check: its JOSE header and its claims, both frozen. */
export interface VerifiedSignedResponse {
  readonly header: Readonly<JwtHeader>;
  readonly claims: Readonly<JwtClaims>;
}

function fail(message: string): never {
  throw new ConfigurationError(`signed response: ${message}`);
}

/**
 * Verifies signed endpoint responses on the same hardened path as JWT access tokens (canonical base64url,
 * safe JSON, `alg: none` and the allowlist first, `crit`, `typ`, `kid` rules, key/alg matching, then
 * `node:crypto`), with the rules of a response instead of an access token: `typ` as given, no `exp`
 * required, `iat` required by default. Options are checked once, here (`ConfigurationError`); `verify`
 * rejects with `TokenValidationError` (`signature_invalid`, `issuer_invalid`, `audience_invalid`,
 * `typ_invalid`, `alg_none`, `iat_in_future`, `claim_missing`, `keys_unavailable`, …).
 */
export class SignedResponseVerifier {
  readonly #validator: JwtAccessTokenValidator;

  constructor(options: SignedResponseOptions) {
    if (typeof options !== 'object' || options === null) fail('options are required');
    const { typ, requiredClaims } = options;
    if (!Array.isArray(typ) || typ.length === 0 || !typ.every((t) => typeof t === 'string' && t !== '')) {
      fail('typ must be a non-empty array of media types, e.g. ["token-introspection+jwt"]');
    }
    if (requiredClaims !== undefined && !Array.isArray(requiredClaims)) {
      fail('requiredClaims must be an array of claim names');
    }
    if (options.allowAbsentTyp !== undefined && typeof options.allowAbsentTyp !== 'boolean') {
      fail('allowAbsentTyp must be a boolean');
    }
    let resolved: ReturnType<typeof resolveOptions>;
    try {
      resolved = resolveOptions({
        issuer: options.issuer,
        audience: options.audience,
        keySource: options.keySource,
        ...(options.algorithms === undefined ? {} : { algorithms: options.algorithms }),
        ...(options.clockTolerance === undefined ? {} : { clockTolerance: options.clockTolerance }),
        ...(options.maxAge === undefined ? {} : { maxTokenAge: options.maxAge }),
        ...(requiredClaims === undefined ? {} : { requiredClaims }),
        ...(options.now === undefined ? {} : { now: options.now }),
        typ,
        cache: false,
        maxTokenLength: MAX_SIGNED_RESPONSE_LENGTH,
      });
    } catch (cause) {
      if (!(cause instanceof ConfigurationError)) throw cause;
      const message = cause.message.replace(/^createTokenValidator: /, '').replace('maxTokenAge', 'maxAge');
      throw new ConfigurationError(`signed response: ${message}`, { cause });
    }
    // An access token's rules, minus what a response does not carry: `exp` is not required (RFC 9701
    // responses have none) and `typ` is exactly the given list (an `at+jwt` access token is not a response).
    const required = new Set(requiredClaims ?? ['iat']);
    if (options.maxAge !== undefined) required.add('iat');
    this.#validator = new JwtAccessTokenValidator({
      ...resolved,
      requiredClaims: [...required],
      acceptedTypes: new Set(typ.map(normalizeTyp)),
      absentTypOk: options.allowAbsentTyp === true,
    });
  }

  /** Resolves with the verified header and claims, or rejects with `TokenValidationError`. */
  async verify(jwt: string): Promise<VerifiedSignedResponse> {
    if (typeof jwt !== 'string' || jwt.length === 0) {
      throw new TokenValidationError('token_malformed', 'the signed response is empty');
    }
    const verified = await this.#validator.validate(jwt.trim());
    return Object.freeze({ header: verified.header, claims: verified.claims });
  }
}

/** One-off verification: builds a `SignedResponseVerifier` (options checked) and verifies `jwt`. */
export function verifySignedResponse(
  jwt: string,
  options: SignedResponseOptions,
): Promise<VerifiedSignedResponse> {
  return new SignedResponseVerifier(options).verify(jwt);
}
