import { parseArgs } from 'node:util';
import {
  ClientCredentialsTokenRequest,
  requestClientCredentialsToken,
  type TokenResponse,
} from '@identity-model/core';
import { parsingArgs, requireOption, requireUrl, scopeList } from '../args.js';
import type { Command, CommandContext, CommandResult } from '../context.js';
import { ExitCode, exitCodeOfFailure, UsageError } from '../exit-codes.js';
import { rows } from '../format.js';
import { maskToken } from '../input.js';
import { protocolFailureResult } from '../protocol-failure.js';
import { readClientSecret, SECRET_HELP, SECRET_PARSE_OPTIONS } from '../secret.js';
import { discover, discoveryFailureJson, discoveryFailureLines } from './discover.js';

const HELP = `identity-model token --issuer URL --client-id ID [--scope S ...] [--resource URI ...]

Asks the token endpoint for a client-credentials token (RFC 6749 §4.4), the endpoint read from the
issuer's discovery document (or given with --token-endpoint).

  --issuer URL           the issuer (its discovery document names the token endpoint)
  --token-endpoint URL   the token endpoint itself, instead of --issuer
  --scope S              scopes to ask for (repeat, or space-separated)
  --resource URI         RFC 8707 resource indicator (repeat for several)
  --raw                  print only the access token (for TOKEN=$(identity-model token ... --raw))
  --json                 one JSON document on stdout: the token response, access_token included

${SECRET_HELP}

The access token is masked in the human output (a terminal's scrollback and screen shares outlive it);
--raw and --json print it, because asking for them is asking for the token.

Exit: 0 token issued, 1 refused (invalid_client, invalid_scope …), 2 usage, 3 provider unreachable or failing.`;

const OPTIONS = {
  issuer: { type: 'string' },
  'token-endpoint': { type: 'string' },
  scope: { type: 'string', multiple: true },
  resource: { type: 'string', multiple: true },
  raw: { type: 'boolean' },
  ...SECRET_PARSE_OPTIONS,
} as const;

/** The members of a token response worth showing (the tokens themselves left to the caller). */
function summary(response: TokenResponse): Record<string, unknown> {
  const fields = {
    token_type: response.tokenType,
    expires_in: response.expiresIn,
    scope: response.scope,
    issued_token_type: response.issuedTokenType,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

async function run(context: CommandContext): Promise<CommandResult> {
  const { values, positionals } = parsingArgs('token', () =>
    parseArgs({ args: context.args, options: OPTIONS, strict: true, allowPositionals: true }),
  );
  if (positionals.length > 0) throw new UsageError('identity-model token takes no arguments, only options');
  if ((values.issuer === undefined) === (values['token-endpoint'] === undefined)) {
    throw new UsageError('give --issuer or --token-endpoint (exactly one)');
  }
  const clientId = requireOption(values['client-id'], 'client-id', 'token');
  const { method, secret } = await readClientSecret(values, context.env, context.readStdin);
  const { style } = context;

  let address = values['token-endpoint'];
  if (address === undefined) {
    const issuer = requireUrl(values.issuer!, '--issuer');
    const doc = await discover(context, issuer);
    if (!doc.isSuccessful || doc.tokenEndpoint === undefined) {
      return {
        exitCode: doc.isSuccessful ? ExitCode.Refused : exitCodeOfFailure(doc.errorType, doc.httpStatus),
        json: { command: 'token', issued: false, discovery: discoveryFailureJson(doc) },
        human: doc.isSuccessful
          ? style.bad('the discovery document names no token_endpoint')
          : discoveryFailureLines(doc, style).join('\n'),
      };
    }
    address = doc.tokenEndpoint;
  }
  requireUrl(address, 'the token endpoint');
  const scope = scopeList(values.scope);
  const request = new ClientCredentialsTokenRequest({
    address,
    clientId,
    clientAuthentication: method,
    ...(secret === undefined ? {} : { clientSecret: secret }),
    ...(scope.length > 0 ? { scope } : {}),
    ...(values.resource ? { resource: values.resource } : {}),
  });
  const response = await requestClientCredentialsToken(request, context.http());

  if (!response.isSuccessful || response.accessToken === undefined) {
    return protocolFailureResult(context, 'token request refused', response, {
      json: { command: 'token', issued: false, tokenEndpoint: address },
      rows: [['endpoint', address]],
    });
  }
  const token = response.accessToken;
  const fields = summary(response);
  return {
    exitCode: ExitCode.Ok,
    json: { command: 'token', issued: true, tokenEndpoint: address, access_token: token, ...fields },
    human: values.raw
      ? token
      : [
          style.ok(style.bold('token issued')),
          ...rows(
            [
              ['access_token', maskToken(token)],
              ...Object.entries(fields).map(([k, v]): [string, string] => [k, String(v)]),
              ['endpoint', address],
            ],
            style,
          ),
        ].join('\n'),
  };
}

export const tokenCommand: Command = {
  name: 'token',
  summary: 'get a client-credentials token (secret from the environment or stdin)',
  help: HELP,
  run,
};
