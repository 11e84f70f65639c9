/**
 * One error hierarchy for the whole library. Every error carries a stable `code` a program
 * can switch on and keeps the original `cause`. Messages never contain a token, a client
 * secret or key material: callers build them from names and codes only.
 */
export class IdentityModelError extends Error {
  readonly code: string;

  constructor(message: string, options: { code: string; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
  }
}

/** Options that cannot work, found when a client, validator, manager or plugin is built. */
export class ConfigurationError extends IdentityModelError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'configuration_invalid', ...options });
  }
}

export type HttpErrorCode =
  | 'http_timeout'
  | 'http_network'
  | 'http_status'
  | 'http_body_too_large'
  | 'http_redirect'
  | 'http_aborted';

/** A network exchange that did not produce a usable response (after any retries). */
export class HttpError extends IdentityModelError {
  declare readonly code: HttpErrorCode;
  /** HTTP status when the server answered; undefined for timeouts and network failures. */
  readonly status: number | undefined;
  /** Seconds the server asked us to wait (`Retry-After`), when it said so. */
  readonly retryAfter: number | undefined;

  constructor(
    message: string,
    options: { code: HttpErrorCode; cause?: unknown; status?: number; retryAfter?: number },
  ) {
    super(message, options);
    this.status = options.status;
    this.retryAfter = options.retryAfter;
  }
}

export type TokenValidationErrorCode =
  | 'token_malformed'
  | 'token_too_large'
  | 'alg_none'
  | 'alg_not_allowed'
  | 'key_not_found'
  | 'signature_invalid'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'iat_in_future'
  | 'token_too_old'
  | 'issuer_invalid'
  | 'audience_invalid'
  | 'typ_invalid'
  | 'crit_unsupported'
  | 'claim_missing'
  | 'claim_invalid'
  /** The introspection endpoint answered `active: false` (or would not introspect the token). */
  | 'token_inactive'
  | 'keys_unavailable'
  // ID tokens (OIDC Core §3.1.3.7) and logout tokens (OIDC Back-Channel Logout 1.0 §2.6).
  | 'nonce_mismatch'
  | 'at_hash_mismatch'
  | 'c_hash_mismatch'
  | 'azp_invalid'
  | 'auth_time_too_old'
  | 'acr_invalid'
  | 'events_invalid'
  | 'token_replayed';

/** The token was not accepted. `keys_unavailable` means we could not decide (answer 503, not 401). */
export class TokenValidationError extends IdentityModelError {
  declare readonly code: TokenValidationErrorCode;
  /** For `keys_unavailable`: seconds after which trying again makes sense. */
  readonly retryAfter: number | undefined;

  constructor(
    code: TokenValidationErrorCode,
    message: string,
    options: { cause?: unknown; retryAfter?: number } = {},
  ) {
    super(message, { code, cause: options.cause });
    this.retryAfter = options.retryAfter;
  }
}

export type TokenManagementErrorCode =
  | 'token_request_failed'
  | 'token_response_invalid'
  | 'discovery_failed'
  | 'manager_closed';

/** The token manager could not obtain a token. `error`/`errorDescription` mirror the provider's answer. */
export class TokenManagementError extends IdentityModelError {
  declare readonly code: TokenManagementErrorCode;
  readonly error: string | undefined;
  readonly errorDescription: string | undefined;
  readonly httpStatus: number | undefined;
  /** Seconds the provider asked us to wait (`Retry-After`), when it said so. */
  readonly retryAfter: number | undefined;

  constructor(
    code: TokenManagementErrorCode,
    message: string,
    options: {
      cause?: unknown;
      error?: string;
      errorDescription?: string;
      httpStatus?: number;
      retryAfter?: number;
    } = {},
  ) {
    super(message, { code, cause: options.cause });
    this.error = options.error;
    this.errorDescription = options.errorDescription;
    this.httpStatus = options.httpStatus;
    this.retryAfter = options.retryAfter;
  }
}
