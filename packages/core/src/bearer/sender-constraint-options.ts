import type { X509Certificate } from 'node:crypto';
import type { DPoPNonceOptions } from '../dpop/nonce-source.js';
import type { ReplayStore } from '../replay/replay-store.js';
import type { BearerRequest } from './extract-token.js';

/** How DPoP (RFC 9449) is accepted by a resource server. */
export interface DPoPOptions {
  /**
   * `allowed` (default): `Authorization: DPoP` with a proof, and plain bearer tokens that are not DPoP-bound;
   * `required`: DPoP only (challenges offer DPoP alone); `disabled`: DPoP is not offered, a `DPoP` scheme is
   * "no bearer credentials". A DPoP-bound token sent as `Bearer` is refused in every mode.
   */
  mode?: 'allowed' | 'required' | 'disabled';
  /** Proof algorithms accepted (asymmetric only). Default `['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA']`. */
  algorithms?: readonly string[];
  /**
   * Seconds a proof's `iat` may lie in the past, and so how long its `jti` is remembered. Default 60; an
   * `iat` up to 5 seconds in the future is accepted for clients whose clock runs ahead.
   */
  iatWindow?: number;
  /**
   * Server nonces (RFC 9449 §9), off by default: `true`, or `{ secret, rotateEvery }` so a fleet shares them.
   * A proof without the current (or the previous) nonce is answered 401 `use_dpop_nonce` + `DPoP-Nonce`.
   */
  nonce?: boolean | DPoPNonceOptions;
  /**
   * Where proof `jti`s are remembered. Default: an in-memory store per authenticator that holds 10,000 proofs a
   * second over the window (at most 1,000,000 identifiers, ~150 bytes each); full, it answers 503 rather than
   * forget a live `jti`. A fleet shares one (`RedisReplayStore` from `@identity-model/redis`) so a proof
   * replayed to another replica is refused.
   */
  replayStore?: ReplayStore;
}

/** What `getCertificate` may return. */
export type CertificateSource =
  | string
  | Uint8Array
  | X509Certificate
  | undefined
  | Promise<string | Uint8Array | X509Certificate | undefined>;

/** Where the client certificate of a certificate-bound (RFC 8705) token comes from. */
export interface MtlsOptions {
  /**
   * A request header carrying the client certificate (URL-encoded PEM, as nginx and Envoy send it), e.g.
   * `x-client-cert`. Read only when the request came from one of `trustedProxies`.
   */
  certificateHeader?: string;
  /** Anything else: returns the request's client certificate (PEM, DER or parsed), or `undefined`. */
  getCertificate?: (request: BearerRequest) => CertificateSource;
}

/** The sender-constraint options every adapter takes (on `BearerAuthOptions`). */
export interface SenderConstraintOptions {
  /** DPoP (RFC 9449). Default `{ mode: 'allowed' }`. */
  dpop?: DPoPOptions;
  /**
   * mTLS-bound tokens (RFC 8705). A token with `cnf["x5t#S256"]` is always checked; by default against the
   * certificate of the TLS connection.
   */
  mtls?: MtlsOptions;
  /**
   * Addresses (IPv4, IPv6, CIDR ranges) of the proxies in front of this server. Only a request whose socket
   * comes from one of them has its `Forwarded` / `X-Forwarded-Proto` / `-Host` / `-Port` headers (and the
   * `mtls.certificateHeader`) believed. None by default: forwarding headers are ignored.
   */
  trustedProxies?: readonly string[];
  /**
   * The URL clients call this API at (`https://api.example.com`, or with a path prefix a proxy strips). When
   * set, a DPoP proof's `htu` must be this + the request path, whatever the request's Host or forwarding
   * headers say: the safest choice behind any proxy.
   */
  publicUrl?: string;
}
