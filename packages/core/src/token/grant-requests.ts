import { OidcConstants } from '../constants/oidc-constants.js';
import { ConfigurationError } from '../errors.js';
import { TokenRequest, type TokenRequestBaseOptions } from './token-request.js';

const P = OidcConstants.TokenRequest;
const G = OidcConstants.GrantTypes;

function required(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new ConfigurationError(`${name}: a non-empty string is required`);
  return value;
}

/** Client credentials grant (RFC 6749 §4.4): a service acting on its own behalf. Safe to repeat on 429/503. */
export class ClientCredentialsTokenRequest extends TokenRequest {
  constructor(options: TokenRequestBaseOptions) {
    super({ ...options, grantType: G.ClientCredentials, retry: 'rate-limited' });
  }
}

export interface AuthorizationCodeTokenRequestOptions extends TokenRequestBaseOptions {
  code: string;
  /** Must equal the `redirect_uri` of the authorization request, when one was sent. */
  redirectUri?: string;
  /** PKCE (RFC 7636) verifier matching the `code_challenge` sent earlier. */
  codeVerifier?: string;
}

/** Authorization code grant (RFC 6749 §4.1.3) with PKCE. The code is one-time: never resent once it may have arrived. */
export class AuthorizationCodeTokenRequest extends TokenRequest {
  readonly #code: string;
  readonly redirectUri: string | undefined;
  readonly #codeVerifier: string | undefined;

  constructor(options: AuthorizationCodeTokenRequestOptions) {
    super({ ...options, grantType: G.AuthorizationCode, retry: 'unsent' });
    this.#code = required('code', options.code);
    this.redirectUri = options.redirectUri;
    if (options.codeVerifier !== undefined && !/^[A-Za-z0-9\-._~]{43,128}$/.test(options.codeVerifier)) {
      throw new ConfigurationError(
        'codeVerifier: 43 to 128 characters of [A-Z a-z 0-9 - . _ ~] (RFC 7636 §4.1)',
      );
    }
    this.#codeVerifier = options.codeVerifier;
  }

  protected override grantParameters(): Array<[string, string | undefined]> {
    return [
      [P.Code, this.#code],
      [P.RedirectUri, this.redirectUri],
      [P.CodeVerifier, this.#codeVerifier],
    ];
  }
}

export interface RefreshTokenRequestOptions extends TokenRequestBaseOptions {
  refreshToken: string;
}

/** Refresh token grant (RFC 6749 §6). `scope` may narrow the grant. Rotating refresh tokens are one-time: no resend. */
export class RefreshTokenRequest extends TokenRequest {
  readonly #refreshToken: string;

  constructor(options: RefreshTokenRequestOptions) {
    super({ ...options, grantType: G.RefreshToken, retry: 'unsent' });
    this.#refreshToken = required('refreshToken', options.refreshToken);
  }

  protected override grantParameters(): Array<[string, string | undefined]> {
    return [[P.RefreshToken, this.#refreshToken]];
  }
}

export interface DeviceTokenRequestOptions extends TokenRequestBaseOptions {
  deviceCode: string;
}

/**
 * Device authorization grant token poll (RFC 8628 §3.4). `authorization_pending` and `slow_down` arrive as
 * protocol errors: poll again after the interval (plus 5 s after `slow_down`).
 */
export class DeviceTokenRequest extends TokenRequest {
  readonly #deviceCode: string;

  constructor(options: DeviceTokenRequestOptions) {
    super({ ...options, grantType: G.DeviceCode, retry: 'unsent' });
    this.#deviceCode = required('deviceCode', options.deviceCode);
  }

  protected override grantParameters(): Array<[string, string | undefined]> {
    return [[P.DeviceCode, this.#deviceCode]];
  }
}

/** RFC 8693 §3 token type identifiers. */
export type TokenTypeIdentifier =
  (typeof OidcConstants.TokenTypeIdentifiers)[keyof typeof OidcConstants.TokenTypeIdentifiers];

export interface TokenExchangeTokenRequestOptions extends TokenRequestBaseOptions {
  /** The token that represents the party on whose behalf the request is made. */
  subjectToken: string;
  subjectTokenType: TokenTypeIdentifier | (string & {});
  /**
   * Delegation: the acting party's token (the issued token then carries an `act` claim). Leave it out for
   * impersonation, where the issued token simply represents the subject.
   */
  actorToken?: string;
  actorTokenType?: TokenTypeIdentifier | (string & {});
  requestedTokenType?: TokenTypeIdentifier | (string & {});
  /** Logical name of the target service (RFC 8693 §2.1), unlike `resource` which is a URI. */
  audience?: string | readonly string[];
}

/** Token exchange (RFC 8693): impersonation (subject only) or delegation (subject + actor). */
export class TokenExchangeTokenRequest extends TokenRequest {
  readonly #subjectToken: string;
  readonly subjectTokenType: string;
  readonly #actorToken: string | undefined;
  readonly actorTokenType: string | undefined;
  readonly requestedTokenType: string | undefined;
  readonly audience: readonly string[];

  constructor(options: TokenExchangeTokenRequestOptions) {
    super({ ...options, grantType: G.TokenExchange, retry: 'unsent' });
    this.#subjectToken = required('subjectToken', options.subjectToken);
    this.subjectTokenType = required('subjectTokenType', options.subjectTokenType);
    if ((options.actorToken === undefined) !== (options.actorTokenType === undefined)) {
      throw new ConfigurationError(
        'actorToken and actorTokenType: give both (delegation) or neither (impersonation)',
      );
    }
    this.#actorToken = options.actorToken;
    this.actorTokenType = options.actorTokenType;
    this.requestedTokenType = options.requestedTokenType;
    this.audience =
      options.audience === undefined
        ? []
        : typeof options.audience === 'string'
          ? [options.audience]
          : [...options.audience];
  }

  protected override grantParameters(): Array<[string, string | undefined]> {
    return [
      [P.SubjectToken, this.#subjectToken],
      [P.SubjectTokenType, this.subjectTokenType],
      [P.ActorToken, this.#actorToken],
      [P.ActorTokenType, this.actorTokenType],
      [P.RequestedTokenType, this.requestedTokenType],
    ];
  }

  /** @internal */
  override async build(): Promise<{ form: URLSearchParams; headers: Record<string, string> }> {
    const built = await super.build();
    for (const a of this.audience) built.form.append(P.Audience, a);
    return built;
  }
}

export interface PasswordTokenRequestOptions extends TokenRequestBaseOptions {
  userName: string;
  password: string;
}

/**
 * Resource owner password credentials grant (RFC 6749 §4.3). Discouraged: the client sees the user's password,
 * and OAuth 2.0 Security BCP (RFC 9700 §2.4) says it must not be used. Present for legacy migrations only.
 */
export class PasswordTokenRequest extends TokenRequest {
  readonly userName: string;
  readonly #password: string;

  constructor(options: PasswordTokenRequestOptions) {
    super({ ...options, grantType: G.Password, retry: 'unsent' });
    this.userName = required('userName', options.userName);
    if (typeof options.password !== 'string') throw new ConfigurationError('password: a string is required');
    this.#password = options.password;
  }

  protected override grantParameters(): Array<[string, string | undefined]> {
    return [
      [P.UserName, this.userName],
      [P.Password, this.#password],
    ];
  }
}
