export { getUserInfo } from './get-userinfo.js';
export type { AddressClaim, StandardClaims } from './standard-claims.js';
export { UserInfoRequest, type UserInfoRequestOptions } from './userinfo-request.js';
export { UserInfoResponse, type UserInfoResponseInit } from './userinfo-response.js';
