/** Origin + path only: query strings may carry credentials and never go into messages or logs. */
export function describeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}
