import { Claim, type ClaimValueType } from './claim.js';
import { ClaimsIdentity, type ClaimsIdentityOptions } from './claims-identity.js';
import { ClaimsPrincipal } from './claims-principal.js';

export interface ToPrincipalOptions extends ClaimsIdentityOptions {
  /** The issuer stamped on every claim. Default: the `iss` claim. */
  issuer?: string;
}

function claimsOf(
  type: string,
  value: unknown,
  issuer: string | undefined,
  out: Claim[],
  nested: boolean,
): void {
  switch (typeof value) {
    case 'string':
      out.push(new Claim(type, value, 'string', issuer));
      return;
    case 'number':
      out.push(new Claim(type, String(value), Number.isInteger(value) ? 'integer' : 'double', issuer));
      return;
    case 'boolean':
      out.push(new Claim(type, String(value), 'boolean', issuer));
      return;
    case 'object':
      if (value === null) return;
      if (Array.isArray(value) && !nested) {
        // An array value becomes one claim per element (`aud: [a, b]` → two `aud` claims).
        for (const item of value) claimsOf(type, item, issuer, out, true);
        return;
      }
      out.push(new Claim(type, JSON.stringify(value), 'json' satisfies ClaimValueType, issuer));
      return;
    default:
      return;
  }
}

/**
 * Claims of a validated token as a `ClaimsPrincipal` with one identity (authentication type `Bearer` unless
 * told otherwise). Array values become several claims; objects become one claim with a JSON value; nulls are
 * dropped.
 */
export function toPrincipal(
  claims: Readonly<Record<string, unknown>>,
  options: ToPrincipalOptions = {},
): ClaimsPrincipal {
  const issuer = options.issuer ?? (typeof claims.iss === 'string' ? claims.iss : undefined);
  const list: Claim[] = [];
  for (const type of Object.keys(claims)) claimsOf(type, claims[type], issuer, list, false);
  return new ClaimsPrincipal(
    new ClaimsIdentity(list, {
      authenticationType: options.authenticationType ?? 'Bearer',
      nameClaimType: options.nameClaimType,
      roleClaimType: options.roleClaimType,
    }),
  );
}
