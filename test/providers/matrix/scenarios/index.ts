/** Every scenario of the provider matrix, in the order they run (key rotation last of the JWKS ones). */
import type { Scenario } from '../run-matrix.js';
import { clientCredentialsScenarios } from './client-credentials.js';
import { discoveryScenarios } from './discovery.js';
import { errorAnswerScenarios } from './error-answers.js';
import { jwksScenarios } from './jwks.js';
import { resourceServerScenarios } from './resource-server.js';
import { tokenManagerScenarios } from './token-manager.js';

export const SCENARIOS: readonly Scenario[] = [
  discoveryScenarios,
  jwksScenarios,
  clientCredentialsScenarios,
  errorAnswerScenarios,
  resourceServerScenarios,
  tokenManagerScenarios,
];
