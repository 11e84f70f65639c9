import { createPrivateKey, type KeyObject, type X509Certificate } from 'node:crypto';
import { ConfigurationError } from '../errors.js';
import { certificateThumbprint, parseCertificate } from './thumbprint.js';

/**
 * The certificate and private key an HTTP client presents in TLS handshakes (RFC 8705: `tls_client_auth`,
 * `self_signed_tls_client_auth`, certificate-bound access tokens). PEM text, as a string or a Buffer; `cert`
 * may hold the chain (leaf first).
 */
export interface ClientCertificate {
  cert: string | Buffer;
  key: string | Buffer;
  /** Passphrase of an encrypted `key`. */
  passphrase?: string;
}

/** A validated client certificate, with its RFC 8705 thumbprint. */
export interface ResolvedClientCertificate {
  cert: string | Buffer;
  key: string | Buffer;
  passphrase: string | undefined;
  /** `x5t#S256` of the leaf certificate. */
  thumbprint: string;
}

const PEM_CERTIFICATE = '-----BEGIN CERTIFICATE-----';

function isPemInput(value: unknown): value is string | Buffer {
  return (typeof value === 'string' || Buffer.isBuffer(value)) && value.length > 0;
}

function readKey(value: ClientCertificate, from: string): KeyObject {
  try {
    return createPrivateKey(
      value.passphrase === undefined
        ? { key: value.key, format: 'pem' }
        : { key: value.key, format: 'pem', passphrase: value.passphrase },
    );
  } catch (cause) {
    // The cause is OpenSSL's parse error: it names the failure, never the key.
    throw new ConfigurationError(
      `${from}.key: not a PEM private key Node can read (an encrypted key needs ${from}.passphrase)`,
      { cause },
    );
  }
}

/**
 * Checks a client certificate once, when the HTTP client is built: PEM certificate, PEM private key (decrypted
 * with the passphrase), the key belongs to the certificate, the certificate is within its validity period.
 * Throws `ConfigurationError` naming the field; no message holds key material.
 */
export function resolveClientCertificate(value: unknown, from: string): ResolvedClientCertificate {
  if (typeof value !== 'object' || value === null) {
    throw new ConfigurationError(`${from}: an object { cert, key, passphrase? } is required`);
  }
  const input = value as ClientCertificate;
  if (!isPemInput(input.cert) || !input.cert.includes(PEM_CERTIFICATE)) {
    throw new ConfigurationError(`${from}.cert: a PEM certificate (string or Buffer) is required`);
  }
  if (!isPemInput(input.key)) {
    throw new ConfigurationError(`${from}.key: a PEM private key (string or Buffer) is required`);
  }
  if (input.passphrase !== undefined && typeof input.passphrase !== 'string') {
    throw new ConfigurationError(`${from}.passphrase: must be a string`);
  }
  let certificate: X509Certificate;
  try {
    certificate = parseCertificate(input.cert);
  } catch (cause) {
    throw new ConfigurationError(`${from}.cert: not a readable PEM X.509 certificate`, { cause });
  }
  const key = readKey(input, from);
  if (!certificate.checkPrivateKey(key)) {
    throw new ConfigurationError(
      `${from}.key: does not belong to ${from}.cert (give the certificate's own key)`,
    );
  }
  const now = Date.now();
  if (Date.parse(certificate.validTo) < now) {
    throw new ConfigurationError(`${from}.cert: expired on ${certificate.validTo}; renew the certificate`);
  }
  if (Date.parse(certificate.validFrom) > now) {
    throw new ConfigurationError(`${from}.cert: not valid before ${certificate.validFrom}`);
  }
  return {
    cert: input.cert,
    key: input.key,
    passphrase: input.passphrase,
    thumbprint: certificateThumbprint(certificate),
  };
}
