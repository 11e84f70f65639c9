/**
 * Token forging for attack tests: builds compact JWS strings byte by byte, so a test controls every
 * header member, duplicate JSON member and signature byte, and signs with `node:crypto` directly
 * (jose would refuse most of what an attacker sends).
 */
import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  constants as cryptoConstants,
  sign as cryptoSign,
  type JsonWebKeyInput,
  type KeyObject,
} from 'node:crypto';

export type Segment = string | Record<string, unknown> | unknown[] | Buffer;

export function b64u(input: string | Buffer): string {
  return Buffer.from(input).toString('base64url');
}

/** A segment: objects are JSON-encoded; strings are taken as raw JSON text (so duplicates survive). */
export function segment(value: Segment): string {
  if (Buffer.isBuffer(value)) return b64u(value);
  return b64u(typeof value === 'string' ? value : JSON.stringify(value));
}

export type SignKey = KeyObject | Buffer | string;

const HASH: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

/** Signs `input` the way JWS `alg` says, with no check that key and alg belong together. */
export function signInput(alg: string, key: SignKey, input: string): Buffer {
  const data = Buffer.from(input);
  const family = alg.slice(0, 2);
  const hash = HASH[alg.slice(2)];
  if (family === 'HS') {
    const secret = typeof key === 'string' || Buffer.isBuffer(key) ? key : key.export();
    return createHmac(hash ?? 'sha256', secret)
      .update(data)
      .digest();
  }
  const k = typeof key === 'string' || Buffer.isBuffer(key) ? createPrivateKey(key) : key;
  if (alg === 'EdDSA') return cryptoSign(null, data, k);
  if (family === 'RS') return cryptoSign(hash ?? 'sha256', data, k);
  if (family === 'PS') {
    return cryptoSign(hash ?? 'sha256', data, {
      key: k,
      padding: cryptoConstants.RSA_PKCS1_PSS_PADDING,
      saltLength: cryptoConstants.RSA_PSS_SALTLEN_DIGEST,
    });
  }
  if (family === 'ES') return cryptoSign(hash ?? 'sha256', data, { key: k, dsaEncoding: 'ieee-p1363' });
  throw new Error(`forge: cannot sign ${alg}`);
}

export interface ForgeOptions {
  header: Segment;
  payload: Segment;
  /** Signs with this key under `alg` (default: the header's `alg`). Omit for an empty signature. */
  key?: SignKey;
  alg?: string;
  /** Replaces the signature segment as given (already base64url or deliberately not). */
  signature?: string;
}

export function forge({ header, payload, key, alg, signature }: ForgeOptions): string {
  const input = `${segment(header)}.${segment(payload)}`;
  if (signature !== undefined) return `${input}.${signature}`;
  if (key === undefined) return `${input}.`;
  const signingAlg = alg ?? String((header as Record<string, unknown>).alg);
  return `${input}.${b64u(signInput(signingAlg, key, input))}`;
}

export function privateKeyFromJwk(jwk: object): KeyObject {
  return createPrivateKey({ key: jwk, format: 'jwk' } as JsonWebKeyInput);
}

export function publicKeyFromJwk(jwk: object): KeyObject {
  return createPublicKey({ key: jwk, format: 'jwk' } as JsonWebKeyInput);
}

/** The public key as an attacker finds it: SPKI and PKCS#1 PEM, DER, the JWK as JSON text. */
export function publicKeyForms(jwk: object): {
  spkiPem: string;
  pkcs1Pem?: string;
  der: Buffer;
  jwkJson: string;
} {
  const key = publicKeyFromJwk(jwk);
  const spkiPem = key.export({ type: 'spki', format: 'pem' }).toString();
  const der = key.export({ type: 'spki', format: 'der' });
  const pkcs1Pem =
    key.asymmetricKeyType === 'rsa' ? key.export({ type: 'pkcs1', format: 'pem' }).toString() : undefined;
  return { spkiPem, pkcs1Pem, der, jwkJson: JSON.stringify(jwk) };
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Splits a compact token into its three segments (throws if it has not three). */
export function parts(token: string): [string, string, string] {
  const p = token.split('.');
  if (p.length !== 3) throw new Error('forge: not a three-part token');
  return [p[0] as string, p[1] as string, p[2] as string];
}
