import { inspect } from 'node:util';
import type { TokenTypeHint } from '../constants/oidc-constants.js';
import { ConfigurationError } from '../errors.js';
import type { RetryMode } from '../http/types.js';
import {
  AuthenticatedEndpointRequest,
  type AuthenticatedRequestOptions,
} from '../protocol/authenticated-request.js';
import { maskedView } from '../protocol/masked-view.js';

export interface TokenRevocationRequestOptions extends AuthenticatedRequestOptions {
  /** The access or refresh token to revoke. */
  token: string;
  /** `token_type_hint` (RFC 7009 §2.1): `access_token`, `refresh_token` or an extension value. */
  tokenTypeHint?: TokenTypeHint | (string & {});
}

/**
 * An RFC 7009 revocation request, authenticated as the client is at the token endpoint. The endpoint is
 * `address`, or the `revocation_endpoint` of the `authority`'s discovery document. The token never shows in
 * `util.inspect` or `JSON.stringify` of the request.
 */
export class TokenRevocationRequest extends AuthenticatedEndpointRequest {
  readonly tokenTypeHint: string | undefined;
  /**
   * Resent on 429/503 (honouring `Retry-After`) and network errors: revoking twice has the effect of revoking
   * once (RFC 7009 §2.2 answers 200 for a token it does not know).
   */
  readonly retry: RetryMode = 'rate-limited';
  readonly #token: string;

  constructor(options: TokenRevocationRequestOptions) {
    super(options, {
      metadata: 'revocation_endpoint',
      what: 'revocation endpoint',
      ownFields: ['token', 'token_type_hint'],
    });
    if (typeof options.token !== 'string' || options.token.length === 0) {
      throw new ConfigurationError('token: the token to revoke must be a non-empty string');
    }
    const hint = options.tokenTypeHint;
    if (hint !== undefined && (typeof hint !== 'string' || hint.length === 0)) {
      throw new ConfigurationError('tokenTypeHint: must be a non-empty string such as "refresh_token"');
    }
    this.#token = options.token;
    this.tokenTypeHint = hint;
  }

  /** The token to revoke. */
  get token(): string {
    return this.#token;
  }

  [inspect.custom](): Record<string, unknown> {
    return maskedView(this, { token: this.#token });
  }

  toJSON(): Record<string, unknown> {
    return this[inspect.custom]();
  }
}
