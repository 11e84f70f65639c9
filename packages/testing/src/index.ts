export { createDPoPProof, generateDPoPKey } from '@identity-model/core';
export type { RegisteredClient, TestClient } from './clients.js';
export type { CountedEndpoint } from './endpoints.js';
export type { TestIssuerAlgorithm } from './signing-keys.js';
export {
  type CreateTokenOptions,
  createTestIssuer,
  type OpaqueTokenOptions,
  type OutageMode,
  type RequestCounts,
  TestIssuer,
  type TestIssuerOptions,
} from './test-issuer.js';
export type { TokenClaimOptions } from './token-claims.js';
