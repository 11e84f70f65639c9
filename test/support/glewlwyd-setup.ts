/**
 * What the glewlwyd fixture writes into its temp dir: the OIDC plugin instance (every feature the tests
 * use switched on), the clients as SQL rows for the `database` client backend, and the libconfig server
 * file. Parameter names are the plugin's JSON keys (what the admin UI posts to /api/mod/plugin).
 */
import type { JWK } from 'jose';

export interface GlewlwydClientRow {
  clientId: string;
  /** Stored as-is (`client_secret`, not the hashed `password` property). Empty: no secret. */
  clientSecret: string;
  /** `token_endpoint_auth_method` values; a client without any is refused everything (403). */
  authMethods: string[];
  /** `authorization_type` values: client_credentials, device_authorization, code … */
  grants: string[];
  scopes: string[];
  /** Extra properties: `sign_kid` (its tokens' key), `jwks` (its public keys), `redirect_uri` … */
  properties?: Record<string, string>;
}

export interface PluginSettings {
  issuer: string;
  privateJwks: { keys: JWK[] };
  defaultKid: string;
  audiences: string[];
  accessTokenTtl: number;
  /** Scopes clients may hold; `introspect` is the scope a bearer token needs at /introspect and /revoke. */
  scopes: string[];
}

/** The OIDC plugin's parameters. Each line that enables a feature names it. */
export function pluginParameters(s: PluginSettings): Record<string, unknown> {
  const resourceScopes = Object.fromEntries(
    s.scopes.filter((x) => x !== 'introspect').map((x) => [x, s.audiences]),
  );
  return {
    iss: s.issuer,
    // RS256 (default-kid) and ES256 keys; a client's `sign_kid` property picks another key for its tokens.
    'jwks-private': JSON.stringify(s.privateJwks),
    'default-kid': s.defaultKid,
    'client-sign_kid-parameter': 'sign_kid',
    'jwks-show': true,
    // private_key_jwt / client_secret_jwt: the client's public keys live in its `jwks` property.
    'client-jwks-parameter': 'jwks',
    'request-parameter-allow': true,
    'access-token-duration': s.accessTokenTtl,
    'refresh-token-duration': 1209600,
    'code-duration': 600,
    'refresh-token-rolling': true,
    'allow-non-oidc': true, // client_credentials is "non OIDC" for this plugin
    'auth-type-code-enabled': true,
    'auth-type-token-enabled': false,
    'auth-type-none-enabled': false,
    'auth-type-password-enabled': false,
    'auth-type-client-enabled': true,
    'auth-type-refresh-enabled': true,
    // RFC 8628 device authorization (the client also needs authorization_type device_authorization).
    'auth-type-device-enabled': true,
    'device-authorization-expiration': 600,
    'device-authorization-interval': 5,
    'subject-type': 'public',
    'pkce-allowed': true,
    'pkce-method-plain-allowed': false,
    // RFC 7662 introspection (JSON, and RFC 9701 JWT with `Accept: application/token-introspection+jwt`)
    // and RFC 7009 revocation: by client credentials, or by a bearer token holding `introspect`.
    'introspection-revocation-allowed': true,
    'introspection-revocation-allow-target-client': true,
    'introspection-revocation-auth-scope': ['introspect'],
    scope: ['openid', ...s.scopes].map((name) => ({ name, 'refresh-token-rolling': true })),
    'allowed-scope': ['openid', ...s.scopes],
    // RFC 8707: `resource` becomes the access token's `aud` (without it, aud is the scope string).
    'resource-allowed': true,
    'resource-scope': resourceScopes,
    // DPoP (draft 07 in 2.7.5): tokens bound with cnf.jkt when a DPoP proof is sent.
    'oauth-dpop-allowed': true,
    'oauth-dpop-iat-duration': 60,
    // RFC 9126 PAR.
    'oauth-par-allowed': true,
    'oauth-par-required': false,
    'oauth-par-request_uri-prefix': 'urn:ietf:params:oauth:request_uri:',
    'oauth-par-duration': 90,
    // RFC 7591/7592 registration, open (no initial access token): loopback tests only.
    'register-client-allowed': true,
    'register-client-auth-scope': [],
    'register-client-credentials-scope': [s.scopes[0]],
    'register-client-management-allowed': true,
  };
}

function sql(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** SQL that adds the plugin instance, the scopes and the clients to the package's fresh schema. */
export function setupSql(
  plugin: Record<string, unknown>,
  scopes: string[],
  clients: GlewlwydClientRow[],
): string {
  const lines = [
    'INSERT INTO g_plugin_module_instance (gpmi_module, gpmi_name, gpmi_display_name, gpmi_parameters, gpmi_enabled)' +
      ` VALUES ('oidc', 'oidc', 'OpenID Connect', ${sql(JSON.stringify(plugin))}, 1);`,
  ];
  for (const scope of scopes) {
    lines.push(
      'INSERT INTO g_scope (gs_name, gs_display_name, gs_description, gs_password_required, gs_password_max_age)' +
        ` VALUES (${sql(scope)}, ${sql(scope)}, 'test scope', 0, 0);`,
      `INSERT INTO g_client_scope (gcs_name) VALUES (${sql(scope)});`,
    );
  }
  for (const c of clients) {
    const id = sql(c.clientId);
    lines.push(
      `INSERT INTO g_client (gc_client_id, gc_name, gc_confidential, gc_enabled) VALUES (${id}, ${id}, 1, 1);`,
    );
    const props: [string, string][] = [
      ...(c.clientSecret ? [['client_secret', c.clientSecret] as [string, string]] : []),
      ...c.grants.map((g): [string, string] => ['authorization_type', g]),
      ...c.authMethods.map((m): [string, string] => ['token_endpoint_auth_method', m]),
      ...Object.entries(c.properties ?? {}),
    ];
    for (const [name, value] of props) {
      lines.push(
        'INSERT INTO g_client_property (gc_id, gcp_name, gcp_value)' +
          ` SELECT gc_id, ${sql(name)}, ${sql(value)} FROM g_client WHERE gc_client_id = ${id};`,
      );
    }
    for (const scope of c.scopes) {
      lines.push(
        'INSERT INTO g_client_scope_client (gc_id, gcs_id)' +
          ` SELECT (SELECT gc_id FROM g_client WHERE gc_client_id = ${id}), gcs_id FROM g_client_scope WHERE gcs_name = ${sql(scope)};`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** SQL that replaces the plugin's parameters (its keys) and points a client's `sign_kid` at another key. */
export function rotationSql(
  plugin: Record<string, unknown>,
  client: { clientId: string; signKid: string },
): string {
  return [
    `UPDATE g_plugin_module_instance SET gpmi_parameters = ${sql(JSON.stringify(plugin))} WHERE gpmi_name = 'oidc';`,
    `UPDATE g_client_property SET gcp_value = ${sql(client.signKid)} WHERE gcp_name = 'sign_kid'` +
      ` AND gc_id = (SELECT gc_id FROM g_client WHERE gc_client_id = ${sql(client.clientId)});`,
    '',
  ].join('\n');
}

/** libconfig server file. NB: never write `use_secure_connection=false`: 2.7.5 then demands TLS files. */
export function serverConfig(options: { port: number; externalUrl: string; database: string }): string {
  return [
    `port=${options.port}`,
    'bind_address="127.0.0.1"',
    // Endpoint URLs in discovery are built from external_url: the counting proxy's origin.
    `external_url="${options.externalUrl}"`,
    'login_url="login.html"',
    'api_prefix="api"',
    'allow_origin="*"',
    'log_mode="console"',
    'log_level="INFO"',
    'cookie_secure=0',
    'admin_scope="g_admin"',
    'profile_scope="g_profile"',
    'user_module_path="/usr/lib/glewlwyd/user"',
    'client_module_path="/usr/lib/glewlwyd/client"',
    'user_auth_scheme_module_path="/usr/lib/glewlwyd/scheme"',
    'plugin_module_path="/usr/lib/glewlwyd/plugin"',
    'hash_algorithm="SHA512"',
    `database = { type = "sqlite3" path = "${options.database}" }`,
    '',
  ].join('\n');
}
