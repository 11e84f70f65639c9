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
  if (rejectDuplicates && hasDuplicateTopLevelMember(text)) return { ok: false, reason: 'duplicate_member' };
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

/** Walks the top-level members of text already known to be a valid JSON object. */
function hasDuplicateTopLevelMember(text: string): boolean {
  const seen = new Set<string>();
  let i = text.indexOf('{') + 1;
  const n = text.length;
  while (i < n) {
    i = skipWhitespace(text, i);
    if (text[i] === '}') return false;
    if (text[i] === ',') i = skipWhitespace(text, i + 1);
    const keyEnd = endOfString(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    if (seen.has(key)) return true;
    seen.add(key);
    i = skipWhitespace(text, keyEnd);
    i = skipValue(text, i + 1); // past ':' and the value
  }
  return false;
}

function skipWhitespace(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
    i++;
  }
  return i;
}

/** `i` at an opening quote; returns the index just past the closing quote. */
function endOfString(text: string, i: number): number {
  i++;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i += 2;
    else if (c === 0x22) return i + 1;
    else i++;
  }
  return i;
}

/** Returns the index of the `,` or `}` that ends the value starting at or after `i` (top level). */
function skipValue(text: string, i: number): number {
  let depth = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      i = endOfString(text, i);
      continue;
    }
    if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      if (depth === 0) return i;
      depth--;
    } else if (c === 0x2c && depth === 0) return i;
    i++;
  }
  return i;
}
