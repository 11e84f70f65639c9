import { parseArgs } from 'node:util';
import { onePositional, parsingArgs } from '../args.js';
import type { Command, CommandContext, CommandResult } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { inline, rows } from '../format.js';
import { readTokenArgument } from '../input.js';
import { decodeJwt, NotAJwtError } from '../jwt.js';
import type { Style } from '../style.js';
import { type HumanTime, TIME_CLAIMS, timeClaims } from '../time.js';

const HELP = `identity-model decode <token|->

Shows a JWT's header and claims, with iat, nbf, exp and auth_time as dates and as time from now
("expires in 4 min", "expired 2 h ago"). NEVER VERIFIES: the signature is not checked and anyone can
write these claims; use identity-model validate for a verdict.

  <token>      the token; - reads it from standard input (keeps it out of shell history and ps)
  --json       one JSON document on stdout

Exit: 0 decoded (whatever its times say), 1 not a readable JWT, 2 usage.`;

export const NOT_VERIFIED = 'NOT VERIFIED: decoded only; the signature and claims were not checked';

/** The time claims of a token, as human lines (shared with `validate`). */
export function timeLines(
  claims: Record<string, unknown>,
  nowMs: number,
  style: Style,
  indent = '  ',
): string[] {
  return rows(
    timeClaims(claims, nowMs).map(([name, time]): [string, string] => [
      name,
      typeof time === 'string'
        ? style.bad(time)
        : `${time.iso}  ${name === 'exp' && time.secondsFromNow <= 0 ? style.bad(time.relative) : time.relative}`,
    ]),
    style,
    indent,
  );
}

/** The time claims of a token for `--json`. */
export function timesJson(
  claims: Record<string, unknown>,
  nowMs: number,
): Record<string, HumanTime | string> {
  return Object.fromEntries(timeClaims(claims, nowMs));
}

async function run(context: CommandContext): Promise<CommandResult> {
  const { positionals } = parsingArgs('decode', () =>
    parseArgs({ args: context.args, options: {}, strict: true, allowPositionals: true }),
  );
  const token = await readTokenArgument(
    onePositional(positionals, 'decode'),
    context.readStdin,
    'identity-model decode <token|->',
  );
  const { style } = context;
  let decoded: ReturnType<typeof decodeJwt>;
  try {
    decoded = decodeJwt(token);
  } catch (error) {
    if (!(error instanceof NotAJwtError)) throw error;
    return {
      exitCode: ExitCode.Refused,
      json: { command: 'decode', verified: false, decoded: false, error: error.message },
      human: style.bad(`not a readable JWT: ${error.message}`),
    };
  }
  const now = context.now();
  const header = rows(
    Object.entries(decoded.header).map(([k, v]): [string, string] => [k, inline(v)]),
    style,
  );
  if (decoded.kind === 'jwe') {
    return {
      exitCode: ExitCode.Ok,
      json: { command: 'decode', verified: false, decoded: true, encrypted: true, header: decoded.header },
      human: [style.warn(NOT_VERIFIED), style.bold('header (JWE: the claims are encrypted)'), ...header].join(
        '\n',
      ),
    };
  }
  const { claims } = decoded;
  const others = Object.entries(claims).filter(([k]) => !(TIME_CLAIMS as readonly string[]).includes(k));
  const exp = claims.exp;
  const expired = typeof exp === 'number' ? exp * 1000 <= now : undefined;
  const human = [
    style.warn(style.bold(NOT_VERIFIED)),
    style.bold('header'),
    ...header,
    style.bold('claims'),
    ...rows(
      others.map(([k, v]): [string, string] => [k, inline(v)]),
      style,
    ),
    style.bold('times'),
    ...timeLines(claims, now, style),
  ];
  if (exp === undefined) human.push(style.warn('  no exp: this token never expires'));
  return {
    exitCode: ExitCode.Ok,
    json: {
      command: 'decode',
      verified: false,
      decoded: true,
      header: decoded.header,
      claims,
      times: timesJson(claims, now),
      ...(expired === undefined ? {} : { expired }),
    },
    human: human.join('\n'),
  };
}

export const decodeCommand: Command = {
  name: 'decode',
  summary: 'show a JWT’s header, claims and times (never verifies)',
  help: HELP,
  run,
};
