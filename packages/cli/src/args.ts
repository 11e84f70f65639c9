import { UsageError } from './exit-codes.js';

/**
 * Runs node:util parseArgs (call it strict, with positionals) and turns its errors into \`UsageError\`s. Its
 * messages name the option, never its value, so a mistyped \`--client-secrt=…\` does not print the secret.
 */
export function parsingArgs<T>(command: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    const message = error instanceof Error ? error.message.split('. To specify')[0] : String(error);
    throw new UsageError(`${message} (see identity-model ${command} --help)`);
  }
}

/** A required string option, or a usage error naming it. */
export function requireOption(value: string | undefined, name: string, command: string): string {
  if (value === undefined || value === '') {
    throw new UsageError(`--${name} is required (see identity-model ${command} --help)`);
  }
  return value;
}

/** An absolute http(s) URL given on the command line. */
export function requireUrl(value: string, what: string): string {
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    throw new UsageError(`${what} must be an absolute http(s) URL`);
  }
  return value;
}

/** At most `max` positionals; the first, if any. */
export function onePositional(positionals: string[], command: string): string | undefined {
  if (positionals.length > 1) {
    throw new UsageError(`identity-model ${command} takes one argument, got ${positionals.length}`);
  }
  return positionals[0];
}

/** `--scope a --scope "b c"` → `['a', 'b', 'c']`. */
export function scopeList(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(' ')).filter(Boolean);
}
