/**
 * Issuer identifiers as compared: character for character. A URL that a parser would rewrite (dot
 * segments, backslashes, case, default port, encoding) names two things at once — what a predicate reads
 * and what discovery fetches — so it is refused before anything is fetched.
 */

/** `%XX` of a character that never needs encoding (RFC 3986 unreserved) or of a path separator. */
function hasEncodedPlainCharacter(value: string): boolean {
  for (let i = value.indexOf('%'); i !== -1; i = value.indexOf('%', i + 1)) {
    const code = Number.parseInt(value.slice(i + 1, i + 3), 16);
    if (Number.isNaN(code)) continue;
    const c = String.fromCharCode(code);
    if (/[A-Za-z0-9\-._~/\\]/.test(c)) return true;
  }
  return false;
}

/**
 * Why `iss` is not an http(s) URL in its own normal form, or undefined when it is: the string a URL parser
 * gives back (a bare origin may omit the final `/`), with no userinfo, query, fragment, backslash or
 * percent-encoded unreserved character.
 */
export function issuerFormProblem(iss: string): string | undefined {
  if (!URL.canParse(iss)) return 'is not an absolute URL';
  const url = new URL(iss);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'is not an http(s) URL';
  if (iss.includes('\\')) return 'contains a backslash';
  if (url.username !== '' || url.password !== '') return 'contains userinfo';
  if (iss.includes('?')) return 'contains a query';
  if (iss.includes('#')) return 'contains a fragment';
  if (hasEncodedPlainCharacter(iss)) return 'percent-encodes a character that needs no encoding';
  const href = url.href;
  if (href === iss || (url.pathname === '/' && href === `${iss}/`)) return undefined;
  return 'is not in normal form (dot segments, letter case, default port or encoding)';
}

/** The issuer to configure when `actual` differs from `expected` only by a trailing slash. */
export function trailingSlashVariant(expected: string, actual: string): string | undefined {
  if (actual === `${expected}/` || `${actual}/` === expected) return actual;
  return undefined;
}

/** The message (and log line) that shows the fix at once; it names only issuer values. */
export function trailingSlashMessage(what: string, configure: string): string {
  return `${what} differs only by a trailing slash: configure issuer '${configure}'`;
}
