/**
 * Shared by the validation tests (and reusable by the security suite): key pairs, a KeySource built straight
 * from `node:crypto` keys (KeySource is the validator's injection point, so counting its calls is honest),
 * a JWS signer that will sign any header, and the jose differential oracle.
 */

import assert from 'node:assert/strict';
import { createHmac, sign as cryptoSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createLocalJWKSet, type JWK, type JWTVerifyOptions, jwtVerify } from 'jose';
import { TokenValidationError } from '../../src/errors.js';
import type { KeySource, VerificationKey } from '../../src/jwks/verification-key.js';
import type { TokenValidator } from '../../src/validation/types.js';

export type TestAlg =
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA';

export interface TestKey {
  kid: string;
  alg: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The public JWK (with kid, alg, use), for jose and for `keys` options. */
  jwk: JWK;
  key: VerificationKey;
}

const keyCache = new Map<string, TestKey>();

/** A key pair for `alg` (memoized per kid: RSA generation is slow on a shared machine). */
export function testKey(
  alg: TestAlg | 'RS256-1024' | 'Ed448',
  kid = `${alg}-key`,
  jwkAlg: string | null = alg,
): TestKey {
  const memo = `${alg}|${kid}|${jwkAlg}`;
  const cached = keyCache.get(memo);
  if (cached) return cached;
  let pair: { privateKey: KeyObject; publicKey: KeyObject };
  if (alg === 'RS256-1024') pair = generateKeyPairSync('rsa', { modulusLength: 1024 });
  else if (alg.startsWith('RS') || alg.startsWith('PS'))
    pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  else if (alg === 'ES256') pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  else if (alg === 'ES384') pair = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  else if (alg === 'ES512') pair = generateKeyPairSync('ec', { namedCurve: 'P-521' });
  else if (alg === 'Ed448') pair = generateKeyPairSync('ed448');
  else pair = generateKeyPairSync('ed25519');
  const signingAlg = alg === 'RS256-1024' ? 'RS256' : alg === 'Ed448' ? 'EdDSA' : alg;
  const exported = pair.publicKey.export({ format: 'jwk' }) as JWK;
  const jwk: JWK = { ...exported, kid, use: 'sig', ...(jwkAlg === null ? {} : { alg: signingAlg }) };
  const result: TestKey = {
    kid,
    alg: signingAlg,
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    jwk,
    key: verificationKey(pair.publicKey, jwk),
  };
  keyCache.set(memo, result);
  return result;
}

/** What a JWKS module would build from a JWK: the declared members plus the imported KeyObject. */
export function verificationKey(keyObject: KeyObject, jwk: JWK): VerificationKey {
  return Object.freeze({
    kid: jwk.kid,
    kty: jwk.kty as VerificationKey['kty'],
    alg: jwk.alg,
    crv: jwk.crv,
    use: jwk.use,
    keyOps: jwk.key_ops,
    modulusBits: keyObject.asymmetricKeyDetails?.modulusLength,
    keyObject,
  });
}

/** A KeySource over a fixed, mutable list of keys that counts how it is used. */
export class CountingKeySource implements KeySource {
  keys: VerificationKey[];
  getKeysCalls = 0;
  isCurrentCalls = 0;
  closed = false;
  /** When set, getKeys rejects with it (a provider we cannot reach). */
  failWith: unknown;

  constructor(keys: VerificationKey[]) {
    this.keys = keys;
  }

  async getKeys(kid: string | undefined): Promise<readonly VerificationKey[]> {
    this.getKeysCalls++;
    if (this.failWith !== undefined) throw this.failWith;
    return kid === undefined ? this.keys : this.keys.filter((k) => k.kid === kid);
  }

  isCurrent(key: VerificationKey): boolean {
    this.isCurrentCalls++;
    return this.keys.includes(key);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  jwks(): { keys: JWK[] } {
    return {
      keys: this.keys.map((k) => ({
        ...(k.keyObject.export({ format: 'jwk' }) as JWK),
        kid: k.kid,
        alg: k.alg,
        use: k.use,
      })),
    };
  }
}

export function b64url(input: string | Buffer | object): string {
  const bytes = typeof input === 'string' || Buffer.isBuffer(input) ? input : JSON.stringify(input);
  return Buffer.from(bytes).toString('base64url');
}

const HASH: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

/** Signs `header.payload` (objects are JSON-encoded; strings and Buffers are the raw segment bytes). */
export function signJws(
  header: object | string | Buffer,
  payload: object | string | Buffer,
  privateKey: KeyObject | Buffer | string,
  alg: string,
): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  const data = Buffer.from(input);
  const hash = HASH[alg.slice(-3)] ?? 'sha256';
  let signature: Buffer;
  if (alg.startsWith('HS'))
    signature = createHmac(hash, privateKey as Buffer)
      .update(data)
      .digest();
  else if (alg.startsWith('RS')) signature = cryptoSign(hash, data, privateKey as KeyObject);
  else if (alg.startsWith('PS')) {
    signature = cryptoSign(hash, data, { key: privateKey as KeyObject, padding: 6, saltLength: -1 });
  } else if (alg.startsWith('ES'))
    signature = cryptoSign(hash, data, { key: privateKey as KeyObject, dsaEncoding: 'ieee-p1363' });
  else signature = cryptoSign(null, data, privateKey as KeyObject);
  return `${input}.${signature.toString('base64url')}`;
}

export const ISSUER = 'https://issuer.example';
export const AUDIENCE = 'urn:test:api';

/** Standard claims valid now; override or delete (set undefined) any of them. */
export function claims(
  overrides: Record<string, unknown> = {},
  nowSeconds = Math.floor(Date.now() / 1000),
): Record<string, unknown> {
  const base: Record<string, unknown> = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'user-1',
    client_id: 'client-1',
    jti: 'jti-1',
    iat: nowSeconds,
    exp: nowSeconds + 300,
    scope: 'read write',
    ...overrides,
  };
  for (const k of Object.keys(base)) if (base[k] === undefined) delete base[k];
  return base;
}

/** A well-formed token signed by `key`. */
export function token(
  key: TestKey,
  claimOverrides: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
): string {
  const h: Record<string, unknown> = { alg: key.alg, typ: 'at+jwt', kid: key.kid, ...header };
  for (const k of Object.keys(h)) if (h[k] === undefined) delete h[k];
  return signJws(h, claims(claimOverrides), key.privateKey, key.alg);
}

/** Rejects with TokenValidationError of `code`; returns the error. */
export async function rejectsWith(promise: Promise<unknown>, code: string): Promise<TokenValidationError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof TokenValidationError, `expected TokenValidationError, got ${String(error)}`);
    assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`);
    return error;
  }
  assert.fail(`expected rejection with ${code}, but the token was accepted`);
}

// ---------------------------------------------------------------- differential oracle (jose jwtVerify)

export interface OracleOptions {
  /** The same key material the validator trusts: a JWK Set, or an HMAC secret. */
  keys: { keys: JWK[] } | Uint8Array;
  issuer: string | string[];
  audience?: string | string[];
  algorithms: string[];
  clockTolerance?: number;
  maxTokenAge?: number;
  requiredClaims?: string[];
  /** One accepted typ for jose; `default` = our default rule (absent, JWT, at+jwt), checked after jose. */
  typ?: string | 'default';
  subject?: string;
  currentDate?: Date;
}

const DEFAULT_TYPS = new Set(['application/jwt', 'application/at+jwt']);

/** jose's verdict for `token` under the options. */
export async function joseAccepts(token: string, o: OracleOptions): Promise<boolean> {
  const verifyOptions: JWTVerifyOptions = {
    issuer: o.issuer,
    audience: o.audience,
    algorithms: o.algorithms,
    clockTolerance: o.clockTolerance ?? 5,
    maxTokenAge: o.maxTokenAge,
    requiredClaims: o.requiredClaims ?? ['exp', 'iat'],
    subject: o.subject,
    currentDate: o.currentDate,
    typ: o.typ === 'default' || o.typ === undefined ? undefined : o.typ,
  };
  try {
    const result =
      o.keys instanceof Uint8Array
        ? await jwtVerify(token, o.keys, verifyOptions)
        : await jwtVerify(token, createLocalJWKSet(o.keys), verifyOptions);
    if (o.typ === 'default' || o.typ === undefined) {
      const typ = result.protectedHeader.typ;
      if (typ !== undefined) {
        const n = typ.toLowerCase();
        if (!DEFAULT_TYPS.has(n.includes('/') ? n : `application/${n}`)) return false;
      }
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * Asserts our verdict equals jose's. `stricter` names a rule where we deliberately refuse what jose accepts
 * (never the other way round): then jose may accept but we must refuse.
 */
export async function assertSameVerdict(
  validator: TokenValidator,
  token: string,
  oracle: OracleOptions,
  stricter?: string,
): Promise<boolean> {
  let ours: boolean;
  try {
    await validator.validate(token);
    ours = true;
  } catch (error) {
    if (!(error instanceof TokenValidationError)) throw error;
    ours = false;
  }
  const theirs = await joseAccepts(token, oracle);
  if (stricter !== undefined) {
    assert.equal(ours, false, `we must refuse (${stricter})`);
  } else {
    assert.equal(ours, theirs, `verdict differs from jose: ours=${ours} jose=${theirs}`);
  }
  return ours;
}
