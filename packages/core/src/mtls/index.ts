export {
  boundCertificateThumbprint,
  type CertificateInput,
  certificateMatches,
  headerCertificate,
  peerCertificateThumbprint,
} from './certificate-binding.js';
export { CertificateError } from './certificate-error.js';
export { isMutualTlsMethod } from './certificate-transport.js';
export type { ClientCertificate } from './client-certificate.js';
export { certificateThumbprint, MAX_CERTIFICATE_BYTES, parseCertificate } from './thumbprint.js';
