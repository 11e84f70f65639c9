import { ConfigurationError } from '../errors.js';

/**
 * Request headers that authenticate the sender. A redirect to another origin never carries them: the
 * server that answered 3xx chooses where the next hop goes, and it may be anyone. (`host` is not a
 * credential, but a stale one would address the next origin as the old one.)
 */
export const CREDENTIAL_HEADERS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'dpop',
];

/** RFC 9110 §5.1 field-name token. */
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * The lower-case names to drop on a cross-origin hop: the built-in credentials plus those the caller marks
 * (an API key in `x-api-key`, say). `option` names the setting in the error for a malformed name.
 */
export function crossOriginDroppedHeaders(marked: unknown, option: string): ReadonlySet<string> {
  const names = new Set([...CREDENTIAL_HEADERS, 'host']);
  if (marked === undefined) return names;
  if (!Array.isArray(marked) || marked.length > 100) {
    throw new ConfigurationError(`${option} must be a list of at most 100 header names`);
  }
  marked.forEach((name: unknown, i) => {
    // The entry itself stays out of the message: a header value pasted here by mistake may be a secret.
    if (typeof name !== 'string' || !FIELD_NAME.test(name)) {
      throw new ConfigurationError(`${option}[${i}] is not a valid header name (e.g. "x-api-key")`);
    }
    names.add(name.toLowerCase());
  });
  return names;
}
