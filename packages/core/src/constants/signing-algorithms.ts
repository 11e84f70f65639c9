/** JWS algorithm identifiers (RFC 7518, RFC 8037). */
export const SigningAlgorithms = {
  RsaSha256: 'RS256',
  RsaSha384: 'RS384',
  RsaSha512: 'RS512',
  RsaSsaPssSha256: 'PS256',
  RsaSsaPssSha384: 'PS384',
  RsaSsaPssSha512: 'PS512',
  EcdsaSha256: 'ES256',
  EcdsaSha384: 'ES384',
  EcdsaSha512: 'ES512',
  EdDsa: 'EdDSA',
  HmacSha256: 'HS256',
  HmacSha384: 'HS384',
  HmacSha512: 'HS512',
} as const;

export type SigningAlgorithm = (typeof SigningAlgorithms)[keyof typeof SigningAlgorithms];

/** The asymmetric algorithms a validator accepts unless told otherwise. */
export const AsymmetricSigningAlgorithms = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const satisfies readonly SigningAlgorithm[];

export type AsymmetricSigningAlgorithm = (typeof AsymmetricSigningAlgorithms)[number];

/** HMAC algorithms: only with an explicit shared secret and an explicit allowlist. */
export const SymmetricSigningAlgorithms = [
  'HS256',
  'HS384',
  'HS512',
] as const satisfies readonly SigningAlgorithm[];

export type SymmetricSigningAlgorithm = (typeof SymmetricSigningAlgorithms)[number];
