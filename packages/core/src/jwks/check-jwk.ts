import type { JsonWebKey, RejectedKey } from './json-web-key.js';

export const MAX_KEYS = 100;
export const MIN_RSA_BITS = 2048;
/**
 * The largest RSA modulus accepted, in bits. Verifying costs grow with the modulus, and anyone can send a
 * token naming a key: with a 16384-bit key, each forged token costs ~40 times a 2048-bit one to refuse.
 */
export const MAX_RSA_BITS = 8192;
/**
 * The largest RSA public exponent accepted, in bits. Providers use 65537 (17 bits); verifying costs one
 * multiplication per exponent bit, so a ~3070-bit exponent makes a forged token ~250 times dearer.
 * The exponent must also be odd and at least 3 (RFC 8017 §3.1).
 */
export const MAX_RSA_EXPONENT_BITS = 32;

const SIGNATURE_OPS = new Set(['sign', 'verify']);
const ENCRYPTION_OPS = new Set(['encrypt', 'decrypt', 'wrapKey', 'unwrapKey', 'deriveKey', 'deriveBits']);
const EC_CURVES = new Set(['P-256', 'P-384', 'P-521', 'secp256k1']);
const OKP_CURVES = new Set(['Ed25519', 'Ed448', 'X25519', 'X448']);
/** Members that only a private or secret key has: a published set must never carry them. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'];
const BASE64URL = /^[A-Za-z0-9_-]+$/;

function isBase64Url(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && BASE64URL.test(value);
}

/** Bit length of an unsigned big-endian integer (an RSA `n` or `e`), leading zero bytes ignored. */
function integerBits(bytes: Buffer): number {
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start++;
  if (start === bytes.length) return 0;
  return (bytes.length - start - 1) * 8 + (32 - Math.clz32(bytes[start]!));
}

/** Bit length of an RSA modulus given as base64url, leading zero bytes ignored. */
export function rsaModulusBits(n: string): number {
  return integerBits(Buffer.from(n, 'base64url'));
}

/** Why an RSA public key (`n`, `e` as base64url) is too weak or too expensive to verify with. */
function rsaKeyProblem(n: string, e: string): string | undefined {
  const bits = rsaModulusBits(n);
  if (bits < MIN_RSA_BITS) return `RSA key of ${bits} bits is shorter than ${MIN_RSA_BITS}`;
  if (bits > MAX_RSA_BITS) return `RSA key of ${bits} bits is longer than ${MAX_RSA_BITS}`;
  const exponent = Buffer.from(e, 'base64url');
  const exponentBits = integerBits(exponent);
  if (exponentBits > MAX_RSA_EXPONENT_BITS) {
    return `RSA exponent of ${exponentBits} bits is longer than ${MAX_RSA_EXPONENT_BITS}`;
  }
  // Odd and at least 3: e = 1 verifies nothing, an even e is no RSA key at all.
  if (exponentBits < 2 || (exponent[exponent.length - 1]! & 1) === 0) {
    return 'RSA exponent must be an odd number of at least 3';
  }
  return undefined;
}

export interface CheckJwkOptions {
  /** Accept `oct` keys (a local, configured secret) — never for a key set fetched from the network. */
  allowSymmetric?: boolean;
}

/** Why this member of `keys` is not a usable JWK (RFC 7517 / 7518 / 8037), or undefined when it is. */
export function checkJwk(value: unknown, options: CheckJwkOptions = {}): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const jwk = value as Record<string, unknown>;
  if (typeof jwk.kty !== 'string' || jwk.kty === '') return 'kty is missing';
  for (const name of ['kid', 'use', 'alg', 'x5u', 'x5t', 'x5t#S256'] as const) {
    if (jwk[name] !== undefined && typeof jwk[name] !== 'string') return `${name} must be a string`;
  }
  if (jwk.x5c !== undefined && (!Array.isArray(jwk.x5c) || !jwk.x5c.every((c) => typeof c === 'string'))) {
    return 'x5c must be an array of strings';
  }

  const keyOps = jwk.key_ops;
  if (keyOps !== undefined) {
    if (!Array.isArray(keyOps) || !keyOps.every((op) => typeof op === 'string')) {
      return 'key_ops must be an array of strings';
    }
    if (new Set(keyOps).size !== keyOps.length) return 'key_ops has duplicate values';
    // RFC 7517 §4.3: when both are present they must agree.
    if (jwk.use === 'sig' && !keyOps.every((op) => SIGNATURE_OPS.has(op)))
      return 'use "sig" contradicts key_ops';
    if (jwk.use === 'enc' && !keyOps.every((op) => ENCRYPTION_OPS.has(op)))
      return 'use "enc" contradicts key_ops';
  }

  switch (jwk.kty) {
    case 'RSA': {
      if (!isBase64Url(jwk.n) || !isBase64Url(jwk.e)) return 'RSA key needs n and e';
      const problem = rsaKeyProblem(jwk.n, jwk.e);
      if (problem !== undefined) return problem;
      break;
    }
    case 'EC':
      if (typeof jwk.crv !== 'string' || !EC_CURVES.has(jwk.crv)) return 'EC key needs a supported crv';
      if (!isBase64Url(jwk.x) || !isBase64Url(jwk.y)) return 'EC key needs x and y';
      break;
    case 'OKP':
      if (typeof jwk.crv !== 'string' || !OKP_CURVES.has(jwk.crv)) return 'OKP key needs a supported crv';
      if (!isBase64Url(jwk.x)) return 'OKP key needs x';
      break;
    case 'oct':
      if (!options.allowSymmetric) return 'symmetric (oct) keys are not accepted from a published key set';
      if (!isBase64Url(jwk.k)) return 'oct key needs k';
      return undefined;
    default:
      // RFC 7517 §5: key types we do not understand are ignored.
      return `unsupported kty ${JSON.stringify(jwk.kty).slice(0, 20)}`;
  }
  if (PRIVATE_MEMBERS.some((name) => jwk[name] !== undefined)) return 'the key has private key members';
  return undefined;
}

export type KeySetCheck =
  | { ok: true; keys: JsonWebKey[]; rejected: RejectedKey[] }
  | { ok: false; error: string };

/**
 * Checks a parsed JWK Set. A problem with the set as a whole (not an object, `keys` not an array, more than
 * `MAX_KEYS` keys, a duplicate `kid`) refuses the whole set; a single unusable key is left out and reported
 * in `rejected`, so one odd key (an encryption key of an unknown type, a legacy short RSA key) cannot take
 * validation down for every token signed with the good keys.
 */
export function checkKeySet(value: unknown, options: CheckJwkOptions = {}): KeySetCheck {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: 'the key set is not a JSON object' };
  }
  const members = (value as { keys?: unknown }).keys;
  if (!Array.isArray(members)) return { ok: false, error: 'the key set has no keys array' };
  if (members.length > MAX_KEYS) {
    return { ok: false, error: `the key set has ${members.length} keys, more than ${MAX_KEYS}` };
  }
  const seen = new Set<string>();
  for (const member of members) {
    const kid = (member as { kid?: unknown } | null)?.kid;
    if (typeof kid !== 'string') continue;
    if (seen.has(kid)) return { ok: false, error: 'the key set has duplicate kid values' };
    seen.add(kid);
  }
  const keys: JsonWebKey[] = [];
  const rejected: RejectedKey[] = [];
  members.forEach((member, index) => {
    const reason = checkJwk(member, options);
    if (reason === undefined) keys.push(member as JsonWebKey);
    else {
      const kid = (member as { kid?: unknown } | null)?.kid;
      rejected.push({ index, kid: typeof kid === 'string' ? kid : undefined, reason });
    }
  });
  return { ok: true, keys, rejected };
}
