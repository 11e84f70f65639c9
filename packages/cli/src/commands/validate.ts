import { parseArgs } from 'node:util';
import {
  type BearerAuthenticator,
  BearerError,
  createBearerAuthenticator,
  DEFAULT_CLOCK_TOLERANCE,
  requireScopes,
  TokenValidationError,
  type ValidatedToken,
} from '@identity-model/core';
import { onePositional, parsingArgs, requireOption, requireUrl, scopeList } from '../args.js';
import type { Command, CommandContext, CommandResult } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { inline, rows } from '../format.js';
import { readTokenArgument } from '../input.js';
import { decodeJwt, NotAJwtError } from '../jwt.js';
import { timeLines, timesJson } from './decode.js';

const HELP = `identity-model validate <token|-> --issuer URL --audience AUD [--scope S ...] [--jwks-uri URL]

Validates an access token exactly as the Express, Fastify and Koa adapters do (discovery, JWKS, signature,
iss, aud, exp/nbf/iat, typ, then the scopes), and prints the verdict, the reason code
(TokenValidationError.code, e.g. token_expired) and the answer an adapter would send: status,
WWW-Authenticate and body.

  <token>           the token; - reads it from standard input
  --issuer URL      the accepted iss (required); its discovery document locates the keys
  --audience AUD    the accepted aud (required)
  --scope S         a scope the route requires (repeat, or space-separated); missing → 403
  --jwks-uri URL    take the keys from this JWK Set instead of discovery
  --json            one JSON document on stdout

Exit: 0 valid, 1 refused (401/400/403), 2 usage, 3 keys unavailable (the adapter would answer 503).`;

const OPTIONS = {
  issuer: { type: 'string' },
  audience: { type: 'string' },
  scope: { type: 'string', multiple: true },
  'jwks-uri': { type: 'string' },
} as const;

function build(context: CommandContext, issuer: string, audience: string, jwksUri: string | undefined) {
  // \`{}\` as the environment: only what the command line says, never OIDC_ISSUER from the shell. Bad options
  // throw ConfigurationError, which the runner reports as a usage error.
  return createBearerAuthenticator(
    { issuer, audience, cache: false, httpClient: context.http(), ...(jwksUri ? { jwksUri } : {}) },
    {},
  );
}

function passed(context: CommandContext, auth: ValidatedToken, scopes: string[]): CommandResult {
  const { style } = context;
  const now = context.now();
  const claims = auth.claims as Record<string, unknown>;
  return {
    exitCode: ExitCode.Ok,
    json: {
      command: 'validate',
      valid: true,
      header: auth.header,
      claims,
      scopes: auth.scopes,
      requiredScopes: scopes,
      times: timesJson(claims, now),
      answer: { passes: true },
    },
    human: [
      style.ok(style.bold('valid')),
      ...rows(
        [
          ['sub', claims.sub === undefined ? undefined : inline(claims.sub)],
          ['client_id', claims.client_id === undefined ? undefined : inline(claims.client_id)],
          ['aud', inline(claims.aud)],
          ['scopes', auth.scopes.join(' ') || '(none)'],
          ['alg / kid', `${auth.header.alg} / ${auth.header.kid ?? '(none)'}`],
        ],
        style,
      ),
      ...timeLines(claims, now, style),
      ...toleranceNote(claims, now, style),
      style.dim(
        'an adapter passes the request on, with the token as req.auth / request.auth / ctx.state.auth',
      ),
    ].join('\n'),
  };
}

/** An accepted token past its `exp` passed only by the clock tolerance: say so, or "valid" misleads. */
function toleranceNote(
  claims: Record<string, unknown>,
  nowMs: number,
  style: CommandContext['style'],
): string[] {
  const { exp } = claims;
  if (typeof exp !== 'number' || exp * 1000 > nowMs) return [];
  return [
    style.warn(
      `accepted within the clock tolerance: it expired ${Math.round(nowMs / 1000 - exp)} s ago; an API with the default clockTolerance (${DEFAULT_CLOCK_TOLERANCE} s) refuses it ${DEFAULT_CLOCK_TOLERANCE} s after exp`,
    ),
  ];
}

/** The token's times as it claims them, to make an expiry or clock-skew refusal plain; nothing if unreadable. */
function unverifiedTimes(context: CommandContext, token: string): string[] {
  try {
    const decoded = decodeJwt(token);
    if (decoded.kind !== 'jws') return [];
    const lines = timeLines(decoded.claims, context.now(), context.style, '    ');
    return lines.length > 0 ? [context.style.dim('  times, as the token claims them:'), ...lines] : [];
  } catch (error) {
    if (error instanceof NotAJwtError) return [];
    throw error;
  }
}

function refused(context: CommandContext, error: BearerError, token: string): CommandResult {
  const { style } = context;
  const cause = error.cause instanceof TokenValidationError ? error.cause : undefined;
  // The reason code: the validator's when it decided, else the bearer layer's (a guard, a malformed header).
  const code = cause?.code ?? error.code;
  const answer = error.toResponse();
  const exitCode = error.code === 'keys_unavailable' ? ExitCode.Unavailable : ExitCode.Refused;
  const headerRows = Object.entries(answer.headers).map(([k, v]): [string, string] => [k, v]);
  return {
    exitCode,
    json: { command: 'validate', valid: false, code, reason: cause?.message ?? error.description, answer },
    human: [
      style.bad(style.bold(`refused: ${code}`)),
      ...rows([['why', cause?.message ?? error.description]], style),
      ...unverifiedTimes(context, token),
      style.bold(`an adapter answers ${answer.status}`),
      ...rows([...headerRows, ['body', JSON.stringify(answer.body)]], style),
    ].join('\n'),
  };
}

async function run(context: CommandContext): Promise<CommandResult> {
  const { values, positionals } = parsingArgs('validate', () =>
    parseArgs({ args: context.args, options: OPTIONS, strict: true, allowPositionals: true }),
  );
  const issuer = requireUrl(requireOption(values.issuer, 'issuer', 'validate'), '--issuer');
  const audience = requireOption(values.audience, 'audience', 'validate');
  const jwksUri = values['jwks-uri'] === undefined ? undefined : requireUrl(values['jwks-uri'], '--jwks-uri');
  const scopes = scopeList(values.scope);
  const token = await readTokenArgument(
    onePositional(positionals, 'validate'),
    context.readStdin,
    'identity-model validate <token|-> --issuer URL --audience AUD',
  );
  const guard = scopes.length > 0 ? requireScopes(...scopes) : undefined;
  const authenticator: BearerAuthenticator = build(context, issuer, audience, jwksUri);
  // The request an adapter would see: the token in the Authorization header.
  const request = { method: 'GET', headers: { authorization: `Bearer ${token}` } };
  try {
    const auth = guard
      ? await authenticator.authorize(guard, request, undefined)
      : await authenticator.authenticate(request);
    return passed(context, auth!, scopes);
  } catch (error) {
    if (error instanceof BearerError) return refused(context, error, token);
    throw error;
  } finally {
    await authenticator.close();
  }
}

export const validateCommand: Command = {
  name: 'validate',
  summary: 'validate an access token: the verdict, the reason code, the adapter’s answer',
  help: HELP,
  run,
};
