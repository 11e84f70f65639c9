import type { Claim, ClaimMatch } from './claim.js';
import type { ClaimsIdentity } from './claims-identity.js';

/** The caller: one or more identities (usually one, from the access token). */
export class ClaimsPrincipal {
  readonly identities: readonly ClaimsIdentity[];

  constructor(identities: ClaimsIdentity | readonly ClaimsIdentity[]) {
    this.identities = Object.freeze(
      Array.isArray(identities) ? [...identities] : [identities as ClaimsIdentity],
    );
  }

  /** The first identity. */
  get identity(): ClaimsIdentity | undefined {
    return this.identities[0];
  }

  /** Every claim of every identity. */
  get claims(): readonly Claim[] {
    return this.identities.length === 1
      ? this.identities[0]!.claims
      : this.identities.flatMap((i) => i.claims);
  }

  get isAuthenticated(): boolean {
    return this.identities.some((i) => i.isAuthenticated);
  }

  get name(): string | undefined {
    return this.identity?.name;
  }

  hasClaim(match: ClaimMatch, value?: string): boolean {
    return this.identities.some((i) => i.hasClaim(match, value));
  }

  findFirst(match: ClaimMatch): Claim | undefined {
    for (const identity of this.identities) {
      const found = identity.findFirst(match);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  findAll(match: ClaimMatch): Claim[] {
    return this.identities.flatMap((i) => i.findAll(match));
  }

  isInRole(role: string): boolean {
    return this.identities.some((i) => i.isInRole(role));
  }

  /** Whether the space-delimited `scope` claim(s) or `scp` grant this scope. */
  hasScope(scope: string): boolean {
    return this.hasClaim(
      (c) => (c.type === 'scope' || c.type === 'scp') && c.value.split(' ').includes(scope),
    );
  }

  /** Whether a `permissions` claim (Auth0 RBAC) grants this permission. */
  hasPermission(permission: string): boolean {
    return this.hasClaim('permissions', permission);
  }
}
