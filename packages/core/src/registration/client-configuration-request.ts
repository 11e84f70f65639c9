import { inspect } from 'node:util';
import { ConfigurationError } from '../errors.js';
import { maskedView } from '../protocol/masked-view.js';
import { type ClientMetadata, validateClientMetadata } from './client-metadata.js';
import {
  CLIENT_INFORMATION_MEMBERS,
  type ClientRegistrationResponse,
} from './client-registration-response.js';
import { bearerToken, type JsonEndpointOptions, JsonEndpointSettings } from './json-exchange.js';
import { allowedOrigins, managementUri } from './management-uri.js';

export interface ClientConfigurationRequestOptions extends JsonEndpointOptions {
  /** The client configuration endpoint (`registration_client_uri`): https, or http on a loopback host. */
  registrationClientUri: string | URL;
  registrationAccessToken: string;
  /**
   * Origins besides the configuration endpoint's that a `registration_client_uri` in the answer may point to.
   * Default none.
   */
  allowedManagementOrigins?: readonly string[];
}

/** What `fromResponse` takes besides the response. */
export type FromResponseOptions = Omit<
  ClientConfigurationRequestOptions,
  'registrationClientUri' | 'registrationAccessToken'
>;

function fromResponseOptions(
  response: ClientRegistrationResponse,
  options: FromResponseOptions,
): ClientConfigurationRequestOptions {
  const { registrationClientUri, registrationAccessToken } = response;
  if (
    !response.isSuccessful ||
    registrationClientUri === undefined ||
    registrationAccessToken === undefined
  ) {
    throw new ConfigurationError(
      response.isSuccessful
        ? 'response: has no registration_client_uri and registration_access_token (the server offers no RFC 7592 management for this client)'
        : 'response: an unsuccessful registration response cannot be managed; check isSuccessful first',
    );
  }
  return { ...options, registrationClientUri, registrationAccessToken };
}

/**
 * The RFC 7592 client configuration endpoint of one client and the registration access token it takes. The
 * token shows as `***` in `util.inspect` and `JSON.stringify`.
 */
abstract class ClientConfigurationTarget {
  readonly registrationClientUri: string;
  /** The origins a `registration_client_uri` in an answer may point to. */
  readonly trustedOrigins: ReadonlySet<string>;
  /** @internal */
  readonly settings: JsonEndpointSettings;
  readonly #registrationAccessToken: string;

  constructor(options: ClientConfigurationRequestOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new ConfigurationError('client configuration request options: required');
    }
    const allowed = allowedOrigins(options.allowedManagementOrigins, 'allowedManagementOrigins');
    const { uri, trusted } = managementUri(options.registrationClientUri, allowed);
    this.registrationClientUri = uri;
    this.trustedOrigins = trusted;
    this.#registrationAccessToken = bearerToken(options.registrationAccessToken, 'registrationAccessToken');
    this.settings = new JsonEndpointSettings(options);
  }

  get registrationAccessToken(): string {
    return this.#registrationAccessToken;
  }

  [inspect.custom](): Record<string, unknown> {
    return maskedView(this, { registrationAccessToken: this.#registrationAccessToken });
  }

  toJSON(): Record<string, unknown> {
    return this[inspect.custom]();
  }
}

/** A read (GET, RFC 7592 §2.1) or delete (DELETE, §2.3) of a registered client. */
export class ClientConfigurationRequest extends ClientConfigurationTarget {
  /** The request for the client a registration, read or update response describes. */
  static fromResponse(
    response: ClientRegistrationResponse,
    options: FromResponseOptions = {},
  ): ClientConfigurationRequest {
    return new ClientConfigurationRequest(fromResponseOptions(response, options));
  }
}

export interface ClientUpdateRequestOptions extends ClientConfigurationRequestOptions {
  clientId: string;
  /**
   * The client's whole metadata: an update replaces it, and a member left out is removed (RFC 7592 §2.2).
   * Client information members (client_id, client_secret, timestamps, the registration access token and URI)
   * do not belong here.
   */
  metadata: ClientMetadata;
  /** Sent as `client_secret` when given; it must be the client's current secret (RFC 7592 §2.2). */
  clientSecret?: string;
}

/** An update (PUT, RFC 7592 §2.2) of a registered client's metadata. */
export class ClientUpdateRequest extends ClientConfigurationTarget {
  readonly clientId: string;
  readonly metadata: Readonly<ClientMetadata>;
  readonly #clientSecret: string | undefined;

  constructor(options: ClientUpdateRequestOptions) {
    super(options);
    if (typeof options.clientId !== 'string' || options.clientId.length === 0) {
      throw new ConfigurationError('clientId: the registered client_id is required for an update');
    }
    if (
      options.clientSecret !== undefined &&
      (typeof options.clientSecret !== 'string' || !options.clientSecret)
    ) {
      throw new ConfigurationError('clientSecret: must be a non-empty string when given');
    }
    this.clientId = options.clientId;
    this.#clientSecret = options.clientSecret;
    this.metadata = validateClientMetadata(options.metadata, {
      names: CLIENT_INFORMATION_MEMBERS,
      why: 'client information, not metadata: pass clientId / clientSecret, the server sets the rest (RFC 7592 §2.2)',
    });
  }

  /**
   * The update of the client a response describes: its metadata with `changes` applied (a member set to
   * `undefined` in `changes` is removed).
   */
  static fromResponse(
    response: ClientRegistrationResponse,
    changes: ClientMetadata,
    options: FromResponseOptions = {},
  ): ClientUpdateRequest {
    return new ClientUpdateRequest({
      ...fromResponseOptions(response, options),
      clientId: response.clientId as string,
      metadata: { ...response.metadata, ...changes },
    });
  }

  /** The JSON body: the metadata, `client_id` and, when given, `client_secret`. */
  body(): Record<string, unknown> {
    return {
      ...this.metadata,
      client_id: this.clientId,
      ...(this.#clientSecret === undefined ? {} : { client_secret: this.#clientSecret }),
    };
  }

  override [inspect.custom](): Record<string, unknown> {
    return { ...super[inspect.custom](), ...maskedView({}, { clientSecret: this.#clientSecret }) };
  }
}
