import { IdentityModelError } from '../errors.js';

/**
 * Why a token was refused for how it was sent rather than for what it is:
 * - `dpop_required`: a plain bearer token where only DPoP-bound tokens are accepted (`dpop.mode: 'required'`);
 * - `dpop_bound_token_as_bearer`: a DPoP-bound token (`cnf.jkt`) sent with the `Bearer` scheme, without proof;
 * - `dpop_token_unbound`: the `DPoP` scheme with a token that is not DPoP-bound (no `cnf.jkt`);
 * - `certificate_missing`: a certificate-bound token (`cnf["x5t#S256"]`) without a client certificate;
 * - `certificate_mismatch`: a certificate-bound token with another client certificate;
 * - `replay_check_unavailable`: the replay store could not say whether a proof was used before (503).
 */
export type SenderConstraintErrorCode =
  | 'dpop_required'
  | 'dpop_bound_token_as_bearer'
  | 'dpop_token_unbound'
  | 'certificate_missing'
  | 'certificate_mismatch'
  | 'replay_check_unavailable';

/** The cause of a refusal of a sender-constrained (RFC 9449 / RFC 8705) token. */
export class SenderConstraintError extends IdentityModelError {
  declare readonly code: SenderConstraintErrorCode;

  constructor(code: SenderConstraintErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { code, ...options });
  }
}
