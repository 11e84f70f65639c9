/**
 * JSON parsing for untrusted JOSE headers and claim sets. `JSON.parse` itself never pollutes a prototype,
 * but an own `__proto__` or `constructor` member is a loaded gun for any code that later merges claims into
 * another object, so such members are refused at any depth. Duplicate members are refused in the header
 * (where a second `alg` or `crit` could otherwise be smuggled past one parser and not another).
 */

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);
/** A forbidden name can only appear literally or through a `\u` escape: one scan tells whether to look. */
const MAYBE_FORBIDDEN = /__proto__|constructor|prototype|\\u/;

export type SafeJsonResult =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; reason: 'invalid' | 'not_object' | 'forbidden_member' | 'duplicate_member' };

/** Parses `text` as a JSON object; with `rejectDuplicates`, a repeated top-level member is refused. */
export function parseJsonObject(text: string, rejectDuplicates: boolean): SafeJsonResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, reason: 'not_object' };
  if (MAYBE_FORBIDDEN.test(text) && hasForbiddenMember(value, 0)) {
    return { ok: false, reason: 'forbidden_member' };
  }
  if (rejectDuplicates && hasDuplicateTopLevelMember(text, value))
    return { ok: false, reason: 'duplicate_member' };
  return { ok: true, value: value as Record<string, unknown> };
}

function hasForbiddenMember(value: unknown, depth: number): boolean {
  // JSON.parse already bounds depth by its own recursion; this guard only keeps us from doing worse.
  if (depth > 64) return true;
  if (Array.isArray(value)) {
    for (const item of value)
      if (typeof item === 'object' && item !== null && hasForbiddenMember(item, depth + 1)) return true;
    return false;
  }
  for (const key of Object.keys(value as object)) {
    if (FORBIDDEN.has(key)) return true;
    const member = (value as Record<string, unknown>)[key];
    if (typeof member === 'object' && member !== null && hasForbiddenMember(member, depth + 1)) return true;
  }
  return false;
}

/**
 * Whether `text`, already parsed into `value`, names a top-level member twice: `JSON.parse` keeps one own
 * property per distinct name, so the text then has more members than `value` has keys. Counting needs no
 * member name decoded.
 */
function hasDuplicateTopLevelMember(text: string, value: object): boolean {
  return topLevelMemberCount(text) !== Object.keys(value).length;
}

/** Members of the JSON object `text` (valid JSON): top-level commas + 1, or 0 for `{}`. */
function topLevelMemberCount(text: string): number {
  let depth = 0;
  let commas = 0;
  let empty = true;
  for (let i = text.indexOf('{') + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      empty = false;
      i = endOfString(text, i) - 1;
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      if (depth === 0) break;
      depth--;
    } else if (c === 0x2c && depth === 0) commas++;
  }
  return empty ? 0 : commas + 1;
}

/** `i` at an opening quote; returns the index just past the closing quote (one not escaped). */
function endOfString(text: string, i: number): number {
  let from = i + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === 0x5c) backslashes++;
    if ((backslashes & 1) === 0) return quote + 1;
    from = quote + 1;
  }
}
