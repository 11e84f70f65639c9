/**
 * The metadata names of OpenID Connect Discovery 1.0, RFC 8414 and the specifications that extend its
 * registry, with the JSON type each must have. Unknown names are ignored; a known name with the wrong
 * type makes the document invalid.
 */
export type FieldKind = 'url' | 'string' | 'strings' | 'boolean' | 'url-map';

/** Fields holding an endpoint URL that endpoint validation applies to. */
export const ENDPOINT_FIELDS = [
  'authorization_endpoint',
  'token_endpoint',
  'userinfo_endpoint',
  'jwks_uri',
  'registration_endpoint',
  'introspection_endpoint',
  'revocation_endpoint',
  'device_authorization_endpoint',
  'pushed_authorization_request_endpoint',
  'end_session_endpoint',
  'check_session_iframe',
  'backchannel_authentication_endpoint',
] as const;

export const METADATA_FIELDS: Readonly<Record<string, FieldKind>> = {
  issuer: 'string',
  ...Object.fromEntries(ENDPOINT_FIELDS.map((name) => [name, 'url'])),
  service_documentation: 'string',
  op_policy_uri: 'string',
  op_tos_uri: 'string',
  signed_metadata: 'string',
  mtls_endpoint_aliases: 'url-map',
  scopes_supported: 'strings',
  response_types_supported: 'strings',
  response_modes_supported: 'strings',
  grant_types_supported: 'strings',
  acr_values_supported: 'strings',
  subject_types_supported: 'strings',
  id_token_signing_alg_values_supported: 'strings',
  id_token_encryption_alg_values_supported: 'strings',
  id_token_encryption_enc_values_supported: 'strings',
  userinfo_signing_alg_values_supported: 'strings',
  userinfo_encryption_alg_values_supported: 'strings',
  userinfo_encryption_enc_values_supported: 'strings',
  request_object_signing_alg_values_supported: 'strings',
  request_object_encryption_alg_values_supported: 'strings',
  request_object_encryption_enc_values_supported: 'strings',
  token_endpoint_auth_methods_supported: 'strings',
  token_endpoint_auth_signing_alg_values_supported: 'strings',
  revocation_endpoint_auth_methods_supported: 'strings',
  revocation_endpoint_auth_signing_alg_values_supported: 'strings',
  introspection_endpoint_auth_methods_supported: 'strings',
  introspection_endpoint_auth_signing_alg_values_supported: 'strings',
  display_values_supported: 'strings',
  claim_types_supported: 'strings',
  claims_supported: 'strings',
  claims_locales_supported: 'strings',
  ui_locales_supported: 'strings',
  code_challenge_methods_supported: 'strings',
  dpop_signing_alg_values_supported: 'strings',
  authorization_signing_alg_values_supported: 'strings',
  authorization_encryption_alg_values_supported: 'strings',
  authorization_encryption_enc_values_supported: 'strings',
  backchannel_token_delivery_modes_supported: 'strings',
  backchannel_authentication_request_signing_alg_values_supported: 'strings',
  claims_parameter_supported: 'boolean',
  request_parameter_supported: 'boolean',
  request_uri_parameter_supported: 'boolean',
  require_request_uri_registration: 'boolean',
  require_signed_request_object: 'boolean',
  require_pushed_authorization_requests: 'boolean',
  tls_client_certificate_bound_access_tokens: 'boolean',
  authorization_response_iss_parameter_supported: 'boolean',
  frontchannel_logout_supported: 'boolean',
  frontchannel_logout_session_supported: 'boolean',
  backchannel_logout_supported: 'boolean',
  backchannel_logout_session_supported: 'boolean',
  backchannel_user_code_parameter_supported: 'boolean',
};

function isAbsoluteUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/** The first type problem in the document, as a message naming the field; undefined when all is well. */
export function findTypeProblem(document: Record<string, unknown>): string | undefined {
  for (const [name, kind] of Object.entries(METADATA_FIELDS)) {
    const value = document[name];
    if (value === undefined) continue;
    switch (kind) {
      case 'string':
        if (typeof value !== 'string') return `${name} must be a string`;
        break;
      case 'url':
        if (!isAbsoluteUrl(value)) return `${name} must be an absolute URL`;
        break;
      case 'boolean':
        if (typeof value !== 'boolean') return `${name} must be a boolean`;
        break;
      case 'strings':
        if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
          return `${name} must be an array of strings`;
        }
        break;
      case 'url-map':
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          return `${name} must be an object`;
        }
        for (const [alias, url] of Object.entries(value)) {
          if (!isAbsoluteUrl(url)) return `${name}.${alias} must be an absolute URL`;
        }
        break;
    }
  }
  return undefined;
}
