/** A JSON Web Key as published in a key set (RFC 7517 §4, RFC 7518 §6, RFC 8037). Public members only. */
export interface JsonWebKey {
  kty: string;
  kid?: string;
  use?: string;
  key_ops?: string[];
  alg?: string;
  /** RSA */
  n?: string;
  e?: string;
  /** EC / OKP */
  crv?: string;
  x?: string;
  y?: string;
  /** Symmetric keys (never accepted from a remote key set). */
  k?: string;
  x5u?: string;
  x5c?: string[];
  x5t?: string;
  'x5t#S256'?: string;
  [member: string]: unknown;
}

/** A JWK Set (RFC 7517 §5). */
export interface JsonWebKeySet {
  keys: JsonWebKey[];
  [member: string]: unknown;
}

/** A key left out of a set, and why (the rest of the set is still usable). */
export interface RejectedKey {
  /** Position in the published `keys` array. */
  index: number;
  kid: string | undefined;
  reason: string;
}

/**
 * A JSON Web Key as a caller hands it to us, public or private (RFC 7517, RFC 7518 §6): a client's signing
 * key, a key for a local key set. Declared here rather than taken from jose so that our type declarations
 * import nothing from an ESM-only package (a CommonJS consumer under `module: node16` could not load them).
 * jose's `JWK` is assignable to it.
 */
export interface JWK {
  kty?: string;
  kid?: string;
  use?: string;
  key_ops?: string[];
  alg?: string;
  ext?: boolean;
  crv?: string;
  x?: string;
  y?: string;
  d?: string;
  n?: string;
  e?: string;
  p?: string;
  q?: string;
  dp?: string;
  dq?: string;
  qi?: string;
  oth?: Array<{ d?: string; r?: string; t?: string }>;
  k?: string;
  x5c?: string[];
  x5t?: string;
  'x5t#S256'?: string;
  x5u?: string;
}
