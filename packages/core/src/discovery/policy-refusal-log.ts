import type { Logger } from '../logger.js';

/** Refusals remembered per logger; past this the oldest is forgotten (and may be logged once more). */
const MAX_REMEMBERED = 256;

/**
 * The policy refusals already logged at error level, per logger. A refusal is a configuration problem that
 * no retry heals: it deserves one clear line per address, not a line per retry — even when the cache that
 * met it is rebuilt (a validator drops and recreates the key source of an issuer that keeps failing).
 */
const logged = new WeakMap<Logger, Map<string, string>>();

/**
 * Logs a policy refusal of `address` at error level the first time this logger sees it (the message names
 * the option to set), at debug level after that.
 */
export function logPolicyRefusal(logger: Logger, address: string, error: string | undefined): void {
  let seen = logged.get(logger);
  if (seen === undefined) {
    seen = new Map();
    logged.set(logger, seen);
  }
  const entry = { address, errorType: 'policy', error };
  if (seen.get(address) === (error ?? '')) {
    logger.debug(entry, 'discovery document still refused by policy');
    return;
  }
  if (seen.size >= MAX_REMEMBERED && !seen.has(address)) seen.delete(seen.keys().next().value!);
  seen.set(address, error ?? '');
  logger.error(
    entry,
    'discovery document refused by policy: a configuration problem that retrying will not fix (the error names the option to set)',
  );
}

/** The address is healthy again: a later refusal is news and is logged at error level. */
export function forgetPolicyRefusal(logger: Logger, address: string): void {
  logged.get(logger)?.delete(address);
}
