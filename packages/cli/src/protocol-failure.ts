import type { CommandContext, CommandResult } from './context.js';
import { exitCodeOfFailure } from './exit-codes.js';
import { type Row, rows } from './format.js';

/** What every unsuccessful protocol response (token, introspection …) carries. */
export interface ProtocolFailure {
  errorType: string | undefined;
  error: string | undefined;
  errorDescription: string | undefined;
  httpStatus: number | undefined;
}

/**
 * The result of an unsuccessful endpoint response: the provider's OAuth error and status (never the body,
 * which may hold a token), the exit code by what failed, and `json` / `rows` particular to the command.
 */
export function protocolFailureResult(
  context: CommandContext,
  headline: string,
  response: ProtocolFailure,
  extra: { json: Record<string, unknown>; rows?: Row[] },
): CommandResult {
  const { style } = context;
  return {
    exitCode: exitCodeOfFailure(response.errorType, response.httpStatus),
    json: {
      ...extra.json,
      errorType: response.errorType,
      error: response.error,
      error_description: response.errorDescription,
      httpStatus: response.httpStatus,
    },
    human: [
      style.bad(style.bold(`${headline}: ${response.error ?? response.errorType}`)),
      ...rows(
        [
          ['description', response.errorDescription],
          ['status', response.httpStatus === undefined ? undefined : String(response.httpStatus)],
          ...(extra.rows ?? []),
        ],
        style,
      ),
    ].join('\n'),
  };
}
