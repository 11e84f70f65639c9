import type { OidcConstants, ValueOf } from '../constants/oidc-constants.js';
import type { HttpResponse } from '../http/types.js';
import { deepFreeze } from '../protocol/deep-freeze.js';
import {
  kindOf,
  ProtocolResponse,
  type ProtocolResponseInit,
  readErrorAnswer,
  readJsonObject,
  unexpectedAnswer,
} from '../protocol/protocol-response.js';
import type { ClientMetadata } from './client-metadata.js';
import { managementUriProblem } from './management-uri.js';

/** The error codes RFC 7591 §3.2.2 names; a server may send others (RFC 6749's), kept as sent. */
export type ClientRegistrationErrorCode = ValueOf<typeof OidcConstants.RegistrationErrors>;

/**
 * The members of a client information response (RFC 7591 §3.2.1, RFC 7592 §3) that are not client metadata:
 * they are set by the server and RFC 7592 §2.2 forbids sending most of them back.
 */
export const CLIENT_INFORMATION_MEMBERS = [
  'client_id',
  'client_secret',
  'client_id_issued_at',
  'client_secret_expires_at',
  'registration_access_token',
  'registration_client_uri',
] as const;

const SECRET_MEMBERS: ReadonlySet<string> = new Set(['client_secret', 'registration_access_token']);
const SECRET_PROPERTIES: ReadonlySet<string> = new Set(['clientSecret', 'registrationAccessToken']);
const INFORMATION: ReadonlySet<string> = new Set(CLIENT_INFORMATION_MEMBERS);

/** Past this (9999-12-31T23:59:59Z) a timestamp is clamped: it stays a finite number a `Date` can hold. */
export const MAX_TIMESTAMP_SECONDS = 253_402_300_799;

function timestamp(value: unknown): number | undefined {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) return undefined;
  return Math.min(Math.floor(value), MAX_TIMESTAMP_SECONDS);
}

function str(raw: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = raw?.[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * A client information response (RFC 7591 §3.2.1; RFC 7592 §3 for read and update), or why there is none.
 * `metadata` holds every member that is not client information (frozen); `raw` holds all of it. The client
 * secret and the registration access token show as `***` in `util.inspect` and `JSON.stringify`. An answer
 * that was refused hands out neither (its `raw` still has the whole body).
 */
export class ClientRegistrationResponse extends ProtocolResponse {
  declare readonly error: ClientRegistrationErrorCode | (string & {}) | undefined;
  readonly clientId: string | undefined;
  readonly clientSecret: string | undefined;
  /** Seconds since the epoch. */
  readonly clientIdIssuedAt: number | undefined;
  /** Seconds since the epoch; 0 means the secret does not expire (RFC 7591 §3.2.1). */
  readonly clientSecretExpiresAt: number | undefined;
  /** The RFC 7592 token for readClient/updateClient/deleteClient; an update may rotate it. */
  readonly registrationAccessToken: string | undefined;
  /** The RFC 7592 client configuration endpoint, checked to be on a trusted origin. */
  readonly registrationClientUri: string | undefined;
  readonly metadata: Readonly<ClientMetadata>;

  constructor(init: ProtocolResponseInit) {
    super(init);
    const raw = this.isSuccessful ? init.raw : undefined;
    this.clientId = str(raw, 'client_id');
    this.clientSecret = str(raw, 'client_secret');
    this.clientIdIssuedAt = timestamp(raw?.client_id_issued_at);
    this.clientSecretExpiresAt = timestamp(raw?.client_secret_expires_at);
    this.registrationAccessToken = str(raw, 'registration_access_token');
    this.registrationClientUri = str(raw, 'registration_client_uri');
    const metadata = Object.entries(raw ?? {}).filter(([name]) => !INFORMATION.has(name));
    this.metadata = deepFreeze(structuredClone(Object.fromEntries(metadata)) as ClientMetadata);
  }

  /**
   * Reads a registration or configuration endpoint's answer. `trusted` are the origins a
   * `registration_client_uri` may point to (the registration endpoint's, or the configuration endpoint's, and
   * those the caller allowed).
   */
  static fromHttpResponse(
    response: HttpResponse,
    what: string,
    trusted: ReadonlySet<string>,
  ): ClientRegistrationResponse {
    const failure = readErrorAnswer(response, what);
    if (failure) return new ClientRegistrationResponse(failure);
    const { raw, parseError } = readJsonObject(response);
    if (!raw) {
      return new ClientRegistrationResponse(
        unexpectedAnswer(
          response,
          `${what} answered HTTP ${response.status} without a JSON object`,
          parseError,
        ),
      );
    }
    const problem = informationProblem(raw, trusted);
    if (problem !== undefined) {
      return new ClientRegistrationResponse({ ...unexpectedAnswer(response, `${what}: ${problem}`), raw });
    }
    return new ClientRegistrationResponse({ httpStatus: response.status, headers: response.headers, raw });
  }

  protected override secretMembers(): ReadonlySet<string> {
    return SECRET_MEMBERS;
  }

  protected override secretProperties(): ReadonlySet<string> {
    return SECRET_PROPERTIES;
  }
}

/** What is wrong with the client information members of a 2xx answer, without quoting a value. */
function informationProblem(raw: Record<string, unknown>, trusted: ReadonlySet<string>): string | undefined {
  if (typeof raw.client_id !== 'string' || raw.client_id.length === 0) {
    return raw.client_id === undefined
      ? 'the answer has no client_id'
      : `client_id is ${kindOf(raw.client_id)}, not a non-empty string`;
  }
  for (const name of ['client_secret', 'registration_access_token', 'registration_client_uri']) {
    if (raw[name] !== undefined && (typeof raw[name] !== 'string' || raw[name] === '')) {
      return `${name} is ${kindOf(raw[name])}, not a non-empty string`;
    }
  }
  for (const name of ['client_id_issued_at', 'client_secret_expires_at']) {
    if (raw[name] !== undefined && timestamp(raw[name]) === undefined) {
      return `${name} is not a non-negative number of seconds`;
    }
  }
  if (raw.registration_client_uri !== undefined) {
    const problem = managementUriProblem(raw.registration_client_uri, trusted);
    if (problem !== undefined) return `registration_client_uri ${problem}`;
  }
  return undefined;
}

/** The answer of deleteClient (RFC 7592 §2.3): success on 204 (or any 2xx without an OAuth error). */
export class ClientDeletionResponse extends ProtocolResponse {
  static fromHttpResponse(response: HttpResponse, what: string): ClientDeletionResponse {
    return new ClientDeletionResponse(
      readErrorAnswer(response, what) ?? { httpStatus: response.status, headers: response.headers },
    );
  }
}
