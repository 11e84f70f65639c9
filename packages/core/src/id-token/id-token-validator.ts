import { ConfigurationError, TokenValidationError } from '../errors.js';
import { constantTimeEqual } from '../protocol/constant-time-equal.js';
import { SignedResponseVerifier } from '../protocol/signed-response.js';
import type { JwtClaims, JwtHeader } from '../validation/types.js';
import { tokenHash } from './token-hash.js';
import { type ProviderTokenOptions, resolveTokenKeys } from './token-keys.js';

/** What one authentication response is checked against; everything is optional. */
export interface IdTokenChecks {
  /** The `nonce` sent in the authorization request: the token must carry exactly it. */
  nonce?: string;
  /**
   * The `max_age` (seconds) sent in the authorization request: `auth_time` is then required and must be at
   * most this old (plus `clockTolerance`).
   */
  maxAge?: number;
  /** `auth_time` must be present even without `maxAge` (the client registered `require_auth_time`). */
  requireAuthTime?: boolean;
  /** Acceptable `acr` values: the token's `acr` must be one of them. */
  acrValues?: readonly string[];
  /** The access token returned with the ID token: `at_hash`, when present, must match it. */
  accessToken?: string;
  /** `at_hash` must be present (hybrid `code id_token token` and `id_token token` responses). */
  requireAtHash?: boolean;
  /** The code returned with the ID token (hybrid flows): `c_hash` must be present and match it. */
  code?: string;
}

/** Built once per provider and client; per-flow values come with each `validate`. */
export interface IdTokenValidatorOptions extends ProviderTokenOptions {
  /** Seconds after `iat` past which an ID token is refused, whatever its `exp`. Default: no limit. */
  maxTokenAge?: number;
  /** Defaults for every `validate` call (each call may override them). */
  maxAge?: number;
  requireAuthTime?: boolean;
  acrValues?: readonly string[];
}

/** A validated ID token: frozen header and claims, and the end user's `sub`. */
export interface ValidatedIdToken {
  readonly header: Readonly<JwtHeader>;
  readonly claims: Readonly<JwtClaims>;
  readonly sub: string;
}

const WHAT = 'createIdTokenValidator';
/** Longest nonce, code, acr value or access token we compare (characters); longer is a caller mistake. */
const MAX_CHECK_LENGTH = 16_384;

function fail(message: string): never {
  throw new ConfigurationError(`${WHAT}: ${message}`);
}

function refuse(code: TokenValidationError['code'], message: string): never {
  throw new TokenValidationError(code, message);
}

function checkString(value: unknown, name: string): void {
  if (value !== undefined && (typeof value !== 'string' || value === '' || value.length > MAX_CHECK_LENGTH)) {
    fail(`${name} must be a non-empty string of at most ${MAX_CHECK_LENGTH} characters`);
  }
}

/** Checks the per-flow values once per call (ConfigurationError: a caller mistake, not a bad token). */
function resolveChecks(checks: IdTokenChecks): IdTokenChecks {
  if (typeof checks !== 'object' || checks === null) fail('checks must be an object');
  checkString(checks.nonce, 'nonce');
  checkString(checks.accessToken, 'accessToken');
  checkString(checks.code, 'code');
  const { maxAge, acrValues } = checks;
  if (maxAge !== undefined && (!Number.isFinite(maxAge) || maxAge < 0)) {
    fail('maxAge must be a number of seconds (0 or more), as sent in max_age');
  }
  if (acrValues !== undefined) {
    if (!Array.isArray(acrValues) || acrValues.length === 0) fail('acrValues must be a non-empty array');
    for (const acr of acrValues) checkString(acr, 'acrValues[]');
  }
  for (const flag of ['requireAuthTime', 'requireAtHash'] as const) {
    if (checks[flag] !== undefined && typeof checks[flag] !== 'boolean') fail(`${flag} must be a boolean`);
  }
  return checks;
}

function numericDate(claims: JwtClaims, name: string): number | undefined {
  const value = claims[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value))
    refuse('claim_invalid', `${name} must be a number`);
  return value;
}

/**
 * Validates ID tokens (OIDC Core §3.1.3.7) on the hardened JWS path of access tokens: canonical base64url,
 * safe JSON, `alg: none` refused first, the algorithm allowlist, `crit`, key/alg matching, `node:crypto`.
 * `typ` must be absent or `JWT` (an `at+jwt` access token is not an ID token); `iss` exact; `aud` contains
 * our client, `azp` equal to it when present and required with several audiences; `exp`, `iat`, `sub`
 * required; then `nonce`, `auth_time` with `max_age`, `acr`, `at_hash`, `c_hash`.
 */
export class IdTokenValidator {
  readonly #verifier: SignedResponseVerifier;
  readonly #clientId: string;
  readonly #tolerance: number;
  readonly #now: () => number;
  readonly #defaults: IdTokenChecks;
  readonly #close: () => Promise<void>;

  constructor(options: IdTokenValidatorOptions) {
    const { keySource, owned } = resolveTokenKeys(options, WHAT);
    try {
      this.#verifier = new SignedResponseVerifier({
        issuer: options.issuer,
        audience: options.clientId,
        typ: ['JWT'],
        allowAbsentTyp: true,
        keySource,
        requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
        ...(options.algorithms === undefined ? {} : { algorithms: options.algorithms }),
        ...(options.clockTolerance === undefined ? {} : { clockTolerance: options.clockTolerance }),
        ...(options.maxTokenAge === undefined ? {} : { maxAge: options.maxTokenAge }),
        ...(options.now === undefined ? {} : { now: options.now }),
      });
    } catch (cause) {
      if (owned) void keySource.close().catch(() => {});
      if (!(cause instanceof ConfigurationError)) throw cause;
      throw new ConfigurationError(cause.message.replace(/^signed response/, WHAT), { cause });
    }
    this.#clientId = options.clientId;
    this.#tolerance = options.clockTolerance ?? 5;
    this.#now = options.now ?? Date.now;
    const { maxAge, requireAuthTime, acrValues } = options;
    this.#defaults = resolveChecks({
      ...(maxAge === undefined ? {} : { maxAge }),
      ...(requireAuthTime === undefined ? {} : { requireAuthTime }),
      ...(acrValues === undefined ? {} : { acrValues }),
    });
    this.#close = owned ? () => keySource.close() : async () => {};
  }

  /** Resolves with the validated token, or rejects with `TokenValidationError` naming the failed rule. */
  async validate(idToken: string, checks: IdTokenChecks = {}): Promise<ValidatedIdToken> {
    const c = { ...this.#defaults, ...resolveChecks(checks) };
    const { header, claims } = await this.#verifier.verify(idToken);
    if (typeof claims.sub !== 'string' || claims.sub === '') refuse('claim_invalid', 'sub must be a string');
    this.#checkAzp(claims);
    this.#checkNonce(claims, c.nonce);
    this.#checkAuthTime(claims, c);
    if (c.acrValues !== undefined && !(typeof claims.acr === 'string' && c.acrValues.includes(claims.acr))) {
      refuse('acr_invalid', 'acr is not one of the acceptable values');
    }
    // The verified signature's length tells Ed25519 from Ed448 (see token-hash.ts).
    const token = idToken.trim();
    const signatureChars = token.length - token.lastIndexOf('.') - 1;
    if (c.accessToken !== undefined) {
      checkHash(claims, 'at_hash', c.accessToken, header.alg, signatureChars, c.requireAtHash === true);
    } else if (c.requireAtHash === true) fail('requireAtHash needs accessToken');
    if (c.code !== undefined) checkHash(claims, 'c_hash', c.code, header.alg, signatureChars, true);
    return Object.freeze({ header, claims, sub: claims.sub });
  }

  async close(): Promise<void> {
    await this.#close();
  }

  #checkAzp(claims: JwtClaims): void {
    const { aud, azp } = claims;
    const several = Array.isArray(aud) && aud.length > 1;
    if (azp === undefined) {
      if (several) refuse('azp_invalid', 'azp is required when the ID token has several audiences');
    } else if (azp !== this.#clientId) refuse('azp_invalid', 'azp is not our client');
  }

  #checkNonce(claims: JwtClaims, expected: string | undefined): void {
    if (expected === undefined) return;
    const nonce = claims.nonce;
    if (nonce === undefined) refuse('nonce_mismatch', 'nonce was sent but the ID token has none');
    if (typeof nonce !== 'string' || !constantTimeEqual(nonce, expected)) {
      refuse('nonce_mismatch', 'nonce does not match the one sent');
    }
  }

  #checkAuthTime(claims: JwtClaims, c: IdTokenChecks): void {
    const authTime = numericDate(claims, 'auth_time');
    if (authTime === undefined) {
      if (c.maxAge !== undefined || c.requireAuthTime === true) {
        refuse('claim_missing', 'auth_time is required (max_age was sent or require_auth_time is set)');
      }
      return;
    }
    const now = Math.floor(this.#now() / 1000);
    if (authTime > now + this.#tolerance) refuse('claim_invalid', 'auth_time is in the future');
    if (c.maxAge !== undefined && now - authTime > c.maxAge + this.#tolerance) {
      refuse('auth_time_too_old', 'the end user authenticated longer ago than max_age');
    }
  }
}

function checkHash(
  claims: JwtClaims,
  name: 'at_hash' | 'c_hash',
  value: string,
  alg: string,
  signatureChars: number,
  required: boolean,
): void {
  const code = name === 'at_hash' ? 'at_hash_mismatch' : 'c_hash_mismatch';
  const claim = claims[name];
  if (claim === undefined) {
    if (required) refuse('claim_missing', `${name} is required`);
    return;
  }
  const expected = tokenHash(value, alg, signatureChars);
  if (expected === undefined) refuse(code, `${name} cannot be checked for alg ${alg}`);
  if (typeof claim !== 'string' || !constantTimeEqual(claim, expected)) {
    refuse(code, `${name} does not match the ${name === 'at_hash' ? 'access token' : 'code'}`);
  }
}

/** Builds an `IdTokenValidator`: options are checked now (`ConfigurationError`), keys fetched on first use. */
export function createIdTokenValidator(options: IdTokenValidatorOptions): IdTokenValidator {
  return new IdTokenValidator(options);
}

/**
 * One call: builds a validator, validates `idToken` with the checks in `options`, closes it. With `jwksUri`
 * the provider's keys are shared across calls; with discovery each call reads the document again: build a
 * validator with `createIdTokenValidator` when validating more than once.
 */
export async function validateIdToken(
  idToken: string,
  options: IdTokenValidatorOptions & IdTokenChecks,
): Promise<ValidatedIdToken> {
  const { nonce, accessToken, code, requireAtHash, ...rest } = options;
  const validator = new IdTokenValidator(rest);
  try {
    return await validator.validate(idToken, {
      ...(nonce === undefined ? {} : { nonce }),
      ...(accessToken === undefined ? {} : { accessToken }),
      ...(code === undefined ? {} : { code }),
      ...(requireAtHash === undefined ? {} : { requireAtHash }),
    });
  } finally {
    await validator.close();
  }
}
