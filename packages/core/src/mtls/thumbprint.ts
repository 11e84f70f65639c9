import { createHash, X509Certificate } from 'node:crypto';
import { CertificateError } from './certificate-error.js';

/** Largest certificate read, PEM or DER: real ones are a few KiB; a bigger input is refused before parsing. */
export const MAX_CERTIFICATE_BYTES = 64 * 1024;

function sizeOf(input: string | Uint8Array): number {
  return typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
}

/**
 * Parses one X.509 certificate (PEM text or DER bytes; of a PEM chain, the first). Throws `CertificateError`
 * for anything else; the message never shows the input.
 */
export function parseCertificate(input: string | Uint8Array | X509Certificate): X509Certificate {
  if (input instanceof X509Certificate) return input;
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
    throw new CertificateError('certificate: a PEM string, DER bytes or an X509Certificate is required');
  }
  const size = sizeOf(input);
  if (size === 0) throw new CertificateError('certificate: empty');
  if (size > MAX_CERTIFICATE_BYTES) {
    throw new CertificateError(`certificate: larger than ${MAX_CERTIFICATE_BYTES} bytes`);
  }
  try {
    return new X509Certificate(input);
  } catch (cause) {
    throw new CertificateError('certificate: not a PEM or DER X.509 certificate', { cause });
  }
}

/**
 * The RFC 8705 §3.1 certificate thumbprint, `x5t#S256`: base64url (no padding) of the SHA-256 of the
 * certificate's DER encoding. This is what a certificate-bound access token carries in `cnf["x5t#S256"]`.
 */
export function certificateThumbprint(certificate: string | Uint8Array | X509Certificate): string {
  return derThumbprint(parseCertificate(certificate).raw);
}

/** `x5t#S256` of a certificate's DER bytes, without parsing them (a TLS socket's peer certificate). */
export function derThumbprint(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('base64url');
}
