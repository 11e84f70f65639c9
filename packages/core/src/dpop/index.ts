export { computeAth } from './compute-ath.js';
export { type DPoPAlgorithm, type DPoPKey, type DPoPPublicJwk, generateDPoPKey } from './dpop-key.js';
export { createDPoPProof, DPOP_PROOF_TYPE, type DPoPProofOptions } from './dpop-proof.js';
export { jwkThumbprint, type ThumbprintJwk } from './jwk-thumbprint.js';
