export * from './claim.js';
export { ClaimsIdentity, type ClaimsIdentityOptions } from './claims-identity.js';
export * from './claims-principal.js';
export * from './scopes.js';
export * from './to-principal.js';
