import { createPrivateKey, KeyObject, randomUUID, type webcrypto } from 'node:crypto';
import { SignJWT } from 'jose';
import { OidcConstants } from '../constants/oidc-constants.js';
import { ConfigurationError } from '../errors.js';
import type { HttpClient } from '../http/types.js';
import type { JWK } from '../jwks/json-web-key.js';
import { isMutualTlsMethod, requireClientCertificate } from '../mtls/certificate-transport.js';

const Methods = OidcConstants.ClientAuthenticationMethods;

/**
 * How the client proves its identity to the token endpoint (RFC 6749 §2.3, OIDC Core §9). With
 * `tls_client_auth` / `self_signed_tls_client_auth` (RFC 8705 §2) the HTTP client's certificate is the
 * credential: the form carries only `client_id`, and the HTTP client must be built with `clientCertificate`.
 */
export type ClientAuthenticationMethod =
  | typeof Methods.BasicAuthentication
  | typeof Methods.PostBody
  | typeof Methods.ClientSecretJwt
  | typeof Methods.PrivateKeyJwt
  | typeof Methods.TlsClientAuth
  | typeof Methods.SelfSignedTlsClientAuth
  | typeof Methods.None;

/** A private key for `private_key_jwt`: a private JWK, a PEM (PKCS#8, PKCS#1 or SEC1) string, or a key object. */
export type ClientPrivateKey = JWK | KeyObject | webcrypto.CryptoKey | string;

/** Shape of the client assertion JWT (`client_secret_jwt`, `private_key_jwt`, RFC 7523). */
export interface ClientAssertionOptions {
  /** JWS algorithm. Default: the JWK's `alg`, else by key type (RS256, ES256/384/512, EdDSA); HS256 for secrets. */
  algorithm?: string;
  /** `kid` header. Default: the JWK's `kid`. */
  keyId?: string;
  /** `aud` claim. Default: the token endpoint address (RFC 7523 §3); some providers want their issuer. */
  audience?: string;
  /** Assertion lifetime in seconds (default 60): short, so a captured assertion is soon useless. */
  lifetimeSeconds?: number;
}

/**
 * How `client_secret_basic` turns the id and secret into the `Authorization: Basic` credentials (after
 * Duende.IdentityModel's `BasicAuthenticationHeaderStyle`):
 * - `rfc6749` (default): Base64(form-urlencode(id) ":" form-urlencode(secret)), as RFC 6749 §2.3.1 requires.
 *   Servers that follow the RFC (django-oauth-toolkit, oidc-provider) decode both parts.
 * - `rfc2617`: Base64(id ":" secret), plain HTTP Basic (RFC 2617/7617, UTF-8), for servers that do not
 *   form-urldecode (glewlwyd): with `rfc6749` a secret holding `+ % : space /` or non-ASCII reaches them
 *   altered and is refused. A client_id containing `:` cannot be sent this way (the server splits at the
 *   first colon).
 * Only `client_secret_basic` is affected; a form body is always form-encoded.
 */
export type BasicAuthenticationHeaderStyle = 'rfc6749' | 'rfc2617';

export interface ClientCredentialsInput {
  clientId: string;
  clientSecret?: string;
  clientAuthentication?: ClientAuthenticationMethod;
  /** Encoding of `client_secret_basic` credentials. Default `rfc6749`. */
  basicAuthenticationHeaderStyle?: BasicAuthenticationHeaderStyle;
  privateKey?: ClientPrivateKey;
  clientAssertion?: ClientAssertionOptions;
}

const BASIC_STYLES: ReadonlySet<string> = new Set<BasicAuthenticationHeaderStyle>(['rfc6749', 'rfc2617']);

function basicStyle(style: BasicAuthenticationHeaderStyle): BasicAuthenticationHeaderStyle {
  if (!BASIC_STYLES.has(style)) {
    throw new ConfigurationError(
      `basicAuthenticationHeaderStyle: "${String(style)}" is not one of rfc6749 (the default), rfc2617`,
    );
  }
  return style;
}

const SUPPORTED: ReadonlySet<string> = new Set<ClientAuthenticationMethod>([
  Methods.BasicAuthentication,
  Methods.PostBody,
  Methods.ClientSecretJwt,
  Methods.PrivateKeyJwt,
  Methods.TlsClientAuth,
  Methods.SelfSignedTlsClientAuth,
  Methods.None,
]);

/** Which JWS algorithms each asymmetric key type can produce. */
const ALGS_BY_KEY_TYPE: Record<string, RegExp> = {
  rsa: /^(RS|PS)(256|384|512)$/,
  'rsa-pss': /^PS(256|384|512)$/,
  ec: /^ES(256|384|512|256K)$/,
  ed25519: /^(EdDSA|Ed25519)$/,
  ed448: /^EdDSA$/,
};

/**
 * Form-url-encodes one credential as RFC 6749 §2.3.1 requires before Base64 (Appendix B): space as `+`, every
 * byte outside the unreserved set percent-encoded. `encodeURIComponent` alone would leave `!'()*` as they are.
 */
export function formUrlEncode(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/**
 * `Authorization: Basic …` for `client_secret_basic`, in the given style (default `rfc6749`). Throws
 * `ConfigurationError` for credentials the `rfc2617` style cannot carry; the message never holds the secret.
 */
export function basicAuthorizationHeader(
  clientId: string,
  clientSecret: string,
  style: BasicAuthenticationHeaderStyle = 'rfc6749',
): string {
  let credentials: string;
  if (basicStyle(style) === 'rfc6749') {
    credentials = `${formUrlEncode(clientId)}:${formUrlEncode(clientSecret)}`;
  } else {
    if (clientId.includes(':')) {
      throw new ConfigurationError(
        "clientId: contains ':', which rfc2617 Basic credentials cannot carry; use basicAuthenticationHeaderStyle 'rfc6749' or client_secret_post",
      );
    }
    // RFC 7617 §2: neither part may contain control characters; unencoded, they would reach the server raw.
    if (CONTROL_CHARACTER.test(clientId) || CONTROL_CHARACTER.test(clientSecret)) {
      throw new ConfigurationError(
        "clientId or clientSecret: control characters cannot be sent in rfc2617 Basic credentials; use basicAuthenticationHeaderStyle 'rfc6749'",
      );
    }
    credentials = `${clientId}:${clientSecret}`;
  }
  return `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
}

function defaultAlgorithmFor(key: KeyObject): string {
  const type = key.asymmetricKeyType;
  if (type === 'rsa') return 'RS256';
  if (type === 'rsa-pss') return 'PS256';
  if (type === 'ed25519' || type === 'ed448') return 'EdDSA';
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'secp384r1') return 'ES384';
    if (curve === 'secp521r1') return 'ES512';
    return 'ES256';
  }
  throw new ConfigurationError(`privateKey: unsupported key type "${type ?? 'unknown'}" for private_key_jwt`);
}

function toKeyObject(input: ClientPrivateKey): KeyObject {
  try {
    if (typeof input === 'string') return createPrivateKey(input);
    if (isKeyObject(input)) return input;
    if (isCryptoKey(input)) return KeyObject.from(input);
    return createPrivateKey({ key: input as JsonWebKeyInput, format: 'jwk' });
  } catch (err) {
    if (err instanceof ConfigurationError) throw err;
    // The cause names the parse failure; it never echoes key material.
    throw new ConfigurationError('privateKey: not a private key that Node can import (JWK or PEM)', {
      cause: err,
    });
  }
}

type JsonWebKeyInput = Parameters<typeof createPrivateKey>[0] extends infer T
  ? T extends { format: 'jwk'; key: infer K }
    ? K
    : never
  : never;

function isKeyObject(value: unknown): value is KeyObject {
  return value instanceof KeyObject;
}

function isCryptoKey(value: unknown): value is webcrypto.CryptoKey {
  return typeof value === 'object' && value !== null && 'algorithm' in value && 'usages' in value;
}

/**
 * A private signing key for a JWT the client signs (client assertion, JAR request object): imported once,
 * its `alg` (given, else the JWK's, else by key type) checked against the key type, its `kid` (given, else the
 * JWK's). `option` names the options in messages. Throws `ConfigurationError`; never echoes key material.
 */
export function importSigningKey(
  privateKey: ClientPrivateKey,
  given: { algorithm?: string | undefined; keyId?: string | undefined },
  option: string,
): { key: KeyObject; algorithm: string; keyId: string | undefined } {
  const key = toKeyObject(privateKey);
  if (key.type !== 'private')
    throw new ConfigurationError('privateKey: a public key cannot sign; pass the private key');
  const jwk =
    typeof privateKey === 'object' && !isKeyObject(privateKey) && !isCryptoKey(privateKey)
      ? (privateKey as JWK)
      : undefined;
  const algorithm = given.algorithm ?? jwk?.alg ?? defaultAlgorithmFor(key);
  const fits = ALGS_BY_KEY_TYPE[key.asymmetricKeyType ?? ''];
  if (!fits?.test(algorithm)) {
    throw new ConfigurationError(
      `${option}.algorithm: ${algorithm} does not fit a ${key.asymmetricKeyType ?? 'unknown'} key`,
    );
  }
  return { key, algorithm, keyId: given.keyId ?? jwk?.kid };
}

/**
 * Resolved, validated client authentication: built once per request object, applied to every send. Holds the
 * imported signing key so a manager that reuses its request does not parse the key on every fetch.
 */
export class ClientAuthenticator {
  readonly method: ClientAuthenticationMethod;
  readonly clientId: string;
  readonly basicAuthenticationHeaderStyle: BasicAuthenticationHeaderStyle;
  /** The client authenticates with its TLS certificate (RFC 8705): send through an mTLS endpoint alias. */
  readonly mutualTls: boolean;
  readonly #secret: string | undefined;
  /** Built once: a credential the chosen style cannot carry fails at construction, not on first send. */
  readonly #basicHeader: string | undefined;
  readonly #signingKey: KeyObject | Uint8Array | undefined;
  readonly #algorithm: string | undefined;
  readonly #keyId: string | undefined;
  readonly #audience: string | undefined;
  readonly #lifetimeSeconds: number;

  constructor(input: ClientCredentialsInput) {
    if (typeof input.clientId !== 'string' || input.clientId.length === 0) {
      throw new ConfigurationError('clientId: a non-empty string is required');
    }
    this.clientId = input.clientId;
    const method =
      input.clientAuthentication ??
      (input.privateKey !== undefined
        ? Methods.PrivateKeyJwt
        : input.clientSecret !== undefined
          ? Methods.BasicAuthentication
          : Methods.None);
    if (!SUPPORTED.has(method)) {
      throw new ConfigurationError(
        `clientAuthentication: "${String(method)}" is not one of client_secret_basic, client_secret_post, client_secret_jwt, private_key_jwt, tls_client_auth, self_signed_tls_client_auth, none`,
      );
    }
    this.method = method;
    this.mutualTls = isMutualTlsMethod(method);
    this.basicAuthenticationHeaderStyle = basicStyle(input.basicAuthenticationHeaderStyle ?? 'rfc6749');
    const assertion = input.clientAssertion ?? {};
    this.#lifetimeSeconds = assertion.lifetimeSeconds ?? 60;
    if (!(this.#lifetimeSeconds > 0) || this.#lifetimeSeconds > 3600) {
      throw new ConfigurationError(
        'clientAssertion.lifetimeSeconds: must be between 0 and 3600 (exclusive of 0)',
      );
    }
    this.#audience = assertion.audience;
    this.#keyId = assertion.keyId;

    if (
      method === Methods.BasicAuthentication ||
      method === Methods.PostBody ||
      method === Methods.ClientSecretJwt
    ) {
      if (typeof input.clientSecret !== 'string' || input.clientSecret.length === 0) {
        throw new ConfigurationError(`clientSecret: required for ${method}`);
      }
      this.#secret = input.clientSecret;
    }
    if (method === Methods.BasicAuthentication) {
      this.#basicHeader = basicAuthorizationHeader(
        this.clientId,
        input.clientSecret as string,
        this.basicAuthenticationHeaderStyle,
      );
    }
    if (method === Methods.ClientSecretJwt) {
      this.#algorithm = assertion.algorithm ?? 'HS256';
      if (!/^HS(256|384|512)$/.test(this.#algorithm)) {
        throw new ConfigurationError(
          'clientAssertion.algorithm: client_secret_jwt needs HS256, HS384 or HS512',
        );
      }
      this.#signingKey = new TextEncoder().encode(this.#secret);
    }
    if (method === Methods.PrivateKeyJwt) {
      if (input.privateKey === undefined)
        throw new ConfigurationError('privateKey: required for private_key_jwt');
      const signing = importSigningKey(input.privateKey, assertion, 'clientAssertion');
      this.#algorithm = signing.algorithm;
      this.#keyId = signing.keyId;
      this.#signingKey = signing.key;
    }
  }

  /** Adds this client's credentials to a token request's headers and form body. */
  async apply(tokenEndpoint: string, headers: Record<string, string>, form: URLSearchParams): Promise<void> {
    const P = OidcConstants.TokenRequest;
    switch (this.method) {
      case Methods.BasicAuthentication:
        headers.authorization = this.#basicHeader as string;
        return;
      case Methods.PostBody:
        form.set(P.ClientId, this.clientId);
        form.set(P.ClientSecret, this.#secret as string);
        return;
      case Methods.None:
      case Methods.TlsClientAuth:
      case Methods.SelfSignedTlsClientAuth:
        // RFC 8705 §2: the certificate authenticates; client_id tells the server which client to check.
        form.set(P.ClientId, this.clientId);
        return;
      default: {
        form.set(P.ClientId, this.clientId);
        form.set(P.ClientAssertionType, OidcConstants.ClientAssertionTypes.JwtBearer);
        form.set(P.ClientAssertion, await this.createAssertion(tokenEndpoint));
      }
    }
  }

  /**
   * At send time, for the mutual-TLS methods: the HTTP client must present a certificate and the endpoint be
   * https (`ConfigurationError` otherwise). Does nothing for the other methods.
   */
  checkTransport(httpClient: HttpClient | undefined, address?: string): void {
    if (this.mutualTls) requireClientCertificate(this.method, httpClient, address);
  }

  /** A client assertion JWT (RFC 7523 §3): iss = sub = client_id, a fresh `jti`, short `exp`. */
  async createAssertion(tokenEndpoint: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const header: { alg: string; kid?: string } = { alg: this.#algorithm as string };
    if (this.#keyId) header.kid = this.#keyId;
    return new SignJWT({})
      .setProtectedHeader(header)
      .setIssuer(this.clientId)
      .setSubject(this.clientId)
      .setAudience(this.#audience ?? tokenEndpoint)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setExpirationTime(now + this.#lifetimeSeconds)
      .sign(this.#signingKey as KeyObject | Uint8Array);
  }
}
