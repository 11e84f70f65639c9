import { DPoPNonceSource } from '../dpop/nonce-source.js';
import { DPoPProofVerifier } from '../dpop/verify-proof.js';
import { ConfigurationError } from '../errors.js';
import { confirmationMember } from '../validation/confirmation.js';
import { acceptsOnlyCompactJws } from '../validation/token-validator.js';
import type { TokenValidator, ValidatedToken } from '../validation/types.js';
import { toBearerError } from './authenticate.js';
import { CertificateConstraint } from './certificate-constraint.js';
import type { ChallengeSettings } from './challenge.js';
import { authenticateDPoP, type DPoPSchemeSettings } from './dpop-scheme.js';
import {
  assertBearerSyntax,
  type BearerExtractionOptions,
  type BearerRequest,
  type Credentials,
  extractCredentials,
} from './extract-token.js';
import { checkPublicUrl } from './request-url.js';
import { SenderConstraintError } from './sender-constraint-error.js';
import type { SenderConstraintOptions } from './sender-constraint-options.js';
import { senderConstraintRefusal } from './sender-constraint-refusal.js';
import { TrustedProxies } from './trusted-proxies.js';

const MODES = new Set(['allowed', 'required', 'disabled']);

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
  readonly #certificates: CertificateConstraint;
  /** Set when DPoP is not disabled. */
  readonly #dpop: DPoPSchemeSettings | undefined;

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
    const proxies = new TrustedProxies(options.trustedProxies);
    this.#certificates = new CertificateConstraint(
      options.mtls ?? {},
      proxies,
      options.trustedProxies !== undefined,
    );
    const url = { publicUrl: checkPublicUrl(options.publicUrl), proxies };
    this.#dpop =
      this.verifier === undefined
        ? undefined
        : { verifier: this.verifier, url, certificates: this.#certificates };
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
    if (credentials.scheme === 'DPoP' && this.#dpop !== undefined) {
      return authenticateDPoP(request, credentials.token, validator, this.#dpop, context);
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
      throw senderConstraintRefusal(
        'invalid_token',
        cause,
        'A DPoP-bound access token and a DPoP proof are required',
        'DPoP',
        challenge,
      );
    }
    if (this.verifier !== undefined && request.headers.dpop !== undefined) {
      assertBearerSyntax(credentials);
      throw senderConstraintRefusal(
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
    // A token decided at once costs no closure: only a promise needs callbacks.
    if (!(validated instanceof Promise)) return this.#bearerBinding(request, validated, challenge);
    return validated.then(
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
      throw senderConstraintRefusal(
        'invalid_token',
        cause,
        'The access token is DPoP-bound: send it with the DPoP scheme and a proof',
        'Bearer',
        challenge,
      );
    }
    return this.#certificates.check(request, validated, 'Bearer', challenge);
  }
}
