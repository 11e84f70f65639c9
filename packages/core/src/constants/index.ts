export * from './jwt-claim-types.js';
export * from './oidc-constants.js';
export * from './signing-algorithms.js';
