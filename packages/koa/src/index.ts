export {
  authorize,
  claimCheck,
  claimEquals,
  claimIncludes,
  type RequireTokenAdapterOptions,
  type RequireTokenMiddleware,
  type RequireTokenOptions,
  requireAnyScope,
  requireAuthentication,
  requireScopes,
  requireToken,
} from './require-token.js';
export { type ServiceFetch, type ServiceTokenOptions, serviceFetch } from './service-fetch.js';
