/**
 * A discovery document for `issuer` carrying exactly what OpenID Connect Discovery 1.0 §3 requires, every
 * endpoint on the issuer's origin; `extra` adds to or overrides it (an `undefined` value removes a field
 * once serialised).
 */
export function completeDocument(
  issuer: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    issuer,
    jwks_uri: `${issuer}/jwks`,
    token_endpoint: `${issuer}/token`,
    authorization_endpoint: `${issuer}/authorize`,
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    ...extra,
  };
}
