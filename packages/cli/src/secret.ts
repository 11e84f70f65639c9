import { UsageError } from './exit-codes.js';
import { MAX_TOKEN_LENGTH } from './input.js';

export const DEFAULT_SECRET_VARIABLE = 'IDENTITY_MODEL_CLIENT_SECRET';
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const SECRET_ON_ARGV_REFUSED =
  '--client-secret is refused: a secret on the command line is readable by every user of this machine ' +
  '(ps, /proc/<pid>/cmdline) and stays in your shell history. Put it in IDENTITY_MODEL_CLIENT_SECRET, ' +
  'name another variable with --client-secret-env NAME, or pipe it in with --client-secret-stdin.';

export interface SecretOptions {
  'client-secret-env'?: string | undefined;
  'client-secret-stdin'?: boolean | undefined;
  'client-secret'?: string | undefined;
  'auth-method'?: string | undefined;
}

/** The option definitions every command taking a client secret shares (for node:util parseArgs). */
export const SECRET_PARSE_OPTIONS = {
  'client-id': { type: 'string' },
  'client-secret-env': { type: 'string' },
  'client-secret-stdin': { type: 'boolean' },
  // Declared only to refuse it with the reason (see SECRET_ON_ARGV_REFUSED), never read.
  'client-secret': { type: 'string' },
  'auth-method': { type: 'string' },
} as const;

export const SECRET_HELP = `Client authentication:
  --client-id ID              the client (required)
  --auth-method METHOD        client_secret_basic (default), client_secret_post, client_secret_jwt, none
  The secret is read from the environment variable IDENTITY_MODEL_CLIENT_SECRET, or
  --client-secret-env NAME    from the variable NAME instead
  --client-secret-stdin       from standard input (one line)
  A --client-secret argument is refused: argv is visible to every user (ps) and kept in shell history.`;

const METHODS = new Set(['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'none']);

export type SecretAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'client_secret_jwt' | 'none';

/**
 * The client's secret and authentication method, from the environment or standard input only. Messages name
 * the variable or option, never the value.
 */
export async function readClientSecret(
  options: SecretOptions,
  env: Readonly<Record<string, string | undefined>>,
  readStdin: (maxBytes: number) => Promise<string>,
): Promise<{ method: SecretAuthMethod; secret: string | undefined }> {
  if (options['client-secret'] !== undefined) throw new UsageError(SECRET_ON_ARGV_REFUSED);
  const method = options['auth-method'] ?? 'client_secret_basic';
  if (!METHODS.has(method)) {
    throw new UsageError(`--auth-method must be one of ${[...METHODS].join(', ')}`);
  }
  const fromStdin = options['client-secret-stdin'] === true;
  const variable = options['client-secret-env'];
  if (method === 'none') {
    if (fromStdin || variable !== undefined)
      throw new UsageError('--auth-method none takes no client secret');
    return { method, secret: undefined };
  }
  if (fromStdin && variable !== undefined) {
    throw new UsageError('give either --client-secret-env or --client-secret-stdin, not both');
  }
  let secret: string | undefined;
  if (fromStdin) {
    // One line: a trailing newline from `echo` or a file is not part of the secret.
    secret = (await readStdin(MAX_TOKEN_LENGTH)).replace(/\r?\n$/, '');
    if (secret === '') throw new UsageError('--client-secret-stdin: standard input held no secret');
  } else {
    const name = variable ?? DEFAULT_SECRET_VARIABLE;
    if (!VARIABLE_NAME.test(name))
      throw new UsageError('--client-secret-env: not an environment variable name');
    secret = env[name];
    if (secret === undefined || secret === '') {
      throw new UsageError(
        `no client secret: the environment variable ${name} is not set` +
          (variable === undefined
            ? ' (or name another with --client-secret-env, or use --client-secret-stdin)'
            : ''),
      );
    }
  }
  return { method: method as SecretAuthMethod, secret };
}
