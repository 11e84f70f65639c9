/**
 * JWT claim names (RFC 7519, OpenID Connect Core, RFC 9068, RFC 8693, RFC 9449, RFC 7800), named as in
 * Duende.IdentityModel's `JwtClaimTypes`.
 */
export const JwtClaimTypes = {
  Issuer: 'iss',
  Subject: 'sub',
  Audience: 'aud',
  Expiration: 'exp',
  NotBefore: 'nbf',
  IssuedAt: 'iat',
  JwtId: 'jti',
  ClientId: 'client_id',
  Scope: 'scope',
  /** Scopes as issued by Azure AD / Okta (`scp`, string or array). */
  Scp: 'scp',
  /** Auth0-style RBAC permissions. */
  Permissions: 'permissions',
  Name: 'name',
  GivenName: 'given_name',
  FamilyName: 'family_name',
  MiddleName: 'middle_name',
  NickName: 'nickname',
  PreferredUserName: 'preferred_username',
  Profile: 'profile',
  Picture: 'picture',
  WebSite: 'website',
  Email: 'email',
  EmailVerified: 'email_verified',
  Gender: 'gender',
  BirthDate: 'birthdate',
  ZoneInfo: 'zoneinfo',
  Locale: 'locale',
  PhoneNumber: 'phone_number',
  PhoneNumberVerified: 'phone_number_verified',
  Address: 'address',
  UpdatedAt: 'updated_at',
  AuthenticationTime: 'auth_time',
  Nonce: 'nonce',
  AuthenticationContextClassReference: 'acr',
  AuthenticationMethod: 'amr',
  AuthorizedParty: 'azp',
  AccessTokenHash: 'at_hash',
  AuthorizationCodeHash: 'c_hash',
  StateHash: 's_hash',
  SessionId: 'sid',
  Events: 'events',
  Role: 'role',
  Roles: 'roles',
  Groups: 'groups',
  Entitlements: 'entitlements',
  IdentityProvider: 'idp',
  ReferenceTokenId: 'reference_token_id',
  Actor: 'act',
  MayAct: 'may_act',
  Confirmation: 'cnf',
  Id: 'id',
  Tenant: 'tenant',
  AuthorizationDetails: 'authorization_details',
} as const;

export type JwtClaimType = (typeof JwtClaimTypes)[keyof typeof JwtClaimTypes];

/** JOSE header `typ` values (RFC 9068, RFC 8725, RFC 9449, RFC 8417, OIDC Back-Channel Logout). */
export const JwtTypes = {
  Jwt: 'JWT',
  AccessToken: 'at+jwt',
  AccessTokenMediaType: 'application/at+jwt',
  AuthorizationRequest: 'oauth-authz-req+jwt',
  DPoPProofToken: 'dpop+jwt',
  LogoutToken: 'logout+jwt',
  SecurityEventToken: 'secevent+jwt',
  TokenIntrospection: 'token-introspection+jwt',
  ClientAuthentication: 'client-authentication+jwt',
} as const;

export type JwtType = (typeof JwtTypes)[keyof typeof JwtTypes];
