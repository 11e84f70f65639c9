import { inspect } from 'node:util';
import { JwtTypes } from '../constants/jwt-claim-types.js';
import { OidcConstants } from '../constants/oidc-constants.js';
import { ConfigurationError } from '../errors.js';
import {
  AuthenticatedEndpointRequest,
  type AuthenticatedRequestOptions,
} from '../protocol/authenticated-request.js';
import {
  EndpointResponseVerifier,
  type SignedResponseRequestOptions,
} from '../protocol/endpoint-response-verifier.js';
import { maskedView } from '../protocol/masked-view.js';

const P = OidcConstants.TokenIntrospectionRequest;

/** The media type of an RFC 9701 signed introspection response (asked for in `Accept`). */
export const TOKEN_INTROSPECTION_JWT_MEDIA_TYPE = `application/${JwtTypes.TokenIntrospection}`;
/** The longest token we send for introspection (characters); a longer one is refused at construction. */
export const MAX_INTROSPECTED_TOKEN_LENGTH = 65_536;

export interface TokenIntrospectionRequestOptions
  extends AuthenticatedRequestOptions,
    SignedResponseRequestOptions {
  /** The token to introspect (RFC 7662 §2.1). */
  token: string;
  /** `access_token`, `refresh_token` or another hint the server understands. */
  tokenTypeHint?: string;
  /**
   * Ask for an RFC 9701 signed response (`Accept: application/token-introspection+jwt`) and accept nothing
   * else: the JWT is verified (signature from the provider's keys, `iss`, `aud` = our client id, `iat`,
   * `typ: token-introspection+jwt`) before any member is read. A plain JSON answer is then refused.
   * With `address`, also give `issuer` and one of `jwksUri`, `keys`, `keySource`. Default false.
   */
  jwtResponse?: boolean;
  /**
   * Accepted `aud` values of a signed response instead of our client id (RFC 9701 §5: `aud` identifies the
   * resource server that asked). Only for servers that set another audience (glewlwyd puts the introspected
   * token's audience there): any response signed by the issuer for that audience is then accepted.
   */
  signedResponseAudience?: string | readonly string[];
  /** Seconds after its `iat` past which a signed response is refused. Default: no limit. */
  signedResponseMaxAge?: number;
}

/**
 * A token introspection request (RFC 7662 §2.1), optionally asking for a signed response (RFC 9701). The
 * client authenticates as at the token endpoint. Located by `address` or by `authority`
 * (`introspection_endpoint`). Options are validated here, once; the object may be sent many times. The token
 * is masked when the request is printed.
 */
export class TokenIntrospectionRequest extends AuthenticatedEndpointRequest {
  readonly tokenTypeHint: string | undefined;
  readonly jwtResponse: boolean;
  /** @internal Set when `jwtResponse` is. */
  readonly verifier: EndpointResponseVerifier | undefined;
  readonly #token: string;

  constructor(options: TokenIntrospectionRequestOptions) {
    super(options, {
      metadata: OidcConstants.Discovery.IntrospectionEndpoint,
      what: 'introspection endpoint',
      ownFields: [P.Token, P.TokenTypeHint],
    });
    const { token, tokenTypeHint } = options;
    if (typeof token !== 'string' || token.length === 0) {
      throw new ConfigurationError('token: the token to introspect is required (a non-empty string)');
    }
    if (token.length > MAX_INTROSPECTED_TOKEN_LENGTH) {
      throw new ConfigurationError(`token: longer than ${MAX_INTROSPECTED_TOKEN_LENGTH} characters`);
    }
    if (tokenTypeHint !== undefined && (typeof tokenTypeHint !== 'string' || tokenTypeHint === '')) {
      throw new ConfigurationError('tokenTypeHint: must be a non-empty string, e.g. "access_token"');
    }
    if (options.jwtResponse !== undefined && typeof options.jwtResponse !== 'boolean') {
      throw new ConfigurationError('jwtResponse: must be a boolean');
    }
    this.#token = token;
    this.tokenTypeHint = tokenTypeHint;
    this.jwtResponse = options.jwtResponse === true;
    if (!this.jwtResponse) {
      const stray = SIGNED_ONLY.filter((name) => options[name] !== undefined);
      if (stray.length > 0) {
        throw new ConfigurationError(`${stray.join(', ')}: only used with jwtResponse: true`);
      }
      this.verifier = undefined;
      return;
    }
    const audience = options.signedResponseAudience ?? this.clientId;
    this.verifier = new EndpointResponseVerifier(
      options,
      {
        audience,
        typ: [JwtTypes.TokenIntrospection],
        requiredClaims: ['iat'],
        ...(options.signedResponseMaxAge === undefined ? {} : { maxAge: options.signedResponseMaxAge }),
      },
      this.locator,
      'introspection',
    );
  }

  /** The token to introspect. */
  get token(): string {
    return this.#token;
  }

  /** The token stays out of logs. */
  [inspect.custom](): Record<string, unknown> {
    return maskedView(this, { token: this.#token });
  }

  toJSON(): Record<string, unknown> {
    return this[inspect.custom]();
  }
}

const SIGNED_ONLY = [
  'issuer',
  'jwksUri',
  'keys',
  'keySource',
  'algorithms',
  'clockTolerance',
  'signedResponseAudience',
  'signedResponseMaxAge',
] as const;
