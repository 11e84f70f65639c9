import type { X509Certificate } from 'node:crypto';
import { constantTimeEqual } from '../protocol/constant-time-equal.js';
import { confirmationMember } from '../validation/confirmation.js';
import { CertificateError } from './certificate-error.js';
import { derThumbprint, MAX_CERTIFICATE_BYTES } from './thumbprint.js';

/** A certificate as `getCertificate` may give it: PEM text, DER bytes or parsed. */
export type CertificateInput = string | Uint8Array | X509Certificate;

/** The `cnf["x5t#S256"]` of token claims (RFC 8705 §3.1), when it carries one. */
export function boundCertificateThumbprint(claims: Readonly<Record<string, unknown>>): string | undefined {
  return confirmationMember(claims, 'x5t#S256');
}

/**
 * The thumbprint of the certificate a TLS socket's peer presented (`getPeerCertificate(true).raw`), or
 * `undefined` when the socket is not TLS or the client sent none.
 */
export function peerCertificateThumbprint(
  socket: { getPeerCertificate?(detailed?: boolean): unknown } | undefined,
): string | undefined {
  if (typeof socket?.getPeerCertificate !== 'function') return undefined;
  let peer: unknown;
  try {
    peer = socket.getPeerCertificate(true);
  } catch {
    return undefined;
  }
  const raw = (peer as { raw?: unknown } | null | undefined)?.raw;
  if (!(raw instanceof Uint8Array) || raw.byteLength === 0) return undefined;
  return derThumbprint(raw);
}

/**
 * A certificate from a proxy's header: URL-encoded PEM as nginx (`$ssl_client_escaped_cert`) and Envoy send
 * it, or plain PEM / base64 DER. Bounded before decoding; throws `CertificateError` for anything else.
 */
export function headerCertificate(value: string): CertificateInput {
  if (value.length > MAX_CERTIFICATE_BYTES * 3) throw new CertificateError('certificate header: too large');
  let text: string;
  try {
    text = value.includes('%') ? decodeURIComponent(value) : value;
  } catch (cause) {
    throw new CertificateError('certificate header: not URL-encoded PEM', { cause });
  }
  if (text.includes('-----BEGIN')) return text;
  // Some proxies send the DER as bare base64, without the PEM armour.
  const der = Buffer.from(text.replace(/\s+/g, ''), 'base64');
  if (der.length === 0) throw new CertificateError('certificate header: empty');
  return der;
}

/** Whether `certificate`'s `x5t#S256` equals the token's `expected`, compared in constant time. */
export function certificateMatches(expected: string, thumbprint: string): boolean {
  return expected.length > 0 && constantTimeEqual(thumbprint, expected);
}
