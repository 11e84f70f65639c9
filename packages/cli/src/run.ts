import { readFileSync } from 'node:fs';
import { ConfigurationError, createHttpClient, type HttpClient } from '@identity-model/core';
import { decodeCommand } from './commands/decode.js';
import { discoverCommand } from './commands/discover.js';
import { introspectCommand } from './commands/introspect.js';
import { jwksCommand } from './commands/jwks.js';
import { tokenCommand } from './commands/token.js';
import { validateCommand } from './commands/validate.js';
import type { Command, CommandContext, CommandResult } from './context.js';
import { ExitCode, UsageError } from './exit-codes.js';
import { readBounded } from './input.js';
import { chooseStyle } from './style.js';

/** @internal The commands, in help order (exported for the tests). */
export const COMMANDS: readonly Command[] = [
  discoverCommand,
  jwksCommand,
  decodeCommand,
  validateCommand,
  tokenCommand,
  introspectCommand,
];

/** Default whole-exchange timeout: a person is waiting. `HTTP_TIMEOUT` (seconds) overrides it. */
const DEFAULT_TIMEOUT_MS = 10_000;

/** The exit-code table printed by `--help`. */
export const EXIT_CODES_HELP = `Exit codes:
  0  ok: document accepted, token valid / issued / active, key set usable
  1  refused: policy refusal, invalid or inactive token, unsuccessful response, not a JWT
  2  usage: unknown option, missing argument, bad option value, a secret given on the command line
  3  unavailable: provider unreachable, timed out, 429 or 5xx; validate: keys unavailable (503)`;

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `identity-model <command> [options]

OAuth 2.0 / OpenID Connect from the command line, with the checks of @identity-model/core.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Options for every command:
  --json       one JSON document on stdout (for scripts); human text otherwise
  --help, -h   the command's help
  --version    the version

Human output is coloured when stdout is a terminal; NO_COLOR=1 turns colour off, FORCE_COLOR=1 on.
Network: HTTP_TIMEOUT (seconds, default 10), HTTP_RETRY_COUNT (default 0), HTTPS_PROXY, SSL_CERT_FILE.
Secrets are never read from the command line; tokens may be given as - to read them from stdin.

${EXIT_CODES_HELP}`;
}

function version(): string {
  // src/../package.json and dist/../package.json: the same file, built or not.
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

export interface RunIo {
  env: Readonly<Record<string, string | undefined>>;
  stdin: AsyncIterable<Buffer | string>;
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown };
  now?: () => number;
}

/**
 * No command has short options, so a first argument like `-rAbC…` can only be the token itself (opaque tokens
 * and some JWT-less values are random base64url and may begin with `-`): pass it after `--` so the option
 * parser reads it as the positional it is.
 */
export function dashArgumentLast(args: readonly string[]): string[] {
  const [first, ...others] = args;
  if (first === undefined || !/^-[^-]/.test(first) || others.includes('--')) return [...args];
  return [...others, '--', first];
}

/** The whole CLI: parses `argv` (without node and script), runs the command, prints, returns the exit code. */
export async function run(argv: readonly string[], io: RunIo): Promise<number> {
  const args = [...argv];
  const json = args.includes('--json');
  const rest = args.filter((a) => a !== '--json');
  const style = chooseStyle(io.env, io.stdout.isTTY === true);
  const out = (text: string) => io.stdout.write(`${text}\n`);
  const err = (text: string) => io.stderr.write(`${text}\n`);

  const [name, ...commandArgs] = rest;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out(mainHelp());
    return name === undefined ? ExitCode.Usage : ExitCode.Ok;
  }
  if (name === '--version' || name === '-v') {
    out(version());
    return ExitCode.Ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    err(`identity-model: unknown command ${JSON.stringify(name.slice(0, 40))}; see identity-model --help`);
    return ExitCode.Usage;
  }
  if (commandArgs.includes('--help') || commandArgs.includes('-h')) {
    out(`${command.help}\n\n${EXIT_CODES_HELP}`);
    return ExitCode.Ok;
  }

  let http: HttpClient | undefined;
  let stdinRead = false;
  const context: CommandContext = {
    args: dashArgumentLast(commandArgs),
    env: io.env,
    style,
    json,
    now: io.now ?? Date.now,
    warn: (line) => err(style.warn(line)),
    readStdin: (maxBytes) => {
      if (stdinRead) throw new UsageError('standard input can be read only once');
      stdinRead = true;
      return readBounded(io.stdin, maxBytes);
    },
    http: () => {
      http ??= createHttpClient({
        env: io.env,
        ...(io.env.HTTP_TIMEOUT ? {} : { timeoutMs: DEFAULT_TIMEOUT_MS }),
        // A diagnostic tool shows the first failure; HTTP_RETRY_COUNT asks for the library's retries.
        ...(io.env.HTTP_RETRY_COUNT ? {} : { retryCount: 0 }),
      });
      return http;
    },
  };

  let result: CommandResult;
  try {
    result = await command.run(context);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigurationError) {
      err(`identity-model ${name}: ${error.message}`);
      return ExitCode.Usage;
    }
    // Only the name: an unexpected message could quote anything, a token included.
    err(`identity-model ${name}: unexpected ${error instanceof Error ? error.name : typeof error}`);
    return ExitCode.Refused;
  } finally {
    await http?.close();
  }
  out(json ? JSON.stringify(result.json, null, 2) : result.human);
  return result.exitCode;
}
