import { inspect } from 'node:util';
import { OidcConstants } from '../constants/oidc-constants.js';
import { ConfigurationError } from '../errors.js';
import { getDefaultHttpClient } from '../http/default-client.js';
import type { HttpClient, HttpResponse } from '../http/types.js';
import { type EndpointLocationOptions, EndpointLocator } from '../protocol/endpoint-address.js';
import {
  EndpointResponseVerifier,
  type SignedResponseRequestOptions,
} from '../protocol/endpoint-response-verifier.js';
import { maskedView } from '../protocol/masked-view.js';

export interface UserInfoRequestOptions extends EndpointLocationOptions {
  /** The access token (sent as `Authorization: Bearer`). */
  token: string;
  /** `GET` (default) or `POST` (OIDC Core §5.3.1); the token goes in the Authorization header either way. */
  method?: 'GET' | 'POST';
  /**
   * The `sub` of the ID token this userinfo belongs to. OIDC Core §5.3.2: the `sub` of the answer MUST match
   * it, or the answer is not used (a mismatch is an unsuccessful response). Strongly recommended.
   */
  expectedSubject?: string;
  /**
   * Our `client_id`: the `aud` a signed (`application/jwt`) answer must name. Without it a signed answer is
   * refused (it cannot be verified).
   */
  clientId?: string;
  /** Where the keys and issuer of a signed answer come from (default with `authority`: its discovery). */
  signedResponse?: SignedResponseRequestOptions;
  /** Extra HTTP headers (cannot replace Authorization, Content-Type or Accept). */
  headers?: Record<string, string>;
  /** Whole-exchange timeout in ms for this request (default: the HTTP client's). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

const OWN_HEADERS = new Set(['authorization', 'content-type', 'accept', 'dpop']);
/** Visible ASCII only: a token is a header value, so CR/LF or spaces in it are refused at construction. */
const TOKEN_SYNTAX = /^[\x21-\x7e]+$/;

/**
 * A UserInfo request (OIDC Core §5.3). Located by `address` or by `authority` (`userinfo_endpoint`). The token
 * never shows in `util.inspect` or `JSON.stringify` of the request. Options are validated here, once.
 *
 * Extension point: `presentToken` builds the headers that carry the token. It is `Bearer` here; a DPoP-bound
 * request (issue 16) overrides it to send `Authorization: DPoP …` and a `DPoP` proof for `method` and `url`.
 */
export class UserInfoRequest {
  readonly locator: EndpointLocator;
  readonly method: 'GET' | 'POST';
  readonly expectedSubject: string | undefined;
  readonly clientId: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number | undefined;
  readonly signal: AbortSignal | undefined;
  /** @internal Verifies signed answers; undefined without `clientId`. */
  readonly verifier: EndpointResponseVerifier | undefined;
  readonly #token: string;

  constructor(options: UserInfoRequestOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new ConfigurationError('userinfo request options: required');
    }
    this.locator = new EndpointLocator(
      options,
      OidcConstants.Discovery.UserInfoEndpoint,
      'userinfo endpoint',
    );
    if (typeof options.token !== 'string' || !TOKEN_SYNTAX.test(options.token)) {
      throw new ConfigurationError(
        'token: the access token must be a non-empty string of visible characters',
      );
    }
    this.#token = options.token;
    const method = options.method ?? 'GET';
    if (method !== 'GET' && method !== 'POST') throw new ConfigurationError('method: "GET" or "POST"');
    this.method = method;
    for (const [name, value] of [
      ['expectedSubject', options.expectedSubject],
      ['clientId', options.clientId],
    ] as const) {
      if (value !== undefined && (typeof value !== 'string' || value.length === 0)) {
        throw new ConfigurationError(`${name}: a non-empty string when given`);
      }
    }
    this.expectedSubject = options.expectedSubject;
    this.clientId = options.clientId;
    if (options.signedResponse !== undefined && options.clientId === undefined) {
      throw new ConfigurationError(
        'signedResponse: give clientId too (the audience a signed userinfo names)',
      );
    }
    this.verifier =
      options.clientId === undefined
        ? undefined
        : new EndpointResponseVerifier(
            options.signedResponse ?? {},
            // OIDC Core §5.3.2: iss and aud MUST be present; no typ or iat is required of a userinfo JWT.
            {
              audience: options.clientId,
              typ: ['JWT'],
              allowAbsentTyp: true,
              requiredClaims: ['iss', 'aud'],
            },
            this.locator,
            'userinfo',
          );
    const headers = options.headers ?? {};
    for (const name of Object.keys(headers)) {
      if (OWN_HEADERS.has(name.toLowerCase())) {
        throw new ConfigurationError(`headers: "${name}" is set by the request itself`);
      }
    }
    this.headers = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    this.timeoutMs = options.timeoutMs;
    this.signal = options.signal;
  }

  /** The headers that present the access token at `url` (the extension point for DPoP, see the class). */
  protected async presentToken(_url: string, _method: 'GET' | 'POST'): Promise<Record<string, string>> {
    return { authorization: `Bearer ${this.#token}` };
  }

  /** @internal Sends the request; throws what the HTTP client or discovery throws. */
  async send(httpClient: HttpClient | undefined): Promise<HttpResponse> {
    const client = httpClient ?? getDefaultHttpClient();
    const url = await this.locator.resolve(client, this.signal === undefined ? {} : { signal: this.signal });
    const headers = {
      ...this.headers,
      accept: 'application/json, application/jwt',
      ...(await this.presentToken(url, this.method)),
    };
    return client.request({
      url,
      method: this.method,
      headers,
      // A read: safe to resend. The POST form carries nothing (the token is in the header).
      ...(this.method === 'POST' ? { body: new URLSearchParams(), retry: 'rate-limited' } : { retry: 'all' }),
      timeoutMs: this.timeoutMs,
      signal: this.signal,
      followRedirects: false,
    });
  }

  [inspect.custom](): Record<string, unknown> {
    return maskedView(this, { token: this.#token });
  }

  toJSON(): Record<string, unknown> {
    return this[inspect.custom]();
  }
}
