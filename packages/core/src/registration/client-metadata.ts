import { ConfigurationError } from '../errors.js';
import type { JWK } from '../jwks/json-web-key.js';
import { deepFreeze } from '../protocol/deep-freeze.js';
import { kindOf } from '../protocol/protocol-response.js';

/**
 * Client metadata, under its wire names (snake_case, as openid-client and the specifications write them): every
 * member of RFC 7591 §2 and OpenID Connect Dynamic Client Registration 1.0 §2, the logout, mTLS (RFC 8705),
 * DPoP (RFC 9449), PAR (RFC 9126), JARM and RFC 9701 members, and any other member a server defines
 * (language-tagged ones such as `client_name#fr` included), sent and kept as they are.
 */
export interface ClientMetadata {
  // RFC 7591 §2
  redirect_uris?: readonly string[];
  token_endpoint_auth_method?: string;
  grant_types?: readonly string[];
  response_types?: readonly string[];
  client_name?: string;
  client_uri?: string;
  logo_uri?: string;
  /** Space-separated scope values. */
  scope?: string;
  contacts?: readonly string[];
  tos_uri?: string;
  policy_uri?: string;
  jwks_uri?: string;
  /** The client's public keys (never its private ones). */
  jwks?: { keys: readonly JWK[] };
  software_id?: string;
  software_version?: string;
  /** RFC 7591 §2.3: a signed JWT asserting metadata values. */
  software_statement?: string;
  // OpenID Connect Dynamic Client Registration 1.0 §2
  application_type?: 'web' | 'native' | (string & {});
  sector_identifier_uri?: string;
  subject_type?: 'public' | 'pairwise' | (string & {});
  id_token_signed_response_alg?: string;
  id_token_encrypted_response_alg?: string;
  id_token_encrypted_response_enc?: string;
  userinfo_signed_response_alg?: string;
  userinfo_encrypted_response_alg?: string;
  userinfo_encrypted_response_enc?: string;
  request_object_signing_alg?: string;
  request_object_encryption_alg?: string;
  request_object_encryption_enc?: string;
  token_endpoint_auth_signing_alg?: string;
  default_max_age?: number;
  require_auth_time?: boolean;
  default_acr_values?: readonly string[];
  initiate_login_uri?: string;
  request_uris?: readonly string[];
  // RP-Initiated, Front-Channel and Back-Channel Logout 1.0
  post_logout_redirect_uris?: readonly string[];
  frontchannel_logout_uri?: string;
  frontchannel_logout_session_required?: boolean;
  backchannel_logout_uri?: string;
  backchannel_logout_session_required?: boolean;
  // RFC 8705 §2.1.2, §3.4
  tls_client_auth_subject_dn?: string;
  tls_client_auth_san_dns?: string;
  tls_client_auth_san_uri?: string;
  tls_client_auth_san_ip?: string;
  tls_client_auth_san_email?: string;
  tls_client_certificate_bound_access_tokens?: boolean;
  // RFC 9449 §5.2, RFC 9126 §6, JARM §3, RFC 9701 §6
  dpop_bound_access_tokens?: boolean;
  require_pushed_authorization_requests?: boolean;
  authorization_signed_response_alg?: string;
  authorization_encrypted_response_alg?: string;
  authorization_encrypted_response_enc?: string;
  introspection_signed_response_alg?: string;
  introspection_encrypted_response_alg?: string;
  introspection_encrypted_response_enc?: string;
  [member: string]: unknown;
}

type Kind = 'string' | 'strings' | 'number' | 'boolean' | 'object';

const LISTS = [
  'redirect_uris',
  'grant_types',
  'response_types',
  'contacts',
  'default_acr_values',
  'request_uris',
  'post_logout_redirect_uris',
];
const NUMBERS = ['default_max_age'];
const FLAGS = [
  'require_auth_time',
  'frontchannel_logout_session_required',
  'backchannel_logout_session_required',
  'tls_client_certificate_bound_access_tokens',
  'dpop_bound_access_tokens',
  'require_pushed_authorization_requests',
];

/** The JSON type each typed member must have; a member not listed here is a string. */
const KINDS: ReadonlyMap<string, Kind> = new Map<string, Kind>([
  ...LISTS.map((name): [string, Kind] => [name, 'strings']),
  ...NUMBERS.map((name): [string, Kind] => [name, 'number']),
  ...FLAGS.map((name): [string, Kind] => [name, 'boolean']),
  ['jwks', 'object'],
]);

/** Typed members that are strings (the rest of the interface above). */
const STRINGS: ReadonlySet<string> = new Set(
  [
    'token_endpoint_auth_method client_name client_uri logo_uri scope tos_uri policy_uri jwks_uri',
    'software_id software_version software_statement application_type sector_identifier_uri subject_type',
    'id_token_signed_response_alg id_token_encrypted_response_alg id_token_encrypted_response_enc',
    'userinfo_signed_response_alg userinfo_encrypted_response_alg userinfo_encrypted_response_enc',
    'request_object_signing_alg request_object_encryption_alg request_object_encryption_enc',
    'token_endpoint_auth_signing_alg initiate_login_uri frontchannel_logout_uri backchannel_logout_uri',
    'tls_client_auth_subject_dn tls_client_auth_san_dns tls_client_auth_san_uri tls_client_auth_san_ip',
    'tls_client_auth_san_email authorization_signed_response_alg authorization_encrypted_response_alg',
    'authorization_encrypted_response_enc introspection_signed_response_alg',
    'introspection_encrypted_response_alg introspection_encrypted_response_enc',
  ].flatMap((line) => line.split(' ')),
);

function kindOfMember(name: string): Kind | undefined {
  return KINDS.get(name) ?? (STRINGS.has(name) ? 'string' : undefined);
}

function fits(kind: Kind, value: unknown): boolean {
  switch (kind) {
    case 'strings':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) && value >= 0;
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      return typeof value === kind;
  }
}

const EXPECTED: Record<Kind, string> = {
  string: 'a string',
  strings: 'a list of strings',
  number: 'a non-negative number',
  boolean: 'a boolean',
  object: 'an object',
};

/**
 * Checks the typed members of caller-given metadata and returns a deep, frozen copy of its JSON form (members
 * set to `undefined` left out). Throws `ConfigurationError` naming the member; never shows a value.
 */
export function validateClientMetadata(
  metadata: unknown,
  forbidden: { names: readonly string[]; why: string } = { names: [], why: '' },
): ClientMetadata {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new ConfigurationError(`metadata: must be an object of client metadata, got ${kindOf(metadata)}`);
  }
  for (const [name, value] of Object.entries(metadata)) {
    if (value === undefined) continue;
    if (forbidden.names.includes(name)) throw new ConfigurationError(`metadata.${name}: ${forbidden.why}`);
    const kind = kindOfMember(name);
    if (kind !== undefined && !fits(kind, value)) {
      throw new ConfigurationError(`metadata.${name}: must be ${EXPECTED[kind]}, got ${kindOf(value)}`);
    }
  }
  let copy: unknown;
  try {
    copy = JSON.parse(JSON.stringify(metadata));
  } catch (cause) {
    throw new ConfigurationError('metadata: must be JSON (no cycles, no bigint)', { cause });
  }
  return deepFreeze(copy as ClientMetadata);
}
