/**
 * Which metadata a discovery document must carry. The specification is chosen by where the document was
 * read: `/.well-known/openid-configuration` is an OpenID Provider's (OpenID Connect Discovery 1.0 §3),
 * `/.well-known/oauth-authorization-server` an OAuth authorization server's (RFC 8414 §2).
 */
export type DiscoveryProfile = 'openid' | 'oauth';

/** OpenID Connect Discovery 1.0 §3 (`token_endpoint` is treated as required: we never serve implicit-only). */
const OPENID_REQUIRED = [
  'issuer',
  'authorization_endpoint',
  'token_endpoint',
  'jwks_uri',
  'response_types_supported',
  'subject_types_supported',
  'id_token_signing_alg_values_supported',
] as const;

/** Every name some profile can require: what `optionalMetadata` may list. */
export const REQUIRABLE_METADATA: ReadonlySet<string> = new Set(OPENID_REQUIRED);

/** RFC 8414 §2: omitted `grant_types_supported` means these. */
const DEFAULT_GRANT_TYPES = ['authorization_code', 'implicit'];
/** RFC 6749 grants that go through the authorization endpoint. */
const AUTHORIZATION_ENDPOINT_GRANTS = new Set(['authorization_code', 'implicit']);

/** RFC 8414 §2, read exactly: two endpoints are required or not depending on the grant types supported. */
function oauthRequired(document: Readonly<Record<string, unknown>>): string[] {
  const declared = document.grant_types_supported;
  const grants = Array.isArray(declared) ? (declared as string[]) : DEFAULT_GRANT_TYPES;
  const required = ['issuer', 'response_types_supported'];
  // "REQUIRED unless no grant types are supported that use the authorization endpoint".
  if (grants.some((grant) => AUTHORIZATION_ENDPOINT_GRANTS.has(grant)))
    required.push('authorization_endpoint');
  // "REQUIRED unless only the implicit grant type is supported".
  if (!(grants.length > 0 && grants.every((grant) => grant === 'implicit'))) required.push('token_endpoint');
  return required;
}

/** The names the profile requires that the document lacks (in the specification's order), minus `tolerated`. */
export function findMissingMetadata(
  document: Readonly<Record<string, unknown>>,
  profile: DiscoveryProfile,
  tolerated: ReadonlySet<string>,
): string[] {
  const required = profile === 'openid' ? OPENID_REQUIRED : oauthRequired(document);
  return required.filter((name) => document[name] === undefined && !tolerated.has(name));
}

/** The specification a profile's requirements come from, for messages. */
export function profileSpecification(profile: DiscoveryProfile): string {
  return profile === 'openid' ? 'OpenID Connect Discovery 1.0 §3' : 'RFC 8414 §2';
}
