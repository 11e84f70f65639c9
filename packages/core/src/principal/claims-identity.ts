import { type Claim, type ClaimMatch, claimMatcher } from './claim.js';

export interface ClaimsIdentityOptions {
  /** How the identity was authenticated (e.g. `Bearer`); an identity without one is anonymous. */
  authenticationType?: string;
  /** The claim `name` reads. Default `name`. */
  nameClaimType?: string;
  /** The claim `isInRole` reads. Default `role`. */
  roleClaimType?: string;
}

/** A set of claims from one source (one token). */
export class ClaimsIdentity {
  readonly claims: readonly Claim[];
  readonly authenticationType: string | undefined;
  readonly nameClaimType: string;
  readonly roleClaimType: string;

  constructor(claims: Iterable<Claim> = [], options: ClaimsIdentityOptions = {}) {
    this.claims = Object.freeze([...claims]);
    this.authenticationType = options.authenticationType;
    this.nameClaimType = options.nameClaimType ?? 'name';
    this.roleClaimType = options.roleClaimType ?? 'role';
  }

  get isAuthenticated(): boolean {
    return this.authenticationType !== undefined && this.authenticationType !== '';
  }

  get name(): string | undefined {
    return this.findFirst(this.nameClaimType)?.value;
  }

  /** Whether a claim of this type (and value, when given) exists, or one matches the predicate. */
  hasClaim(match: ClaimMatch, value?: string): boolean {
    return this.claims.some(claimMatcher(match, value));
  }

  findFirst(match: ClaimMatch): Claim | undefined {
    return this.claims.find(claimMatcher(match));
  }

  findAll(match: ClaimMatch): Claim[] {
    return this.claims.filter(claimMatcher(match));
  }

  isInRole(role: string): boolean {
    return this.hasClaim(this.roleClaimType, role);
  }
}
