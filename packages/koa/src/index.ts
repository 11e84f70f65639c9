export {
  authorize,
  claimCheck,
  claimEquals,
  claimIncludes,
  type RequireTokenAdapterOptions,
  type RequireTokenMiddleware,
  type RequireTokenOptions,
  requireAnyScope,
  requireScopes,
  requireToken,
} from './require-token.js';
export { type ServiceFetch, type ServiceTokenOptions, serviceFetch } from './service-fetch.js';
