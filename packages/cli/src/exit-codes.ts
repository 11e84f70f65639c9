/** The process exit codes, as `--help` and the README document them. */
export const ExitCode = {
  /** The command did what was asked: a document accepted, a token valid or obtained, a token active. */
  Ok: 0,
  /** A refusal: a document refused by policy, an invalid or inactive token, an unsuccessful response. */
  Refused: 1,
  /** The command line is wrong: an unknown option, a missing argument, a secret given on argv. */
  Usage: 2,
  /** The provider could not be reached or is unavailable (network error, timeout, 429, 5xx, 503 answer). */
  Unavailable: 3,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A command line that cannot work. The message says what to change; it never echoes a secret or token. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * The exit code of an unsuccessful protocol response: unreachable or a server-side failure (no status, 429,
 * 5xx) is "unavailable"; anything else the provider decided (4xx, a refused or unreadable answer) is a refusal.
 */
export function exitCodeOfFailure(errorType: string | undefined, httpStatus: number | undefined): ExitCode {
  if (errorType !== 'http') return ExitCode.Refused;
  if (httpStatus === undefined || httpStatus === 429 || httpStatus >= 500) return ExitCode.Unavailable;
  return ExitCode.Refused;
}
