/** The JSON type a claim value came from (named after the .NET `ClaimValueTypes` it mirrors). */
export type ClaimValueType = 'string' | 'integer' | 'double' | 'boolean' | 'json';

/** One statement about the subject: a type, a string value, and where it came from. */
export class Claim {
  readonly type: string;
  readonly value: string;
  readonly valueType: ClaimValueType;
  /** The `iss` of the token the claim came from, when known. */
  readonly issuer: string | undefined;

  constructor(type: string, value: string, valueType: ClaimValueType = 'string', issuer?: string) {
    this.type = type;
    this.value = value;
    this.valueType = valueType;
    this.issuer = issuer;
  }

  toString(): string {
    return `${this.type}: ${this.value}`;
  }
}

/** Matches claims by type (exact), or by a predicate. */
export type ClaimMatch = string | ((claim: Claim) => boolean);

export function claimMatcher(match: ClaimMatch, value?: string): (claim: Claim) => boolean {
  if (typeof match === 'function') return match;
  return value === undefined ? (c) => c.type === match : (c) => c.type === match && c.value === value;
}
