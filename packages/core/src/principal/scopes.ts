/** Where scopes are read from by default: `scope` (RFC 8693/9068, space-delimited) and `scp` (Azure AD, Okta). */
export const DEFAULT_SCOPE_CLAIMS: readonly string[] = Object.freeze(['scope', 'scp']);

function addScopes(value: unknown, out: string[], seen: Set<string>): void {
  if (typeof value === 'string') {
    for (const part of value.split(' ')) {
      if (part !== '' && !seen.has(part)) {
        seen.add(part);
        out.push(part);
      }
    }
  } else if (Array.isArray(value)) {
    for (const item of value) if (typeof item === 'string') addScopes(item, out, seen);
  }
}

/**
 * The scopes a token grants: each listed claim may be a space-delimited string or an array of strings
 * (Auth0's `permissions`, Azure's `scp`). Duplicates removed, order kept.
 */
export function getScopes(
  claims: Readonly<Record<string, unknown>>,
  scopeClaims: readonly string[] = DEFAULT_SCOPE_CLAIMS,
): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const name of scopeClaims) addScopes(claims[name], out, seen);
  return out;
}

/** Auth0-style RBAC permissions (`permissions` claim, an array of strings). */
export function getPermissions(claims: Readonly<Record<string, unknown>>): string[] {
  return getScopes(claims, ['permissions']);
}

/** Whether every required scope is granted. */
export function hasAllScopes(granted: readonly string[], required: readonly string[]): boolean {
  return required.every((s) => granted.includes(s));
}

/** Whether at least one of the required scopes is granted (true when none is required). */
export function hasAnyScope(granted: readonly string[], required: readonly string[]): boolean {
  return required.length === 0 || required.some((s) => granted.includes(s));
}
