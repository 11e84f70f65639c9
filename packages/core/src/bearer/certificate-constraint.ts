import { ConfigurationError } from '../errors.js';
import {
  boundCertificateThumbprint,
  certificateMatches,
  headerCertificate,
  peerCertificateThumbprint,
} from '../mtls/certificate-binding.js';
import { CertificateError } from '../mtls/certificate-error.js';
import { certificateThumbprint } from '../mtls/thumbprint.js';
import type { ValidatedToken } from '../validation/types.js';
import { withBinding } from './bound-token.js';
import type { ChallengeScheme, ChallengeSettings } from './challenge.js';
import type { BearerRequest } from './extract-token.js';
import { SenderConstraintError } from './sender-constraint-error.js';
import type { MtlsOptions } from './sender-constraint-options.js';
import { senderConstraintRefusal } from './sender-constraint-refusal.js';
import type { TrustedProxies } from './trusted-proxies.js';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const DESCRIPTION = 'The access token is bound to a client certificate this request did not present';

/**
 * RFC 8705 §3 at the resource server: a token with `cnf["x5t#S256"]` passes only with the client certificate
 * it names, taken from `getCertificate`, else a trusted proxy's header, else the TLS connection.
 */
export class CertificateConstraint {
  readonly #header: string | undefined;
  readonly #get: MtlsOptions['getCertificate'];
  readonly #proxies: TrustedProxies;

  /** `proxiesSet`: whether `trustedProxies` was given, which a certificate header needs. */
  constructor(mtls: MtlsOptions, proxies: TrustedProxies, proxiesSet: boolean) {
    if (
      mtls.certificateHeader !== undefined &&
      (typeof mtls.certificateHeader !== 'string' || !HEADER_NAME.test(mtls.certificateHeader))
    ) {
      throw new ConfigurationError('mtls.certificateHeader: a header name, e.g. x-client-cert');
    }
    if (mtls.getCertificate !== undefined && typeof mtls.getCertificate !== 'function') {
      throw new ConfigurationError('mtls.getCertificate: a function (request) => certificate | undefined');
    }
    if (mtls.certificateHeader !== undefined && !proxiesSet) {
      throw new ConfigurationError(
        'mtls.certificateHeader: set trustedProxies to the proxies that send it (it is ignored from anyone else)',
      );
    }
    this.#header = mtls.certificateHeader?.toLowerCase();
    this.#get = mtls.getCertificate;
    this.#proxies = proxies;
  }

  /** `validated` itself when it names no certificate; else with its `mtls` binding once the certificate matches. */
  check(
    request: BearerRequest,
    validated: ValidatedToken,
    scheme: ChallengeScheme,
    challenge: ChallengeSettings,
  ): ValidatedToken | Promise<ValidatedToken> {
    const expected = boundCertificateThumbprint(validated.claims);
    if (expected === undefined) return validated;
    return this.#presented(request, validated, expected, scheme, challenge);
  }

  async #presented(
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
    if (presented === undefined) {
      const cause = new SenderConstraintError('certificate_missing', 'no client certificate');
      throw senderConstraintRefusal('invalid_token', cause, DESCRIPTION, scheme, challenge);
    }
    if (!certificateMatches(expected, presented)) {
      const cause = new SenderConstraintError('certificate_mismatch', 'another client certificate');
      throw senderConstraintRefusal('invalid_token', cause, DESCRIPTION, scheme, challenge);
    }
    return withBinding(validated, { method: 'mtls', thumbprint: presented });
  }

  async #presentedThumbprint(request: BearerRequest): Promise<string | undefined> {
    if (this.#get !== undefined) {
      const certificate = await this.#get(request);
      return certificate === undefined ? undefined : certificateThumbprint(certificate);
    }
    const header = this.#header;
    if (header !== undefined && this.#proxies.trusts(request.socket?.remoteAddress)) {
      const value = request.headers[header];
      if (typeof value === 'string' && value !== '') return certificateThumbprint(headerCertificate(value));
      if (Array.isArray(value)) throw new CertificateError('certificate header: repeated');
    }
    return peerCertificateThumbprint(request.socket);
  }
}
