export { checkJwk } from './check-jwk.js';
export {
  getJwks,
  type JwksErrorType,
  JwksRequest,
  type JwksRequestOptions,
  JwksResponse,
  MAX_JWKS_BYTES,
} from './get-jwks.js';
export { importJwk } from './import-jwk.js';
export type { JsonWebKey, JsonWebKeySet, JWK, RejectedKey } from './json-web-key.js';
export { LocalKeySet, type LocalKeySetOptions } from './local-key-set.js';
export { RemoteKeySet, type RemoteKeySetOptions } from './remote-key-set.js';
export type * from './verification-key.js';
