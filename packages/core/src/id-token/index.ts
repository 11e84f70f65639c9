export {
  createIdTokenValidator,
  type IdTokenChecks,
  IdTokenValidator,
  type IdTokenValidatorOptions,
  type ValidatedIdToken,
  validateIdToken,
} from './id-token-validator.js';
export {
  BACKCHANNEL_LOGOUT_EVENT,
  createLogoutTokenValidator,
  DEFAULT_IAT_WINDOW_SECONDS,
  LogoutTokenValidator,
  type LogoutTokenValidatorOptions,
  type ValidatedLogoutToken,
  validateLogoutToken,
} from './logout-token-validator.js';
export { tokenHash } from './token-hash.js';
export type { ProviderTokenOptions } from './token-keys.js';
