export {
  DeviceAuthorizationRequest,
  type DeviceAuthorizationRequestOptions,
} from './device-authorization-request.js';
export {
  DEFAULT_DEVICE_POLL_INTERVAL_SECONDS,
  DeviceAuthorizationResponse,
  MAX_DEVICE_CODE_LIFETIME_SECONDS,
  MAX_DEVICE_POLL_INTERVAL_SECONDS,
  MIN_DEVICE_POLL_INTERVAL_SECONDS,
} from './device-authorization-response.js';
export { type DeviceTokenPollOutcome, DeviceTokenResponse } from './device-token-response.js';
export {
  type DeviceTokenPollOptions,
  MAX_GROWN_POLL_INTERVAL_SECONDS,
  pollDeviceToken,
  SLOW_DOWN_INCREMENT_SECONDS,
} from './poll-device-token.js';
export { requestDeviceAuthorization } from './request-device-authorization.js';
