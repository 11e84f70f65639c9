import { ConfigurationError } from '../errors.js';
import type { CodeChallengeMethod, PkcePair } from './pkce.js';
import { randomValue } from './random-value.js';

/** A space-separated list given as one string or as its items. */
export type ParameterList = string | readonly string[];

/** Extra parameters; an array value repeats the parameter. */
export type ExtraAuthorizationParameters = Record<string, string | readonly string[] | undefined>;

/** The parameters of an authorization request (RFC 6749 §4.1.1, OIDC Core §3.1.2.1, RFC 7636, RFC 8707). */
export interface AuthorizationRequestParameters {
  /** `redirect_uri`: absolute, no fragment (RFC 6749 §3.1.2). */
  redirectUri?: string;
  /** `response_type`, default `code`. */
  responseType?: string;
  scope?: ParameterList;
  /** `state`; 32 random bytes (base64url) when not given, returned with the request. */
  state?: string;
  /** `nonce`; 32 random bytes (base64url) when not given, returned with the request. */
  nonce?: string;
  /** PKCE: a pair from `generatePkcePair()` (its verifier is never sent) … */
  pkce?: Pick<PkcePair, 'codeChallenge' | 'codeChallengeMethod'>;
  /** … or the challenge itself (`codeChallengeMethod` default S256). */
  codeChallenge?: string;
  codeChallengeMethod?: CodeChallengeMethod;
  prompt?: ParameterList;
  /** `max_age` in seconds. */
  maxAge?: number;
  acrValues?: ParameterList;
  loginHint?: string;
  idTokenHint?: string;
  /** RFC 8707 resource indicators: absolute URIs without fragment, each sent as its own `resource`. */
  resource?: ParameterList;
  /** OIDC Core §5.5 `claims` request, sent as JSON. */
  claims?: Record<string, unknown>;
  uiLocales?: ParameterList;
  responseMode?: string;
  display?: string;
  /** Anything else the provider understands; none may replace a parameter named above. */
  extraParameters?: ExtraAuthorizationParameters;
}

/** Parameters built from the options above (and `client_id`, `request`, `request_uri`): not extras. */
export const RESERVED_AUTHORIZATION_PARAMETERS: ReadonlySet<string> = new Set([
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'prompt',
  'max_age',
  'acr_values',
  'login_hint',
  'id_token_hint',
  'resource',
  'claims',
  'ui_locales',
  'response_mode',
  'display',
  'request',
  'request_uri',
]);

/** An authorization request ready to send: its fields in order, and the `state` and `nonce` to keep. */
export interface ResolvedAuthorizationRequest {
  /** `[name, value]` in order; a name may repeat (`resource`). Includes `client_id`. */
  readonly fields: ReadonlyArray<readonly [string, string]>;
  readonly state: string;
  readonly nonce: string;
}

const MAX_VALUE = 8192;
const CHALLENGE = /^[A-Za-z0-9\-._~]{43,128}$/;

function text(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_VALUE) {
    throw new ConfigurationError(`${name}: must be a non-empty string of at most ${MAX_VALUE} characters`);
  }
  return value;
}

function list(name: string, value: ParameterList | undefined): string | undefined {
  if (value === undefined) return undefined;
  const items = typeof value === 'string' ? value.split(' ').filter((s) => s !== '') : [...value];
  if (items.length === 0 || !items.every((i) => typeof i === 'string' && /^[^\s]+$/.test(i))) {
    throw new ConfigurationError(`${name}: give one or more values without spaces (a string or an array)`);
  }
  return text(name, items.join(' '));
}

function absoluteUri(name: string, value: string): string {
  if (!URL.canParse(value) || value.includes('#')) {
    throw new ConfigurationError(`${name}: "${value}" must be an absolute URI without a fragment`);
  }
  return value;
}

function pkceFields(p: AuthorizationRequestParameters): Array<[string, string]> {
  if (p.pkce !== undefined && p.codeChallenge !== undefined) {
    throw new ConfigurationError('pkce or codeChallenge: give one, not both');
  }
  const challenge = p.pkce?.codeChallenge ?? p.codeChallenge;
  if (challenge === undefined) {
    if (p.codeChallengeMethod !== undefined)
      throw new ConfigurationError('codeChallengeMethod: needs codeChallenge');
    return [];
  }
  if (typeof challenge !== 'string' || !CHALLENGE.test(challenge)) {
    throw new ConfigurationError(
      'codeChallenge: 43 to 128 characters of [A-Z a-z 0-9 - . _ ~] (RFC 7636 §4.2)',
    );
  }
  const method = p.pkce?.codeChallengeMethod ?? p.codeChallengeMethod ?? 'S256';
  if (method !== 'S256' && method !== 'plain') {
    throw new ConfigurationError(`codeChallengeMethod: "${String(method)}" is not S256 or plain`);
  }
  return [
    ['code_challenge', challenge],
    ['code_challenge_method', method],
  ];
}

/**
 * Checks the parameters (`ConfigurationError` saying what to change) and lays them out as fields, generating
 * `state` and `nonce` from the CSPRNG when not given.
 */
export function resolveAuthorizationRequest(
  clientId: string,
  p: AuthorizationRequestParameters,
): ResolvedAuthorizationRequest {
  if (typeof p !== 'object' || p === null) throw new ConfigurationError('authorization parameters: required');
  const state = text('state', p.state) ?? randomValue();
  const nonce = text('nonce', p.nonce) ?? randomValue();
  if (p.maxAge !== undefined && (!Number.isInteger(p.maxAge) || p.maxAge < 0)) {
    throw new ConfigurationError('maxAge: must be a whole number of seconds, 0 or more');
  }
  const redirectUri = text('redirectUri', p.redirectUri);
  if (
    p.claims !== undefined &&
    (typeof p.claims !== 'object' || p.claims === null || Array.isArray(p.claims))
  ) {
    throw new ConfigurationError(
      'claims: must be an object (OIDC Core §5.5), e.g. { id_token: { acr: null } }',
    );
  }
  const resources = p.resource === undefined ? [] : (list('resource', p.resource) as string).split(' ');
  const fields: Array<[string, string | undefined]> = [
    ['response_type', list('responseType', p.responseType ?? 'code')],
    ['client_id', text('clientId', clientId)],
    ['redirect_uri', redirectUri === undefined ? undefined : absoluteUri('redirectUri', redirectUri)],
    ['scope', list('scope', p.scope)],
    ['state', state],
    ['nonce', nonce],
    ...pkceFields(p),
    ['prompt', list('prompt', p.prompt)],
    ['max_age', p.maxAge === undefined ? undefined : String(p.maxAge)],
    ['acr_values', list('acrValues', p.acrValues)],
    ['login_hint', text('loginHint', p.loginHint)],
    ['id_token_hint', text('idTokenHint', p.idTokenHint)],
    ...resources.map((r): [string, string] => ['resource', absoluteUri('resource', r)]),
    ['claims', p.claims === undefined ? undefined : text('claims', JSON.stringify(p.claims))],
    ['ui_locales', list('uiLocales', p.uiLocales)],
    ['response_mode', text('responseMode', p.responseMode)],
    ['display', text('display', p.display)],
    ...extraFields(p.extraParameters),
  ];
  const defined = fields.filter((f): f is [string, string] => f[1] !== undefined);
  return { fields: Object.freeze(defined), state, nonce };
}

/** Extra parameters as fields; one that would replace a built parameter (one of `reserved`) is refused. */
export function extraFields(
  extra: ExtraAuthorizationParameters | undefined,
  reserved: ReadonlySet<string> = RESERVED_AUTHORIZATION_PARAMETERS,
): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(extra ?? {})) {
    if (reserved.has(name)) {
      throw new ConfigurationError(
        `extraParameters: "${name}" is set through its own option and cannot be overridden`,
      );
    }
    if (value === undefined) continue;
    for (const v of typeof value === 'string' ? [value] : value) {
      out.push([name, text(`extraParameters.${name}`, v) as string]);
    }
  }
  return out;
}
