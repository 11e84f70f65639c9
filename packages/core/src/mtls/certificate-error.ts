import { IdentityModelError } from '../errors.js';

/** A certificate that cannot be read (not PEM or DER X.509, or larger than we accept). */
export class CertificateError extends IdentityModelError {
  declare readonly code: 'certificate_invalid';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'certificate_invalid', ...options });
  }
}
