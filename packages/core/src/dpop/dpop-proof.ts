import { KeyObject, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { ConfigurationError } from '../errors.js';
import { checkDPoPAlgorithm, type DPoPKey, publicJwkOf } from './dpop-key.js';

/** The JOSE `typ` of a DPoP proof (RFC 9449 §4.2). */
export const DPOP_PROOF_TYPE = 'dpop+jwt';

export interface DPoPProofOptions {
  /** The key pair the proof is signed with (from `generateDPoPKey`). Only `alg` and `privateKey` are read. */
  key: Pick<DPoPKey, 'alg' | 'privateKey'>;
  /** `htm`: the HTTP method of the request the proof goes with, e.g. `GET`. */
  htm: string;
  /** `htu`: the request's URL; its query and fragment are dropped (RFC 9449 §4.2). */
  htu: string | URL;
  /** `ath`: with an access token, `computeAth(accessToken)` (RFC 9449 §4.2). */
  ath?: string;
  /** `nonce`: the last `DPoP-Nonce` the server sent (RFC 9449 §8, §9). */
  nonce?: string;
  /** `iat` in seconds since the epoch. Default: now. */
  iat?: number;
  /** `jti`. Default: a random UUID; never reuse one (servers refuse replays). */
  jti?: string;
}

/** An RFC 7230 method token. */
const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function optionalString(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) {
    throw new ConfigurationError(`${name}: must be a non-empty string when given`);
  }
  return value;
}

/** `htu` as RFC 9449 §4.2 wants it: an absolute http(s) URL without query and fragment. */
function targetUri(htu: string | URL): string {
  let url: URL;
  try {
    url = new URL(htu);
  } catch (cause) {
    throw new ConfigurationError('htu: must be the absolute URL of the request', { cause });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigurationError(`htu: must be an http(s) URL, got ${url.protocol}`);
  }
  url.search = '';
  url.hash = '';
  return url.href;
}

/**
 * A DPoP proof JWT (RFC 9449 §4.2) for one request: header `typ: dpop+jwt`, the key's `alg` and its PUBLIC
 * JWK (derived from the private key here, so a private member can never reach the header); claims `jti`,
 * `htm`, `htu`, `iat` and, when given, `ath` and `nonce`. Send it in the `DPoP` request header.
 */
export async function createDPoPProof(options: DPoPProofOptions): Promise<string> {
  const { key, htm } = options;
  if (key === null || typeof key !== 'object' || !(key.privateKey instanceof KeyObject)) {
    throw new ConfigurationError('key: a DPoP key pair (generateDPoPKey()) is required');
  }
  if (key.privateKey.type !== 'private')
    throw new ConfigurationError('key.privateKey: must be a private key');
  const alg = checkDPoPAlgorithm(key.alg);
  if (typeof htm !== 'string' || !METHOD.test(htm)) {
    throw new ConfigurationError('htm: must be the HTTP method of the request, e.g. "GET"');
  }
  const iat = options.iat ?? Math.floor(Date.now() / 1000);
  if (!Number.isSafeInteger(iat) || iat < 0) {
    throw new ConfigurationError('iat: must be a whole number of seconds since the epoch');
  }
  const ath = optionalString('ath', options.ath);
  const nonce = optionalString('nonce', options.nonce);
  const claims = {
    jti: optionalString('jti', options.jti) ?? randomUUID(),
    htm,
    htu: targetUri(options.htu),
    iat,
    ...(ath === undefined ? {} : { ath }),
    ...(nonce === undefined ? {} : { nonce }),
  };
  try {
    return await new SignJWT(claims)
      .setProtectedHeader({ alg, typ: DPOP_PROOF_TYPE, jwk: { ...publicJwkOf(key.privateKey) } })
      .sign(key.privateKey);
  } catch (cause) {
    throw new ConfigurationError(`key: cannot sign a DPoP proof with ${alg} using this key`, { cause });
  }
}
