/** Longest `htu` (or rebuilt request URL) compared, in characters: far beyond any real API URL. */
export const MAX_HTU_LENGTH = 4096;

/**
 * The form two `htu` values are compared in (RFC 9449 §4.3 item 9, RFC 3986 §6): an absolute http(s) URL
 * parsed by the WHATWG URL parser (scheme and host lower-cased, the default port removed, dot segments
 * resolved), query and fragment dropped, the path otherwise as sent. `undefined` for anything else.
 */
export function normalizeHtu(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_HTU_LENGTH) return undefined;
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
