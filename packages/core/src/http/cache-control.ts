/**
 * How long a response may be cached, in ms, from its `Cache-Control` header: `max-age` clamped to
 * [minMs, maxMs]; `no-store` / `no-cache` mean the minimum; absent or unparseable means `defaultMs`.
 * `s-maxage` is preferred over `max-age` (we are a shared cache for every request the process serves).
 */
export function cacheLifetimeMs(
  cacheControl: string | undefined,
  defaultMs: number,
  minMs: number,
  maxMs: number,
): number {
  if (cacheControl === undefined) return defaultMs;
  const directives = cacheControl.toLowerCase();
  if (/(?:^|[,\s])(?:no-store|no-cache)(?:$|[,\s=])/.test(directives)) return minMs;
  const match =
    /(?:^|[,\s])s-maxage\s*=\s*"?(\d+)/.exec(directives) ??
    /(?:^|[,\s])max-age\s*=\s*"?(\d+)/.exec(directives);
  if (!match) return defaultMs;
  const ms = Number(match[1]) * 1000;
  return Math.min(maxMs, Math.max(minMs, ms));
}
