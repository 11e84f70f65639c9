export * from './authorize/index.js';
export * from './bearer/index.js';
export * from './constants/index.js';
export * from './device-authorization/index.js';
export {
  DIAGNOSTICS_CHANNELS,
  type DiagnosticsMessages,
  type DiscoveryFetchEvent,
  type DPoPReplayRefusedEvent,
  type FetchReason,
  type IntrospectionEvent,
  type KeySetFetchEvent,
  type ServiceUnavailableEvent,
  type TokenCacheHitEvent,
  type TokenRequestEvent,
  type TokenValidationEvent,
} from './diagnostics.js';
export * from './discovery/index.js';
export * from './dpop/index.js';
export * from './errors.js';
export * from './http/index.js';
export * from './id-token/index.js';
export * from './introspection/index.js';
export * from './jwks/index.js';
export * from './logger.js';
export * from './mtls/index.js';
export * from './principal/index.js';
export * from './protocol/index.js';
export * from './registration/index.js';
export * from './replay/index.js';
export * from './resource-metadata/index.js';
export * from './revocation/index.js';
export * from './token/index.js';
export * from './token-management/index.js';
export * from './userinfo/index.js';
export * from './validation/index.js';
