import { noteUnavailable } from '../diagnostics.js';
import { IdentityModelError, TokenValidationError, type TokenValidationErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import { isPolicyRefusal } from '../validation/discovery-key-source.js';
import type { TokenValidator, ValidatedToken } from '../validation/types.js';
import { BearerError } from './bearer-error.js';
import type { ChallengeScheme, ChallengeSettings } from './challenge.js';
import type { BearerExtractionOptions, BearerRequest } from './extract-token.js';
import { SenderConstraint, type SenderConstraintContext } from './sender-constraint.js';
import type { AuthenticationOutcome } from './when-authenticated.js';

export interface AuthenticateBearerOptions extends BearerExtractionOptions {
  /** Sent as `realm="…"` in every challenge. */
  realm?: string;
  /** A request without any credentials passes unauthenticated (`undefined`); a bad token still fails. */
  optional?: boolean;
  /** Retry-After (seconds) for a 503 when the failure does not say. Default 5. */
  retryAfter?: number;
  /** Failures are logged at `debug` (codes only, never the token). */
  logger?: Logger;
  /** What every challenge carries (realm, metadata URL, offered schemes); `realm` alone when absent. */
  challenge?: ChallengeSettings;
  /**
   * The DPoP and mTLS checks (built once: `new SenderConstraint({ dpop, mtls, trustedProxies, publicUrl })`).
   * Absent: DPoP is not accepted, and DPoP-bound tokens sent as Bearer and certificate-bound tokens without
   * their certificate are still refused.
   */
  senderConstraint?: SenderConstraint;
}

// Generic, fixed texts per failure: they tell a client what to fix without echoing anything it sent.
const DESCRIPTIONS: Record<Exclude<TokenValidationErrorCode, 'keys_unavailable'>, string> = {
  token_malformed: 'The access token is malformed',
  token_too_large: 'The access token is too large',
  alg_none: 'The access token is not signed',
  alg_not_allowed: 'The access token signing algorithm is not accepted',
  key_not_found: 'The access token signing key is not known',
  signature_invalid: 'The access token signature is invalid',
  token_expired: 'The access token expired',
  token_not_yet_valid: 'The access token is not yet valid',
  iat_in_future: 'The access token is not yet valid',
  token_too_old: 'The access token is too old',
  issuer_invalid: 'The access token issuer is not accepted',
  audience_invalid: 'The access token audience is not accepted',
  typ_invalid: 'The access token type is not accepted',
  crit_unsupported: 'The access token uses an unsupported critical header',
  claim_missing: 'The access token lacks a required claim',
  claim_invalid: 'The access token has an invalid claim',
  token_inactive: 'The access token is not active',
  // ID and logout token codes: never an access token's verdict, but the map stays exhaustive.
  nonce_mismatch: 'The access token has an invalid claim',
  at_hash_mismatch: 'The access token has an invalid claim',
  c_hash_mismatch: 'The access token has an invalid claim',
  azp_invalid: 'The access token has an invalid claim',
  auth_time_too_old: 'The access token is too old',
  acr_invalid: 'The access token has an invalid claim',
  events_invalid: 'The access token has an invalid claim',
  token_replayed: 'The access token was already used',
};

export const TOKEN_MISSING_DESCRIPTION = 'An access token is required';
const KEYS_UNAVAILABLE_DESCRIPTION = 'The access token cannot be verified right now; try again later';

/**
 * Maps a validation failure to its RFC 6750 refusal: `keys_unavailable` → 503 with Retry-After, every other
 * `TokenValidationError` → 401 `invalid_token`. Anything else is not a verdict on the token (a bug, a broken
 * custom validator) and is returned unchanged for the framework to handle as a server error.
 */
export function toBearerError(
  error: unknown,
  options: {
    realm?: string | undefined;
    retryAfter?: number | undefined;
    challenge?: ChallengeSettings | undefined;
    /** The scheme the refused credentials used (its challenge carries the error). Default: the first offered. */
    scheme?: ChallengeScheme | undefined;
  } = {},
): unknown {
  const challenge = options.challenge ?? { realm: options.realm };
  if (error instanceof BearerError) return error.withChallenge(challenge);
  if (!(error instanceof TokenValidationError)) return error;
  if (error.code === 'keys_unavailable') {
    return new BearerError('keys_unavailable', KEYS_UNAVAILABLE_DESCRIPTION, {
      retryAfter: error.retryAfter ?? options.retryAfter,
      challenge,
      cause: error,
    });
  }
  const description = DESCRIPTIONS[error.code] ?? 'The access token is invalid';
  return new BearerError('invalid_token', description, { challenge, scheme: options.scheme, cause: error });
}

/**
 * Extracts and validates the bearer token of a request. Resolves the validated token, or `undefined` for a
 * request without credentials in `optional` mode; rejects with `BearerError` for every refusal.
 */
export async function authenticateBearer(
  request: BearerRequest,
  validator: TokenValidator,
  options: AuthenticateBearerOptions = {},
): Promise<ValidatedToken | undefined> {
  return authenticateRequestNow(request, validator, options, options.logger);
}

/**
 * `authenticateBearer` without the wait when none is needed, with the logger apart (a per-request logger
 * costs no options copy): the validated token (or `undefined`) when the validator answered synchronously (a
 * cached token, keys at hand), else a promise. Throws or rejects with the refusal.
 */
export function authenticateRequestNow(
  request: BearerRequest,
  validator: TokenValidator,
  options: AuthenticateBearerOptions,
  logger: Logger | undefined,
): AuthenticationOutcome {
  // An authenticator's settings carry their challenge: they are the context as they are, built once.
  const context: SenderConstraintContext =
    options.challenge === undefined
      ? { ...options, challenge: { realm: options.realm } }
      : (options as AuthenticateBearerOptions & SenderConstraintContext);
  const constraint = options.senderConstraint ?? defaultConstraint();
  let outcome: AuthenticationOutcome;
  try {
    outcome = constraint.authenticate(request, validator, context);
  } catch (error) {
    throw refusal(error, context, logger);
  }
  // A token decided at once costs no closure: only a promise needs callbacks.
  if (!(outcome instanceof Promise)) return present(outcome, options, context.challenge);
  return outcome.then(
    (validated) => present(validated, options, context.challenge),
    (error) => {
      throw refusal(error, context, logger);
    },
  );
}

/** The refusal to answer for a failure (logged; a 503 noted for diagnostics). */
function refusal(error: unknown, context: SenderConstraintContext, logger: Logger | undefined): unknown {
  return log(logger, noteUnavailable(toBearerError(error, context)));
}

/** No credentials: `undefined` in optional mode, else the RFC 6750 §3.1 challenge without an error code. */
function present(
  validated: ValidatedToken | undefined,
  options: AuthenticateBearerOptions,
  challenge: ChallengeSettings,
): ValidatedToken | undefined {
  if (validated === undefined && !options.optional) {
    throw new BearerError('token_missing', TOKEN_MISSING_DESCRIPTION, { challenge });
  }
  return validated;
}

let fallback: SenderConstraint | undefined;

/** Without options: DPoP off (no replay store to hold), the binding checks of Bearer tokens still on. */
function defaultConstraint(): SenderConstraint {
  fallback ??= new SenderConstraint({ dpop: { mode: 'disabled' } });
  return fallback;
}

function log(logger: Logger | undefined, error: unknown): unknown {
  if (!logger) return error;
  if (error instanceof BearerError) {
    const cause = error.cause instanceof IdentityModelError ? error.cause.code : undefined;
    const entry = { code: error.code, status: error.status, cause };
    // A policy refusal was logged once at error level where it was found; a warning per request would bury it.
    const refused = error.cause instanceof TokenValidationError && isPolicyRefusal(error.cause);
    if (error.code === 'keys_unavailable' && !refused)
      logger.warn(entry, 'bearer token could not be verified');
    else logger.debug(entry, 'bearer token refused');
  } else {
    // Only the error's name: an unexpected message could echo anything, including the token.
    const name = error instanceof Error ? error.name : typeof error;
    logger.error({ error: name }, 'bearer token validation failed unexpectedly');
  }
  return error;
}
