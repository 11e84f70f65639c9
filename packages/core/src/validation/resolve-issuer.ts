import { ConfigurationError } from '../errors.js';
import type { Logger } from '../logger.js';
import { issuerFormProblem, trailingSlashMessage, trailingSlashVariant } from './issuer-form.js';

/** Who may issue tokens, as the claim checks use it. */
export interface IssuerRules {
  /** Whether a token's `iss` is one we accept (never throws). */
  issuerAllowed(iss: string): boolean;
  /** Why a refused `iss` was refused: the message of the `issuer_invalid` error. */
  issuerRefusal(iss: unknown): string;
  /** Fixed issuers, when the option was a string or a list. */
  issuers: readonly string[] | undefined;
}

/** The issuer option as given: a fixed list or a predicate (checked, not yet combined with the key source). */
export type IssuerOptionSpec = { list: readonly string[] } | { predicate: (iss: string) => boolean };

const NOT_ACCEPTED = 'issuer not accepted';

function fail(message: string): never {
  throw new ConfigurationError(`createTokenValidator: ${message}`);
}

/** With discovery each issuer is fetched from: it must be a URL no parser would rewrite. */
export function checkDiscoverableIssuers(spec: IssuerOptionSpec): void {
  if (!('list' in spec)) return;
  for (const iss of spec.list) {
    if (!URL.canParse(iss)) {
      fail('issuer must be a URL to discover keys from it; or give jwksUri, keys, secret or keySource');
    }
    const problem = issuerFormProblem(iss);
    if (problem !== undefined) {
      fail(`issuer ${JSON.stringify(iss)} ${problem}: write it exactly as the iss of your tokens`);
    }
  }
}

/**
 * The rules for `iss`. Under discovery a predicate only ever sees an `iss` in normal form (the key set is
 * fetched from it, so what the predicate reads must be what is fetched). A fixed issuer that differs from
 * the token's only by a trailing slash is still refused (comparison is exact) but the error says so, and the
 * log once per validator.
 */
export function issuerRules(spec: IssuerOptionSpec, discovery: boolean, logger: Logger): IssuerRules {
  if ('predicate' in spec) {
    const { predicate } = spec;
    const allowed = (iss: string): boolean => {
      try {
        return predicate(iss) === true;
      } catch {
        return false;
      }
    };
    if (!discovery) return { issuers: undefined, issuerAllowed: allowed, issuerRefusal: () => NOT_ACCEPTED };
    return {
      issuers: undefined,
      issuerAllowed: (iss) => issuerFormProblem(iss) === undefined && allowed(iss),
      issuerRefusal: (iss) => {
        const problem = typeof iss === 'string' ? issuerFormProblem(iss) : undefined;
        return problem === undefined ? NOT_ACCEPTED : `${NOT_ACCEPTED}: iss ${problem}`;
      },
    };
  }
  const set = new Set(spec.list);
  let logged = false;
  return {
    issuers: spec.list,
    issuerAllowed: (iss) => set.has(iss),
    issuerRefusal: (iss) => {
      if (typeof iss !== 'string') return NOT_ACCEPTED;
      const near = spec.list.find((configured) => trailingSlashVariant(configured, iss) !== undefined);
      if (near === undefined) return NOT_ACCEPTED;
      // `iss` equals a configured issuer plus or minus one slash: safe to show, and it is the fix.
      const message = trailingSlashMessage(`token issuer (configured '${near}')`, iss);
      if (!logged) {
        logged = true;
        logger.warn({ configuredIssuer: near, tokenIssuer: iss }, `token validation: ${message}`);
      }
      return message;
    },
  };
}
