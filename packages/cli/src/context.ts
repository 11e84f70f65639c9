import type { HttpClient } from '@identity-model/core';
import type { Style } from './style.js';

/** Everything a command reads from its surroundings, passed in so that nothing else reaches for globals. */
export interface CommandContext {
  /** The command's own arguments (after its name). */
  args: string[];
  env: Readonly<Record<string, string | undefined>>;
  /** Reads all of standard input, bounded; called at most once. */
  readStdin(maxBytes: number): Promise<string>;
  /** The HTTP client for this run (closed by the runner). */
  http(): HttpClient;
  now(): number;
  style: Style;
  /** `--json`: one JSON document on stdout instead of human text. */
  json: boolean;
  /** Extra lines on stderr (warnings), never part of the JSON document. */
  warn(line: string): void;
}

/** What a command produces: the exit code and both forms of its answer; the runner prints one. */
export interface CommandResult {
  exitCode: number;
  /** The `--json` document. */
  json: Record<string, unknown>;
  /** The human text (already styled), without a trailing newline. */
  human: string;
}

export interface Command {
  name: string;
  summary: string;
  /** The full `--help` text of the command. */
  help: string;
  run(context: CommandContext): Promise<CommandResult>;
}
