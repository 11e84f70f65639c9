/** The whole attack catalogue: data, run by `run-attacks.ts` through core and each adapter. */
import type { AttackCase } from './attack-context.js';
import { algorithmCases } from './cases-algorithms.js';
import { claimCases } from './cases-claims.js';
import { requestCases } from './cases-requests.js';
import { structureCases } from './cases-structure.js';

export const attackCases: AttackCase[] = [
  ...algorithmCases,
  ...structureCases,
  ...claimCases,
  ...requestCases,
];
export const tokenCases = attackCases.filter((c) => c.token);

export * from './attack-context.js';
