import { IdentityModelError } from '../errors.js';

/**
 * Why an authorization callback was refused. Each code names the attack or fault it stops:
 * - `callback_malformed`: not a query, fragment or form body we can read, or a value that is not a string;
 * - `duplicate_parameter`: a parameter sent twice (RFC 6749 §3.1), which could smuggle a second value past a check;
 * - `parameter_too_long` / `too_many_parameters`: the input exceeds our bounds;
 * - `state_missing` / `state_mismatch`: CSRF or a response injected into another session (RFC 6749 §10.12);
 * - `issuer_missing` / `issuer_mismatch`: the mix-up attack (RFC 9207);
 * - `jarm_missing` / `jarm_invalid`: a JARM `response` absent, or not verifying (its `cause` says why; a
 *   `TokenValidationError` with code `keys_unavailable` means we could not decide, not that it is forged).
 */
export type AuthorizeCallbackErrorCode =
  | 'callback_malformed'
  | 'duplicate_parameter'
  | 'parameter_too_long'
  | 'too_many_parameters'
  | 'state_missing'
  | 'state_mismatch'
  | 'issuer_missing'
  | 'issuer_mismatch'
  | 'jarm_missing'
  | 'jarm_invalid';

/** An authorization callback we refuse. Messages name parameters, never their values. */
export class AuthorizeCallbackError extends IdentityModelError {
  declare readonly code: AuthorizeCallbackErrorCode;

  constructor(code: AuthorizeCallbackErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { code, cause: options.cause });
  }
}
