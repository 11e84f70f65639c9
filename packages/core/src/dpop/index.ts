export { computeAth } from './compute-ath.js';
export { DPoPClient, type DPoPClientOptions } from './dpop-client.js';
export { type DPoPAlgorithm, type DPoPKey, type DPoPPublicJwk, generateDPoPKey } from './dpop-key.js';
export { createDPoPProof, DPOP_PROOF_TYPE, type DPoPProofOptions } from './dpop-proof.js';
export { DPoPProofError, type DPoPProofErrorCode } from './dpop-proof-error.js';
export { MAX_HTU_LENGTH, normalizeHtu } from './htu.js';
export { jwkThumbprint, type ThumbprintJwk } from './jwk-thumbprint.js';
export { parseDPoPNonce } from './nonce-memory.js';
export { DEFAULT_NONCE_ROTATION_SECONDS, type DPoPNonceOptions, DPoPNonceSource } from './nonce-source.js';
export {
  DEFAULT_DPOP_ALGORITHMS,
  DEFAULT_DPOP_IAT_WINDOW,
  DPOP_FUTURE_SKEW_SECONDS,
  type DPoPProofRequest,
  DPoPProofVerifier,
  type DPoPProofVerifierOptions,
  MAX_DPOP_JTI_LENGTH,
  MAX_DPOP_PROOF_LENGTH,
  type VerifiedDPoPProof,
  verifyDPoPProof,
} from './verify-proof.js';
