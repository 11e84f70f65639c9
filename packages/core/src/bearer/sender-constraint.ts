import { DPoPProofError } from '../dpop/dpop-proof-error.js';
import { DPoPNonceSource } from '../dpop/nonce-source.js';
import { sameDigest } from '../dpop/same-digest.js';
import { DPoPProofVerifier, type InspectedProof } from '../dpop/verify-proof.js';
import { ConfigurationError } from '../errors.js';
import {
  boundCertificateThumbprint,
  certificateMatches,
  headerCertificate,
  peerCertificateThumbprint,
} from '../mtls/certificate-binding.js';
import { CertificateError } from '../mtls/certificate-error.js';
import { certificateThumbprint } from '../mtls/thumbprint.js';
import { confirmationMember } from '../validation/confirmation.js';
import { acceptsOnlyCompactJws } from '../validation/token-validator.js';
import type { TokenValidator, ValidatedToken } from '../validation/types.js';
import { toBearerError } from './authenticate.js';
import { BearerError } from './bearer-error.js';
import { withBinding } from './bound-token.js';
import type { ChallengeScheme, ChallengeSettings } from './challenge.js';
import {
  assertBearerSyntax,
  type BearerExtractionOptions,
  type BearerRequest,
  type Credentials,
  extractCredentials,
  rawHeaderCount,
} from './extract-token.js';
import { checkPublicUrl, type RequestUrlSettings, requestUrl } from './request-url.js';
import { SenderConstraintError } from './sender-constraint-error.js';
import type { MtlsOptions, SenderConstraintOptions } from './sender-constraint-options.js';
import { TrustedProxies } from './trusted-proxies.js';
import { whenAuthenticated } from './when-authenticated.js';

const MODES = new Set(['allowed', 'required', 'disabled']);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** What a refusal needs from the authenticator: its challenge, Retry-After and extraction settings. */
export interface SenderConstraintContext extends BearerExtractionOptions {
  challenge: ChallengeSettings;
  retryAfter?: number | undefined;
}

/** A Bearer token the validator refused: 400 when its syntax was never valid, else the validator's verdict. */
function bearerRefusal(error: unknown, credentials: Credentials, context: SenderConstraintContext): unknown {
  assertBearerSyntax(credentials);
  return toBearerError(error, { ...context, scheme: 'Bearer' });
}

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

function refusal(
  code: 'invalid_token' | 'invalid_request',
  cause: SenderConstraintError | undefined,
  description: string,
  scheme: ChallengeScheme,
  challenge: ChallengeSettings,
): BearerError {
  return new BearerError(code, description, { scheme, challenge, cause });
}

/** The one `DPoP` header of a request; throws the proof error for none or several. */
function proofHeader(request: BearerRequest): string {
  if (rawHeaderCount(request, 'dpop') > 1) {
    throw new DPoPProofError('dpop_proof_repeated', 'The request carries more than one DPoP proof');
  }
  const value = request.headers.dpop;
  if (Array.isArray(value) && value.length > 1) {
    throw new DPoPProofError('dpop_proof_repeated', 'The request carries more than one DPoP proof');
  }
  const proof = Array.isArray(value) ? value[0] : value;
  if (proof === undefined || proof === '') {
    throw new DPoPProofError('dpop_proof_missing', 'The DPoP scheme needs a DPoP proof header');
  }
  // Node joins repeated headers with ", "; a compact JWS has no comma.
  if (typeof proof !== 'string' || proof.includes(',')) {
    throw new DPoPProofError('dpop_proof_repeated', 'The request carries more than one DPoP proof');
  }
  return proof;
}

/**
 * The RFC 9449 (DPoP) and RFC 8705 (mTLS) checks around token validation, built once per authenticator from
 * `SenderConstraintOptions`. `Authorization: DPoP` needs exactly one valid proof for the request and a token
 * bound to the proof key; a DPoP-bound token is never accepted as `Bearer`; a certificate-bound token needs
 * the client certificate it names.
 */
export class SenderConstraint {
  readonly mode: 'allowed' | 'required' | 'disabled';
  /** The proof verifier (undefined when DPoP is disabled). */
  readonly verifier: DPoPProofVerifier | undefined;
  readonly #url: RequestUrlSettings;
  readonly #mtls: { header: string | undefined; get: MtlsOptions['getCertificate'] };

  constructor(options: SenderConstraintOptions = {}) {
    const dpop = options.dpop ?? {};
    if (typeof dpop !== 'object' || dpop === null) {
      throw new ConfigurationError("dpop: an object, e.g. { mode: 'required' }");
    }
    const mode = dpop.mode ?? 'allowed';
    if (!MODES.has(mode)) {
      throw new ConfigurationError(
        `dpop.mode: 'allowed', 'required' or 'disabled', not ${JSON.stringify(mode)}`,
      );
    }
    this.mode = mode;
    const nonce = dpop.nonce;
    if (nonce !== undefined && typeof nonce !== 'boolean' && (typeof nonce !== 'object' || nonce === null)) {
      throw new ConfigurationError('dpop.nonce: true, or { secret, rotateEvery }');
    }
    this.verifier =
      mode === 'disabled'
        ? undefined
        : new DPoPProofVerifier({
            algorithms: dpop.algorithms,
            iatWindow: dpop.iatWindow,
            replayStore: dpop.replayStore,
            nonces:
              nonce === undefined || nonce === false
                ? undefined
                : new DPoPNonceSource(nonce === true ? {} : nonce),
          });
    const mtls = options.mtls ?? {};
    if (
      mtls.certificateHeader !== undefined &&
      (typeof mtls.certificateHeader !== 'string' || !HEADER_NAME.test(mtls.certificateHeader))
    ) {
      throw new ConfigurationError('mtls.certificateHeader: a header name, e.g. x-client-cert');
    }
    if (mtls.getCertificate !== undefined && typeof mtls.getCertificate !== 'function') {
      throw new ConfigurationError('mtls.getCertificate: a function (request) => certificate | undefined');
    }
    const proxies = new TrustedProxies(options.trustedProxies);
    if (mtls.certificateHeader !== undefined && options.trustedProxies === undefined) {
      throw new ConfigurationError(
        'mtls.certificateHeader: set trustedProxies to the proxies that send it (it is ignored from anyone else)',
      );
    }
    this.#mtls = { header: mtls.certificateHeader?.toLowerCase(), get: mtls.getCertificate };
    this.#url = { publicUrl: checkPublicUrl(options.publicUrl), proxies };
  }

  /** `base` with the schemes this server offers: `DPoP algs="…"` unless disabled, no `Bearer` when required. */
  challenge(base: ChallengeSettings): ChallengeSettings {
    if (this.verifier === undefined) return base;
    return {
      ...base,
      dpopAlgorithms: this.verifier.algorithms,
      ...(this.mode === 'required' ? { bearer: false } : {}),
    };
  }

  /**
   * Authenticates a request: the validated token (with `binding` when it is sender-constrained), or
   * `undefined` when the request has no credentials — synchronously when nothing had to be waited for, else
   * as a promise; throws or rejects with the `BearerError` to answer.
   */
  authenticate(
    request: BearerRequest,
    validator: TokenValidator,
    context: SenderConstraintContext,
  ): ValidatedToken | undefined | Promise<ValidatedToken | undefined> {
    // A JWT validator proves the b64token syntax of every token it accepts: checked only on a refusal.
    const credentials = extractCredentials(
      request,
      context,
      this.verifier !== undefined,
      acceptsOnlyCompactJws(validator),
    );
    if (credentials === undefined) return undefined;
    if (credentials.scheme === 'DPoP' && this.verifier !== undefined) {
      return this.#dpop(request, credentials.token, validator, this.verifier, context);
    }
    return this.#bearer(request, credentials, validator, context);
  }

  /** Closes the replay store the verifier made. */
  close(): Promise<void> {
    return this.verifier?.close() ?? Promise.resolve();
  }

  #bearer(
    request: BearerRequest,
    credentials: Credentials,
    validator: TokenValidator,
    context: SenderConstraintContext,
  ): ValidatedToken | Promise<ValidatedToken> {
    const { challenge } = context;
    const { token } = credentials;
    if (this.mode === 'required') {
      assertBearerSyntax(credentials);
      const cause = new SenderConstraintError('dpop_required', 'only DPoP-bound tokens are accepted');
      throw refusal(
        'invalid_token',
        cause,
        'A DPoP-bound access token and a DPoP proof are required',
        'DPoP',
        challenge,
      );
    }
    if (this.verifier !== undefined && request.headers.dpop !== undefined) {
      assertBearerSyntax(credentials);
      throw refusal(
        'invalid_request',
        undefined,
        'A DPoP proof was sent with the Bearer scheme',
        'Bearer',
        challenge,
      );
    }
    let validated: ValidatedToken | Promise<ValidatedToken>;
    try {
      validated = validator.validateNow ? validator.validateNow(token) : validator.validate(token);
    } catch (error) {
      throw bearerRefusal(error, credentials, context);
    }
    return whenAuthenticated(
      validated,
      (v) => this.#bearerBinding(request, v, challenge),
      (error) => {
        throw bearerRefusal(error, credentials, context);
      },
    );
  }

  /** A valid token sent as Bearer passes unless it is bound to a DPoP key or a certificate not presented. */
  #bearerBinding(
    request: BearerRequest,
    validated: ValidatedToken,
    challenge: ChallengeSettings,
  ): ValidatedToken | Promise<ValidatedToken> {
    if (confirmationMember(validated.claims, 'jkt') !== undefined) {
      const cause = new SenderConstraintError(
        'dpop_bound_token_as_bearer',
        'a DPoP-bound token sent as Bearer',
      );
      throw refusal(
        'invalid_token',
        cause,
        'The access token is DPoP-bound: send it with the DPoP scheme and a proof',
        'Bearer',
        challenge,
      );
    }
    return this.#certificateBinding(request, validated, 'Bearer', challenge);
  }

  async #dpop(
    request: BearerRequest,
    token: string,
    validator: TokenValidator,
    verifier: DPoPProofVerifier,
    context: SenderConstraintContext,
  ): Promise<ValidatedToken> {
    const { challenge } = context;
    let proof: InspectedProof;
    try {
      proof = verifier.inspect(proofHeader(request), {
        method: request.method ?? '',
        url: requestUrl(request, this.#url),
        accessToken: token,
      });
    } catch (error) {
      throw error instanceof DPoPProofError ? proofRefusal(error, challenge, verifier.nonces) : error;
    }
    // The token's validation (maybe a key fetch or an introspection) runs while the proof signature is checked.
    const validating = this.#validate(validator, token, 'DPoP', context);
    try {
      verifier.checkSignature(proof);
    } catch (error) {
      validating.catch(() => undefined);
      throw error instanceof DPoPProofError ? proofRefusal(error, challenge) : error;
    }
    const validated = await validating;
    const jkt = confirmationMember(validated.claims, 'jkt');
    if (jkt === undefined) {
      const cause = new SenderConstraintError(
        'dpop_token_unbound',
        'the DPoP scheme with a token not DPoP-bound',
      );
      throw refusal('invalid_token', cause, 'The access token is not DPoP-bound', 'DPoP', challenge);
    }
    if (!sameDigest(jkt, proof.jkt)) {
      const cause = new DPoPProofError(
        'dpop_jkt_mismatch',
        'The DPoP proof key is not the key the token is bound to',
      );
      throw proofRefusal(cause, challenge);
    }
    const checked = await this.#certificateBinding(request, validated, 'DPoP', challenge);
    try {
      await verifier.record(proof);
    } catch (error) {
      if (error instanceof DPoPProofError) throw proofRefusal(error, challenge);
      throw new BearerError(
        'keys_unavailable',
        'The DPoP proof cannot be checked right now; try again later',
        {
          retryAfter: context.retryAfter,
          challenge,
          cause: new SenderConstraintError('replay_check_unavailable', 'the replay store did not answer', {
            cause: error,
          }),
        },
      );
    }
    return withBinding(checked, { method: 'dpop', jkt: proof.jkt });
  }

  async #validate(
    validator: TokenValidator,
    token: string,
    scheme: ChallengeScheme,
    context: SenderConstraintContext,
  ): Promise<ValidatedToken> {
    try {
      return await validator.validate(token);
    } catch (error) {
      throw toBearerError(error, { ...context, scheme });
    }
  }

  /** RFC 8705 §3: a token with `cnf["x5t#S256"]` passes only with the client certificate it names. */
  #certificateBinding(
    request: BearerRequest,
    validated: ValidatedToken,
    scheme: ChallengeScheme,
    challenge: ChallengeSettings,
  ): ValidatedToken | Promise<ValidatedToken> {
    const expected = boundCertificateThumbprint(validated.claims);
    if (expected === undefined) return validated;
    return this.#presentedCertificate(request, validated, expected, scheme, challenge);
  }

  async #presentedCertificate(
    request: BearerRequest,
    validated: ValidatedToken,
    expected: string,
    scheme: ChallengeScheme,
    challenge: ChallengeSettings,
  ): Promise<ValidatedToken> {
    let presented: string | undefined;
    try {
      presented = await this.#presentedThumbprint(request);
    } catch (error) {
      if (!(error instanceof CertificateError)) throw error;
    }
    const description = 'The access token is bound to a client certificate this request did not present';
    if (presented === undefined) {
      const cause = new SenderConstraintError('certificate_missing', 'no client certificate');
      throw refusal('invalid_token', cause, description, scheme, challenge);
    }
    if (!certificateMatches(expected, presented)) {
      const cause = new SenderConstraintError('certificate_mismatch', 'another client certificate');
      throw refusal('invalid_token', cause, description, scheme, challenge);
    }
    return withBinding(validated, { method: 'mtls', thumbprint: presented });
  }

  /** From `getCertificate`, else a trusted proxy's header, else the TLS connection. */
  async #presentedThumbprint(request: BearerRequest): Promise<string | undefined> {
    if (this.#mtls.get !== undefined) {
      const certificate = await this.#mtls.get(request);
      return certificate === undefined ? undefined : certificateThumbprint(certificate);
    }
    const header = this.#mtls.header;
    if (header !== undefined && this.#url.proxies.trusts(request.socket?.remoteAddress)) {
      const value = request.headers[header];
      if (typeof value === 'string' && value !== '') return certificateThumbprint(headerCertificate(value));
      if (Array.isArray(value)) throw new CertificateError('certificate header: repeated');
    }
    return peerCertificateThumbprint(request.socket);
  }
}
