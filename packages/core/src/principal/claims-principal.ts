// Placeholder type until the principal module lands (issue 3).
export interface ClaimsPrincipal {
  readonly claims: readonly unknown[];
}
