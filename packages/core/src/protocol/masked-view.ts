/**
 * What `util.inspect` and `JSON.stringify` show of a request object that holds secrets (a token to revoke, an
 * initial or registration access token): its own enumerable members, with each named secret as `***` (or
 * `undefined` when not set). Requests keep their secrets in private fields; this shows that they are there.
 */
export function maskedView(
  target: object,
  secrets: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const view: Record<string, unknown> = { ...target };
  for (const [name, value] of Object.entries(secrets)) view[name] = value === undefined ? undefined : '***';
  return view;
}
