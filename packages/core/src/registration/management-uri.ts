import { isLoopbackHost } from '../discovery/discovery-policy.js';
import { ConfigurationError } from '../errors.js';

/**
 * Why a URL may not receive a registration access token, or undefined when it may: it must be absolute https
 * (http only on a loopback host), carry no credentials, and sit on one of the `trusted` origins. A server
 * answers with the `registration_client_uri` we then send the token to: without the origin check, a server
 * (or whoever can alter its answer) could have the token sent anywhere.
 */
export function managementUriProblem(value: unknown, trusted?: ReadonlySet<string>): string | undefined {
  if (typeof value !== 'string' || !URL.canParse(value)) return 'is not an absolute URL';
  const url = new URL(value);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    return 'must be https (http only on a loopback host)';
  }
  if (url.username || url.password) return 'must not carry credentials';
  if (trusted !== undefined && !trusted.has(url.origin)) {
    return `is on ${url.origin}, not the origin of the registration endpoint; list it in allowedManagementOrigins to trust it`;
  }
  return undefined;
}

/** Caller-given origins that may serve `registration_client_uri`, as origins (`https://host:port`). */
export function allowedOrigins(values: readonly string[] | undefined, option: string): ReadonlySet<string> {
  if (values === undefined) return new Set();
  if (!Array.isArray(values)) throw new ConfigurationError(`${option}: must be a list of origins`);
  return new Set(
    values.map((value) => {
      const problem = managementUriProblem(value);
      if (problem !== undefined) throw new ConfigurationError(`${option}: an entry ${problem}`);
      return new URL(value).origin;
    }),
  );
}

/** The management URL a caller gives, validated: the origins trusted in answers are its own plus `allowed`. */
export function managementUri(
  value: string | URL,
  allowed: ReadonlySet<string>,
): { uri: string; trusted: ReadonlySet<string> } {
  const text = value instanceof URL ? value.href : value;
  const problem = managementUriProblem(text);
  if (problem !== undefined) throw new ConfigurationError(`registrationClientUri: ${problem}`);
  const url = new URL(text);
  return { uri: url.href, trusted: new Set([url.origin, ...allowed]) };
}
