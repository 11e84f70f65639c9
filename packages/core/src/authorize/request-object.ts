import { SignJWT } from 'jose';
import { ConfigurationError } from '../errors.js';
import { type ClientPrivateKey, importSigningKey } from '../token/client-authentication.js';
import {
  type AuthorizationRequestParameters,
  resolveAuthorizationRequest,
} from './authorization-parameters.js';
import { randomValue } from './random-value.js';

export interface RequestObjectOptions {
  clientId: string;
  /** `aud`: the authorization server's issuer identifier (RFC 9101 §4). */
  audience: string;
  /** The client's private key: a private JWK, a PEM string or a key object. */
  key: ClientPrivateKey;
  /** JWS algorithm. Default: the JWK's `alg`, else by key type (RS256, ES256/384/512, EdDSA). */
  alg?: string;
  /** `kid` header. Default: the JWK's `kid`. */
  keyId?: string;
  /** Seconds from `nbf` to `exp`, 1..3600 (FAPI 2.0 allows at most 60 minutes). Default 300. */
  lifetimeSeconds?: number;
}

/** A signed request object and the `state` and `nonce` it carries (to keep for the callback). */
export interface RequestObject {
  /** The JWS: `buildAuthorizationUrl({ ..., request })` or `new PushedAuthorizationRequest({ ..., request })`. */
  readonly request: string;
  readonly state: string;
  readonly nonce: string;
}

export const REQUEST_OBJECT_TYP = 'oauth-authz-req+jwt';

/** The fields as JSON members (RFC 9101 §4): repeated ones as arrays, `max_age` a number, `claims` an object. */
function members(fields: ReadonlyArray<readonly [string, string]>, p: AuthorizationRequestParameters) {
  const out: Record<string, unknown> = {};
  for (const [name, value] of fields) {
    const known = out[name];
    out[name] = known === undefined ? value : [...(Array.isArray(known) ? known : [known]), value];
  }
  if (p.maxAge !== undefined) out.max_age = p.maxAge;
  if (p.claims !== undefined) out.claims = p.claims;
  return out;
}

/**
 * Signs the authorization parameters as an RFC 9101 request object: `typ` `oauth-authz-req+jwt`, `iss` and
 * `client_id` the client, `aud` the issuer, `iat`/`nbf`/`exp` and a fresh `jti`. `state` and `nonce` are
 * generated when not given. Send it by value (`request`) or through PAR. Throws `ConfigurationError`.
 */
export async function createRequestObject(
  parameters: AuthorizationRequestParameters,
  options: RequestObjectOptions,
): Promise<RequestObject> {
  if (typeof options !== 'object' || options === null)
    throw new ConfigurationError('createRequestObject: options are required');
  const { clientId, audience } = options;
  if (typeof clientId !== 'string' || clientId === '')
    throw new ConfigurationError('clientId: a non-empty string is required');
  if (typeof audience !== 'string' || !URL.canParse(audience)) {
    throw new ConfigurationError("audience: the authorization server's issuer identifier (an absolute URL)");
  }
  const lifetime = options.lifetimeSeconds ?? 300;
  if (!Number.isInteger(lifetime) || lifetime < 1 || lifetime > 3600) {
    throw new ConfigurationError('lifetimeSeconds: a whole number of seconds from 1 to 3600');
  }
  if (options.key === undefined) throw new ConfigurationError("key: the client's private key is required");
  const signing = importSigningKey(
    options.key,
    { algorithm: options.alg, keyId: options.keyId },
    'requestObject',
  );
  const resolved = resolveAuthorizationRequest(clientId, parameters);
  const now = Math.floor(Date.now() / 1000);
  const header: { alg: string; typ: string; kid?: string } = {
    alg: signing.algorithm,
    typ: REQUEST_OBJECT_TYP,
  };
  if (signing.keyId !== undefined) header.kid = signing.keyId;
  const request = await new SignJWT(members(resolved.fields, parameters))
    .setProtectedHeader(header)
    .setIssuer(clientId)
    .setAudience(audience)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + lifetime)
    .setJti(randomValue())
    .sign(signing.key);
  return Object.freeze({ request, state: resolved.state, nonce: resolved.nonce });
}
