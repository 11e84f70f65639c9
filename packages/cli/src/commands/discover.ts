import { parseArgs } from 'node:util';
import {
  DiscoveryDocumentRequest,
  type DiscoveryDocumentResponse,
  getDiscoveryDocument,
} from '@identity-model/core';
import { onePositional, parsingArgs, requireUrl } from '../args.js';
import type { Command, CommandContext, CommandResult } from '../context.js';
import { ExitCode, exitCodeOfFailure, UsageError } from '../exit-codes.js';
import { list, rows } from '../format.js';
import type { Style } from '../style.js';

const HELP = `identity-model discover <issuer>

Fetches the issuer's discovery document (OpenID Connect Discovery 1.0, or RFC 8414 when given a
/.well-known/oauth-authorization-server URL) and checks it with the default DiscoveryPolicy, as every
@identity-model validator and client does: https (http only on loopback), the issuer equal to the address,
every endpoint on the issuer's origin, the metadata the specification requires, a jwks_uri.
A refusal says why and which policy option would accept the document.

  <issuer>     the issuer URL, or the full well-known URL
  --json       one JSON document on stdout

Exit: 0 accepted, 1 refused or not a discovery document, 2 usage, 3 provider unreachable or failing.`;

/** What the default policy checks, said once when a document passes. */
export const POLICY_SUMMARY =
  'https (http on loopback only), issuer matches the address, endpoints on the issuer origin, required metadata, jwks_uri';

/** The discovery document of `address` under the default policy (shared by `jwks`). */
export function discover(context: CommandContext, address: string): Promise<DiscoveryDocumentResponse> {
  return getDiscoveryDocument(new DiscoveryDocumentRequest({ address }), context.http());
}

/** The few members a person checks first. */
function keyFields(doc: DiscoveryDocumentResponse): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    issuer: doc.issuer,
    jwks_uri: doc.jwksUri,
    token_endpoint: doc.tokenEndpoint,
    authorization_endpoint: doc.authorizationEndpoint,
    introspection_endpoint: doc.introspectionEndpoint,
    revocation_endpoint: doc.revocationEndpoint,
    userinfo_endpoint: doc.userInfoEndpoint,
    grant_types_supported: doc.grantTypesSupported,
    token_endpoint_auth_methods_supported: doc.tokenEndpointAuthMethodsSupported,
    id_token_signing_alg_values_supported: doc.idTokenSigningAlgValuesSupported,
    scopes_supported: doc.scopesSupported,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

/** The human lines of a failed discovery: the verdict, the reason, the status. */
export function discoveryFailureLines(doc: DiscoveryDocumentResponse, style: Style): string[] {
  const verdict = doc.errorType === 'policy' ? 'refused by the default DiscoveryPolicy' : 'failed';
  return [
    style.bad(style.bold(`discovery ${verdict}`)),
    ...rows(
      [
        ['why', doc.error],
        ['kind', doc.errorType],
        ['status', doc.httpStatus === undefined ? undefined : String(doc.httpStatus)],
      ],
      style,
    ),
  ];
}

/** The `--json` form of a failed discovery. */
export function discoveryFailureJson(doc: DiscoveryDocumentResponse): Record<string, unknown> {
  return { errorType: doc.errorType, error: doc.error, httpStatus: doc.httpStatus };
}

async function run(context: CommandContext): Promise<CommandResult> {
  const { positionals } = parsingArgs('discover', () =>
    parseArgs({ args: context.args, options: {}, strict: true, allowPositionals: true }),
  );
  const address = onePositional(positionals, 'discover');
  if (address === undefined) throw new UsageError('an issuer is required: identity-model discover <issuer>');
  requireUrl(address, 'the issuer');
  const doc = await discover(context, address);
  const { style } = context;
  if (!doc.isSuccessful) {
    return {
      exitCode: exitCodeOfFailure(doc.errorType, doc.httpStatus),
      json: { command: 'discover', address, accepted: false, ...discoveryFailureJson(doc) },
      human: discoveryFailureLines(doc, style).join('\n'),
    };
  }
  const fields = keyFields(doc);
  const human = [
    style.ok(style.bold('discovery document accepted by the default DiscoveryPolicy')),
    style.dim(`  checked: ${POLICY_SUMMARY}`),
    ...rows(
      Object.entries(fields).map(([name, value]): [string, string | undefined] => [
        name,
        Array.isArray(value) ? list(value as string[]) : String(value),
      ]),
      style,
    ),
  ];
  return {
    exitCode: ExitCode.Ok,
    json: {
      command: 'discover',
      address,
      accepted: true,
      policy: POLICY_SUMMARY,
      document: fields,
      raw: doc.raw,
    },
    human: human.join('\n'),
  };
}

export const discoverCommand: Command = {
  name: 'discover',
  summary: 'fetch an issuer’s discovery document and the policy verdict',
  help: HELP,
  run,
};
