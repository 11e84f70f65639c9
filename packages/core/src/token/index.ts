export {
  type BasicAuthenticationHeaderStyle,
  basicAuthorizationHeader,
  type ClientAssertionOptions,
  type ClientAuthenticationMethod,
  type ClientPrivateKey,
  formUrlEncode,
} from './client-authentication.js';
export {
  AuthorizationCodeTokenRequest,
  type AuthorizationCodeTokenRequestOptions,
  ClientCredentialsTokenRequest,
  DeviceTokenRequest,
  type DeviceTokenRequestOptions,
  PasswordTokenRequest,
  type PasswordTokenRequestOptions,
  RefreshTokenRequest,
  type RefreshTokenRequestOptions,
  TokenExchangeTokenRequest,
  type TokenExchangeTokenRequestOptions,
  type TokenTypeIdentifier,
} from './grant-requests.js';
export {
  requestAuthorizationCodeToken,
  requestClientCredentialsToken,
  requestDeviceToken,
  requestPasswordToken,
  requestRefreshToken,
  requestToken,
  requestTokenExchangeToken,
} from './request-token.js';
export {
  TokenRequest,
  type TokenRequestBaseOptions,
  type TokenRequestOptions,
  type TokenRequestParameters,
} from './token-request.js';
export { TokenResponse, type TokenResponseErrorType, type TokenResponseInit } from './token-response.js';
