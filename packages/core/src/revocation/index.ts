export { revokeToken } from './revoke-token.js';
export { TokenRevocationRequest, type TokenRevocationRequestOptions } from './token-revocation-request.js';
export { type TokenRevocationErrorCode, TokenRevocationResponse } from './token-revocation-response.js';
