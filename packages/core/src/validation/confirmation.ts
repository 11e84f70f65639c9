/**
 * A member of a token's `cnf` claim (RFC 7800 §3.1): `jkt` for DPoP (RFC 9449 §6.1), `x5t#S256` for mTLS
 * (RFC 8705 §3.1). `undefined` when the token does not carry it; `''` when it does but not as a string, so
 * a malformed binding still counts as a binding (and then matches nothing).
 */
export function confirmationMember(
  claims: Readonly<Record<string, unknown>>,
  member: string,
): string | undefined {
  const cnf = claims.cnf;
  if (typeof cnf !== 'object' || cnf === null) return undefined;
  const value = (cnf as Record<string, unknown>)[member];
  return value === undefined ? undefined : typeof value === 'string' ? value : '';
}
