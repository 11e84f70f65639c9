import { DPoPProofError } from '../dpop/dpop-proof-error.js';
import type { DPoPNonceSource } from '../dpop/nonce-source.js';
import { sameDigest } from '../dpop/same-digest.js';
import type { DPoPProofVerifier, InspectedProof } from '../dpop/verify-proof.js';
import { confirmationMember } from '../validation/confirmation.js';
import type { TokenValidator, ValidatedToken } from '../validation/types.js';
import { toBearerError } from './authenticate.js';
import { BearerError } from './bearer-error.js';
import { withBinding } from './bound-token.js';
import type { CertificateConstraint } from './certificate-constraint.js';
import type { ChallengeSettings } from './challenge.js';
import { type BearerRequest, rawHeaderCount } from './extract-token.js';
import { type RequestUrlSettings, requestUrl } from './request-url.js';
import type { SenderConstraintContext } from './sender-constraint.js';
import { SenderConstraintError } from './sender-constraint-error.js';
import { senderConstraintRefusal } from './sender-constraint-refusal.js';
import { whenAuthenticated } from './when-authenticated.js';

/** What the `DPoP` scheme needs of its authenticator, built once. */
export interface DPoPSchemeSettings {
  readonly verifier: DPoPProofVerifier;
  readonly url: RequestUrlSettings;
  readonly certificates: CertificateConstraint;
}

/** A proof refused: 401 `invalid_dpop_proof`, or `use_dpop_nonce` with the current nonce when one was missing. */
function proofRefusal(
  error: DPoPProofError,
  challenge: ChallengeSettings,
  nonces?: DPoPNonceSource,
): BearerError {
  if (error.code === 'dpop_nonce_invalid' && nonces !== undefined) {
    return new BearerError('use_dpop_nonce', 'A DPoP nonce is required', {
      scheme: 'DPoP',
      dpopNonce: nonces.current(),
      challenge,
      cause: error,
    });
  }
  return new BearerError('invalid_dpop_proof', error.message, { scheme: 'DPoP', challenge, cause: error });
}

const REPEATED = 'The request carries more than one DPoP proof';

/** The one `DPoP` header of a request; throws the proof error for none or several. */
function proofHeader(request: BearerRequest): string {
  if (rawHeaderCount(request, 'dpop') > 1) throw new DPoPProofError('dpop_proof_repeated', REPEATED);
  const value = request.headers.dpop;
  if (Array.isArray(value) && value.length > 1) throw new DPoPProofError('dpop_proof_repeated', REPEATED);
  const proof = Array.isArray(value) ? value[0] : value;
  if (proof === undefined || proof === '') {
    throw new DPoPProofError('dpop_proof_missing', 'The DPoP scheme needs a DPoP proof header');
  }
  if (typeof proof !== 'string') throw new DPoPProofError('dpop_proof_repeated', REPEATED);
  return proof;
}

/**
 * Node joins repeated headers with ", ". A compact JWS has no comma, so a proof with one fails `inspect`
 * as malformed: only then is it looked for, and the refusal names the repeated header.
 */
function proofInspectionError(error: DPoPProofError, proof: string): DPoPProofError {
  return proof.includes(',') ? new DPoPProofError('dpop_proof_repeated', REPEATED) : error;
}

/**
 * `Authorization: DPoP` (RFC 9449 §7): the proof's cheap checks, then the token's validation and the
 * proof's signature, then the binding and the replay check. Synchronous when the keys are at hand and the
 * replay store answers at once; a promise only where something is waited for. Throws or rejects with the
 * `BearerError` to answer.
 */
export function authenticateDPoP(
  request: BearerRequest,
  token: string,
  validator: TokenValidator,
  settings: DPoPSchemeSettings,
  context: SenderConstraintContext,
): ValidatedToken | Promise<ValidatedToken> {
  const { verifier } = settings;
  const { challenge } = context;
  let proof: InspectedProof;
  let header: string | undefined;
  try {
    header = proofHeader(request);
    proof = verifier.inspect(header, {
      method: request.method ?? '',
      url: requestUrl(request, settings.url),
      accessToken: token,
    });
  } catch (error) {
    if (!(error instanceof DPoPProofError)) throw error;
    const cause = header === undefined ? error : proofInspectionError(error, header);
    throw proofRefusal(cause, challenge, verifier.nonces);
  }
  // The token's validation (maybe a key fetch or an introspection) runs while the proof signature is
  // checked; a bad proof signature is answered first whatever the token's verdict.
  let validated: ValidatedToken | Promise<ValidatedToken>;
  try {
    validated = validator.validateNow ? validator.validateNow(token) : validator.validate(token);
  } catch (error) {
    // A refusal at once waits like any other for the proof signature, which is answered first.
    validated = Promise.reject(error);
  }
  try {
    verifier.checkSignature(proof);
  } catch (error) {
    if (validated instanceof Promise) validated.catch(() => undefined);
    throw error instanceof DPoPProofError ? proofRefusal(error, challenge) : error;
  }
  return whenAuthenticated(
    validated,
    (v) => bound(request, v, proof, settings, context),
    (error) => {
      throw toBearerError(error, { ...context, scheme: 'DPoP' });
    },
  );
}

/** A valid token sent with a valid proof: bound to the proof key, to any certificate it names, and fresh. */
function bound(
  request: BearerRequest,
  validated: ValidatedToken,
  proof: InspectedProof,
  settings: DPoPSchemeSettings,
  context: SenderConstraintContext,
): ValidatedToken | Promise<ValidatedToken> {
  const { challenge } = context;
  const jkt = confirmationMember(validated.claims, 'jkt');
  if (jkt === undefined) {
    const cause = new SenderConstraintError(
      'dpop_token_unbound',
      'the DPoP scheme with a token not DPoP-bound',
    );
    throw senderConstraintRefusal(
      'invalid_token',
      cause,
      'The access token is not DPoP-bound',
      'DPoP',
      challenge,
    );
  }
  if (!sameDigest(jkt, proof.jkt)) {
    const cause = new DPoPProofError(
      'dpop_jkt_mismatch',
      'The DPoP proof key is not the key the token is bound to',
    );
    throw proofRefusal(cause, challenge);
  }
  const checked = settings.certificates.check(request, validated, 'DPoP', challenge);
  if (checked instanceof Promise) return checked.then((c) => recorded(c, proof, settings.verifier, context));
  return recorded(checked, proof, settings.verifier, context);
}

/** The proof's `jti` recorded last, once everything else passed: a refused request burns no `jti`. */
function recorded(
  checked: ValidatedToken,
  proof: InspectedProof,
  verifier: DPoPProofVerifier,
  context: SenderConstraintContext,
): ValidatedToken | Promise<ValidatedToken> {
  let recording: void | Promise<void>;
  try {
    recording = verifier.record(proof);
  } catch (error) {
    throw replayRefusal(error, context);
  }
  if (recording === undefined) return withBinding(checked, { method: 'dpop', jkt: proof.jkt });
  return recording.then(
    () => withBinding(checked, { method: 'dpop', jkt: proof.jkt }),
    (error) => {
      throw replayRefusal(error, context);
    },
  );
}

/** A replayed proof is refused; a replay store that cannot tell makes the request wait (503). */
function replayRefusal(error: unknown, context: SenderConstraintContext): BearerError {
  if (error instanceof DPoPProofError) return proofRefusal(error, context.challenge);
  return new BearerError('keys_unavailable', 'The DPoP proof cannot be checked right now; try again later', {
    retryAfter: context.retryAfter,
    challenge: context.challenge,
    cause: new SenderConstraintError('replay_check_unavailable', 'the replay store did not answer', {
      cause: error,
    }),
  });
}
