import { parseArgs } from 'node:util';
import { introspectToken, TokenIntrospectionRequest } from '@identity-model/core';
import { onePositional, parsingArgs, requireOption, requireUrl } from '../args.js';
import type { Command, CommandContext, CommandResult } from '../context.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { inline, rows } from '../format.js';
import { readTokenArgument } from '../input.js';
import { protocolFailureResult } from '../protocol-failure.js';
import { readClientSecret, SECRET_HELP, SECRET_PARSE_OPTIONS } from '../secret.js';
import { TIME_CLAIMS } from '../time.js';
import { timeLines, timesJson } from './decode.js';

const HELP = `identity-model introspect <token|-> (--issuer URL | --address URL) --client-id ID

Asks the authorization server whether a token is active (RFC 7662), as the introspection validator does,
and shows what it answered: active or not, and the token's members (scope, client_id, sub, exp …).

  <token>            the token; - reads it from standard input
  --issuer URL       the issuer (its discovery document names the introspection endpoint)
  --address URL      the introspection endpoint itself, instead of --issuer
  --token-type-hint  access_token (default: none sent) or refresh_token
  --json             one JSON document on stdout

${SECRET_HELP}
(--client-secret-stdin cannot be combined with a token read from standard input.)

Exit: 0 active, 1 inactive or refused, 2 usage, 3 provider unreachable or failing.`;

const OPTIONS = {
  issuer: { type: 'string' },
  address: { type: 'string' },
  'token-type-hint': { type: 'string' },
  ...SECRET_PARSE_OPTIONS,
} as const;

async function run(context: CommandContext): Promise<CommandResult> {
  const { values, positionals } = parsingArgs('introspect', () =>
    parseArgs({ args: context.args, options: OPTIONS, strict: true, allowPositionals: true }),
  );
  if ((values.issuer === undefined) === (values.address === undefined)) {
    throw new UsageError('give --issuer or --address (exactly one)');
  }
  const argument = onePositional(positionals, 'introspect');
  if (argument === '-' && values['client-secret-stdin']) {
    throw new UsageError('standard input can carry the token or the secret, not both');
  }
  const clientId = requireOption(values['client-id'], 'client-id', 'introspect');
  const { method, secret } = await readClientSecret(values, context.env, context.readStdin);
  const token = await readTokenArgument(argument, context.readStdin, 'identity-model introspect <token|->');
  const location =
    values.address !== undefined
      ? { address: requireUrl(values.address, '--address') }
      : { authority: requireUrl(values.issuer!, '--issuer') };
  const request = new TokenIntrospectionRequest({
    ...location,
    token,
    clientId,
    clientAuthentication: method,
    ...(secret === undefined ? {} : { clientSecret: secret }),
    ...(values['token-type-hint'] ? { tokenTypeHint: values['token-type-hint'] } : {}),
  });
  const response = await introspectToken(request, context.http());
  const { style } = context;

  if (!response.isSuccessful) {
    return protocolFailureResult(context, 'introspection failed', response, {
      json: { command: 'introspect', ok: false },
    });
  }
  const claims = { ...response.claims } as Record<string, unknown>;
  const now = context.now();
  const members = Object.entries(claims).filter(
    ([k]) => k !== 'active' && !(TIME_CLAIMS as readonly string[]).includes(k),
  );
  return {
    exitCode: response.isActive ? ExitCode.Ok : ExitCode.Refused,
    json: {
      command: 'introspect',
      ok: true,
      active: response.isActive,
      claims,
      times: timesJson(claims, now),
    },
    human: [
      response.isActive ? style.ok(style.bold('active')) : style.bad(style.bold('inactive')),
      ...rows(
        members.map(([k, v]): [string, string] => [k, inline(v)]),
        style,
      ),
      ...timeLines(claims, now, style),
    ].join('\n'),
  };
}

export const introspectCommand: Command = {
  name: 'introspect',
  summary: 'ask the authorization server whether a token is active (RFC 7662)',
  help: HELP,
  run,
};
