import { IdentityModelError } from '../errors.js';

/**
 * Why a DPoP proof (RFC 9449 §4.3) was refused:
 * - `dpop_proof_missing`: the `DPoP` scheme without a `DPoP` header;
 * - `dpop_proof_repeated`: more than one `DPoP` header;
 * - `dpop_proof_malformed`: not a compact JWS of bounded size with JSON header and claims, or a `crit` header;
 * - `dpop_typ_invalid`: `typ` is not `dpop+jwt`;
 * - `dpop_alg_not_allowed`: `none`, a symmetric algorithm, or one outside the allowlist;
 * - `dpop_jwk_invalid`: no usable public `jwk` header, or one that does not fit `alg`;
 * - `dpop_jwk_private`: the `jwk` header carries private key members;
 * - `dpop_signature_invalid`: the signature does not verify with the `jwk`;
 * - `dpop_htm_mismatch` / `dpop_htu_mismatch`: the proof is for another method / URL;
 * - `dpop_iat_invalid`: `iat` missing, too old (outside the window) or in the future;
 * - `dpop_jti_missing`: `jti` missing, empty or too long;
 * - `dpop_replayed`: the `jti` was already used with this key within the window;
 * - `dpop_ath_mismatch`: `ath` missing or not the hash of the access token sent;
 * - `dpop_jkt_mismatch`: the proof key is not the one the access token is bound to (`cnf.jkt`);
 * - `dpop_nonce_invalid`: a server nonce is required and the proof has none, or a stale or forged one
 *   (answered `use_dpop_nonce` with a fresh nonce).
 */
export type DPoPProofErrorCode =
  | 'dpop_proof_missing'
  | 'dpop_proof_repeated'
  | 'dpop_proof_malformed'
  | 'dpop_typ_invalid'
  | 'dpop_alg_not_allowed'
  | 'dpop_jwk_invalid'
  | 'dpop_jwk_private'
  | 'dpop_signature_invalid'
  | 'dpop_htm_mismatch'
  | 'dpop_htu_mismatch'
  | 'dpop_iat_invalid'
  | 'dpop_jti_missing'
  | 'dpop_replayed'
  | 'dpop_ath_mismatch'
  | 'dpop_jkt_mismatch'
  | 'dpop_nonce_invalid';

/** A DPoP proof that was not accepted. The message is a fixed text per code: never proof or token content. */
export class DPoPProofError extends IdentityModelError {
  declare readonly code: DPoPProofErrorCode;

  constructor(code: DPoPProofErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { code, ...options });
  }
}
