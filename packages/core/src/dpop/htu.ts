/** Longest `htu` (or rebuilt request URL) compared, in characters: far beyond any real API URL. */
export const MAX_HTU_LENGTH = 4096;
/** Distinct URLs whose normal form is kept: a server has few; a flood of others only misses. */
const REMEMBERED = 512;
/** Only URLs up to this long are remembered, so the memo stays under 1 MB whatever it is fed. */
const REMEMBERED_LENGTH = 1024;

const normalForms = new Map<string, string | undefined>();

/**
 * The form two `htu` values are compared in (RFC 9449 §4.3 item 9, RFC 3986 §6): an absolute http(s) URL
 * parsed by the WHATWG URL parser (scheme and host lower-cased, the default port removed, dot segments
 * resolved), query and fragment dropped, the path otherwise as sent. `undefined` for anything else.
 * Every DPoP request normalises two URLs, nearly always ones seen before: the answers are remembered
 * (bounded), which saves a URL parse (~1 µs) each.
 */
export function normalizeHtu(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_HTU_LENGTH) return undefined;
  if (value.length > REMEMBERED_LENGTH) return parseHtu(value);
  const known = normalForms.get(value);
  if (known !== undefined || normalForms.has(value)) return known;
  const normal = parseHtu(value);
  if (normalForms.size >= REMEMBERED) normalForms.delete(normalForms.keys().next().value as string);
  normalForms.set(value, normal);
  return normal;
}

function parseHtu(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username !== '' || url.password !== '' || url.hostname === '') return undefined;
  return `${url.protocol}//${url.host}${url.pathname}`;
}
