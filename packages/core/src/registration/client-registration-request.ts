import { inspect } from 'node:util';
import { ConfigurationError } from '../errors.js';
import { type EndpointLocationOptions, EndpointLocator } from '../protocol/endpoint-address.js';
import { maskedView } from '../protocol/masked-view.js';
import { type ClientMetadata, validateClientMetadata } from './client-metadata.js';
import { bearerToken, type JsonEndpointOptions, JsonEndpointSettings } from './json-exchange.js';
import { allowedOrigins } from './management-uri.js';

export interface ClientRegistrationRequestOptions extends EndpointLocationOptions, JsonEndpointOptions {
  /** The metadata to register (RFC 7591 §2), under its wire names. */
  metadata: ClientMetadata;
  /** RFC 7591 §3: sent as a Bearer token when the server requires one; without it, open registration. */
  initialAccessToken?: string;
  /**
   * Origins (`https://manage.example.com`) besides the registration endpoint's that may serve the
   * `registration_client_uri` the server answers with. Default none: a URI elsewhere is refused, as the
   * registration access token would be sent there.
   */
  allowedManagementOrigins?: readonly string[];
}

/**
 * An RFC 7591 registration request: POSTed as JSON to `address`, or to the `registration_endpoint` of the
 * `authority`'s discovery document. The initial access token (and a `client_secret` in the metadata) show as
 * `***` in `util.inspect` and `JSON.stringify`.
 */
export class ClientRegistrationRequest {
  readonly locator: EndpointLocator;
  /** A frozen copy of the metadata as it will be sent. */
  readonly metadata: Readonly<ClientMetadata>;
  readonly allowedManagementOrigins: ReadonlySet<string>;
  /** @internal */
  readonly settings: JsonEndpointSettings;
  readonly #initialAccessToken: string | undefined;

  constructor(options: ClientRegistrationRequestOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new ConfigurationError('registration request options: required');
    }
    this.locator = new EndpointLocator(options, 'registration_endpoint', 'registration endpoint');
    this.metadata = validateClientMetadata(options.metadata);
    this.#initialAccessToken =
      options.initialAccessToken === undefined
        ? undefined
        : bearerToken(options.initialAccessToken, 'initialAccessToken');
    this.allowedManagementOrigins = allowedOrigins(
      options.allowedManagementOrigins,
      'allowedManagementOrigins',
    );
    this.settings = new JsonEndpointSettings(options);
  }

  get initialAccessToken(): string | undefined {
    return this.#initialAccessToken;
  }

  [inspect.custom](): Record<string, unknown> {
    const view = maskedView(this, { initialAccessToken: this.#initialAccessToken });
    const secret = this.metadata.client_secret;
    return secret === undefined
      ? view
      : { ...view, metadata: maskedView(this.metadata, { client_secret: secret }) };
  }

  toJSON(): Record<string, unknown> {
    return this[inspect.custom]();
  }
}
