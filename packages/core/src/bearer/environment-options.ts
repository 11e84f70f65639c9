import {
  DiscoveryPolicy,
  type DiscoveryPolicyOptions,
  defaultIssuerComparer,
} from '../discovery/discovery-policy.js';
import { ConfigurationError } from '../errors.js';
import type { TokenValidatorOptions } from '../validation/options.js';

/** The variables configuration is read from; `process.env` unless another is given (tests). */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * The variables read, ours first. The second of each pair is express-oauth2-jwt-bearer's name, so its users
 * switch without renaming anything.
 */
export const ENVIRONMENT_VARIABLES = {
  issuer: ['OIDC_ISSUER', 'ISSUER_BASE_URL'],
  audience: ['OIDC_AUDIENCE', 'AUDIENCE'],
} as const;

/** Validator options where `issuer` and `audience` may come from the environment instead. */
export type EnvironmentValidatorOptions = Omit<TokenValidatorOptions, 'issuer' | 'audience'> &
  Partial<Pick<TokenValidatorOptions, 'issuer' | 'audience'>>;

// A variable holds a URL or a short list of identifiers; anything longer is a mistake, not configuration.
const MAX_VALUE_LENGTH = 4096;

/**
 * The accepted issuers from `OIDC_ISSUER` (exactly, as the `issuer` option) or `ISSUER_BASE_URL` (with and
 * without one trailing slash: express-oauth2-jwt-bearer takes `iss` from the discovery document, and Auth0's
 * carries a slash its base URL is usually written without). Undefined when neither is set. Each must be an
 * absolute https URL (http on loopback, or as `policy` allows) without credentials, query or fragment.
 */
export function readEnvironmentIssuer(
  env: Environment = process.env,
  policy?: DiscoveryPolicyOptions,
): readonly string[] | undefined {
  const rules = new DiscoveryPolicy(policy);
  const [primary, alias] = ENVIRONMENT_VARIABLES.issuer;
  const exact = readValue(env, primary);
  const base = readValue(env, alias);
  if (exact !== undefined) checkIssuer(exact, primary, rules);
  if (base !== undefined) {
    checkIssuer(base, alias, rules);
    if (new URL(base).pathname.includes('/.well-known/')) {
      throw new ConfigurationError(`${alias} must be the issuer, not its /.well-known/ discovery URL`);
    }
  }
  if (exact !== undefined && base !== undefined && !defaultIssuerComparer(exact, base))
    differ(primary, alias);
  if (exact !== undefined) return [exact];
  if (base === undefined) return undefined;
  const bare = base.replace(/\/$/, '');
  return [bare, `${bare}/`];
}

/**
 * The accepted audiences from `OIDC_AUDIENCE` or `AUDIENCE`: one or more separated by whitespace (audiences
 * are URIs or identifiers, which never contain whitespace; commas are legal in URIs, so they do not
 * separate). A single value means what express-oauth2-jwt-bearer's `AUDIENCE` means. Undefined when unset.
 */
export function readEnvironmentAudience(env: Environment = process.env): readonly string[] | undefined {
  const [primary, alias] = ENVIRONMENT_VARIABLES.audience;
  const ours = readList(env, primary);
  const theirs = readList(env, alias);
  if (ours !== undefined && theirs !== undefined) {
    const same = ours.length === theirs.length && ours.every((a) => theirs.includes(a));
    if (!same) differ(primary, alias);
  }
  return ours ?? theirs;
}

/**
 * `options` with `issuer` and `audience` taken from the environment where they are not given (explicit
 * options win; a variable whose option is given is not read). Read once, when the authenticator is built.
 * Either still missing is a `ConfigurationError` naming the variables to set.
 */
export function withEnvironmentOptions(
  options: EnvironmentValidatorOptions,
  env: Environment = process.env,
): TokenValidatorOptions {
  const issuer = options.issuer ?? readEnvironmentIssuer(env, options.discovery?.policy);
  if (issuer === undefined) {
    throw new ConfigurationError(
      `issuer is required: set ${ENVIRONMENT_VARIABLES.issuer.join(' or ')} to the issuer URL your tokens carry in \`iss\`, or pass \`issuer\``,
    );
  }
  const audience = options.audience ?? readEnvironmentAudience(env);
  if (audience === undefined) {
    throw new ConfigurationError(
      `audience is required: set ${ENVIRONMENT_VARIABLES.audience.join(' or ')} to this API's identifier as tokens carry it in \`aud\`, or pass \`audience\``,
    );
  }
  return { ...options, issuer, audience };
}

/**
 * The trimmed value, or undefined when unset or blank: `VAR=` is how shells, Compose and Kubernetes clear a
 * variable, and express-oauth2-jwt-bearer ignores an empty one too. Unset is never permissive: it ends in
 * the alias or in a ConfigurationError. Trimming drops the newline a mounted secret file often ends with.
 * Messages name the variable, never its value (a URL may carry credentials).
 */
function readValue(env: Environment, name: string): string | undefined {
  const raw: unknown = env[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') throw new ConfigurationError(`${name} must be a string`);
  if (raw.length > MAX_VALUE_LENGTH) {
    throw new ConfigurationError(`${name} is longer than ${MAX_VALUE_LENGTH} characters`);
  }
  const value = raw.trim();
  return value === '' ? undefined : value;
}

function readList(env: Environment, name: string): readonly string[] | undefined {
  const value = readValue(env, name);
  return value === undefined ? undefined : [...new Set(value.split(/\s+/))];
}

function checkIssuer(value: string, name: string, rules: DiscoveryPolicy): void {
  if (/\s/.test(value)) throw new ConfigurationError(`${name} must be one issuer URL, without whitespace`);
  if (!URL.canParse(value)) {
    throw new ConfigurationError(`${name} must be an absolute URL such as https://login.example.com/`);
  }
  const url = new URL(value);
  const scheme = rules.schemeViolation(url);
  if (scheme !== undefined) {
    throw new ConfigurationError(`${name}: ${scheme} (http is accepted on loopback hosts only)`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new ConfigurationError(`${name} must not contain a user name or password`);
  }
  if (/[?#]/.test(value)) throw new ConfigurationError(`${name} must not have a query or fragment`);
}

function differ(primary: string, alias: string): never {
  throw new ConfigurationError(`${primary} and ${alias} are both set and differ: set only one of them`);
}
