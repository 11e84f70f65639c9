/** Human forms of JWT NumericDate claims (RFC 7519 §2): an ISO date and how far from now. */

/** The time claims shown, in the order shown. */
export const TIME_CLAIMS = ['iat', 'nbf', 'exp', 'auth_time'] as const;
export type TimeClaim = (typeof TIME_CLAIMS)[number];

export interface HumanTime {
  /** The claim as sent (seconds since the epoch), when it is a usable number. */
  value: number;
  iso: string;
  /** Seconds from now: negative in the past. */
  secondsFromNow: number;
  /** `expires in 4 min`, `expired 2 h ago`, `issued 10 s ago` … */
  relative: string;
}

/** `42 s`, `4 min`, `2 h`, `3 d`: the largest whole unit, rounded down (a token "in 4 min" has 4 to 5 left). */
export function duration(seconds: number): string {
  const s = Math.floor(Math.abs(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 48 * 3600) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86400)} d`;
}

function phrase(claim: TimeClaim, delta: number): string {
  const span = duration(delta);
  const future = delta > 0;
  switch (claim) {
    case 'exp':
      return future ? `expires in ${span}` : `expired ${span} ago`;
    case 'nbf':
      return future ? `not valid for another ${span}` : `valid since ${span} ago`;
    case 'iat':
      return future ? `issued in the future (${span} from now)` : `issued ${span} ago`;
    case 'auth_time':
      return future ? `authenticated in the future (${span} from now)` : `authenticated ${span} ago`;
  }
}

/** Largest NumericDate a Date can hold (±8.64e15 ms); anything beyond is not a time. */
const MAX_SECONDS = 8.64e12;

/** The human form of a time claim, or a string saying why it is not one. */
export function humanTime(claim: TimeClaim, value: unknown, nowMs: number): HumanTime | string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return `not a number (${typeof value})`;
  if (Math.abs(value) > MAX_SECONDS) return 'out of range';
  const secondsFromNow = Math.round(value - nowMs / 1000);
  return {
    value,
    iso: new Date(value * 1000).toISOString().replace('.000Z', 'Z'),
    secondsFromNow,
    relative: phrase(claim, secondsFromNow),
  };
}

/** Every time claim present in `claims`, in display order. */
export function timeClaims(
  claims: Readonly<Record<string, unknown>>,
  nowMs: number,
): Array<[TimeClaim, HumanTime | string]> {
  return TIME_CLAIMS.filter((c) => claims[c] !== undefined).map((c) => [c, humanTime(c, claims[c], nowMs)]);
}
