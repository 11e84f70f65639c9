import type { DiscoveryDocumentResponse } from '../discovery/discovery-document-response.js';
import { ConfigurationError } from '../errors.js';
import {
  type ExtraAuthorizationParameters,
  extraFields,
  type ParameterList,
} from './authorization-parameters.js';
import { frontChannelUrl, withFields } from './front-channel-endpoint.js';

export interface EndSessionUrlOptions {
  endSessionEndpoint?: string | URL;
  /** Or the discovery document naming `end_session_endpoint`. */
  document?: DiscoveryDocumentResponse;
  /** The ID token last issued to us for this session: tells the provider who is logging out. */
  idTokenHint?: string;
  /** Registered `post_logout_redirect_uri`; the provider needs `idTokenHint` or `clientId` to check it. */
  postLogoutRedirectUri?: string;
  state?: string;
  clientId?: string;
  uiLocales?: ParameterList;
  logoutHint?: string;
  extraParameters?: ExtraAuthorizationParameters;
}

const OWN: ReadonlySet<string> = new Set([
  'id_token_hint',
  'post_logout_redirect_uri',
  'state',
  'client_id',
  'ui_locales',
  'logout_hint',
]);

function optional(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '' || value.length > 65_536) {
    throw new ConfigurationError(`${name}: must be a non-empty string`);
  }
  return value;
}

/**
 * The URL for OpenID Connect RP-Initiated Logout 1.0 (§2): `id_token_hint`, `post_logout_redirect_uri`,
 * `state`, `client_id`, `ui_locales`, `logout_hint` and extras (none may replace those). Throws
 * `ConfigurationError`, e.g. for a `postLogoutRedirectUri` with neither `idTokenHint` nor `clientId`.
 */
export function buildEndSessionUrl(options: EndSessionUrlOptions): string {
  const endpoint = frontChannelUrl(
    options,
    'endSessionEndpoint',
    'end_session_endpoint',
    'buildEndSessionUrl',
  );
  const redirect = optional('postLogoutRedirectUri', options.postLogoutRedirectUri);
  if (redirect !== undefined && !URL.canParse(redirect)) {
    throw new ConfigurationError('postLogoutRedirectUri: must be an absolute URI');
  }
  if (redirect !== undefined && options.idTokenHint === undefined && options.clientId === undefined) {
    throw new ConfigurationError(
      'postLogoutRedirectUri: give idTokenHint or clientId too, so the provider can check it (§2)',
    );
  }
  const locales = options.uiLocales === undefined ? undefined : [options.uiLocales].flat().join(' ');
  const extras = extraFields(options.extraParameters, OWN);
  const fields: Array<[string, string | undefined]> = [
    ['id_token_hint', optional('idTokenHint', options.idTokenHint)],
    ['post_logout_redirect_uri', redirect],
    ['state', optional('state', options.state)],
    ['client_id', optional('clientId', options.clientId)],
    ['ui_locales', optional('uiLocales', locales)],
    ['logout_hint', optional('logoutHint', options.logoutHint)],
  ];
  const defined = fields.filter((f): f is [string, string] => f[1] !== undefined);
  return withFields(endpoint, [...defined, ...extras], 'endSessionEndpoint');
}
