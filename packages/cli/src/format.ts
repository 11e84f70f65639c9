import type { Style } from './style.js';

/** One row of a two-column listing; `undefined` values are left out. */
export type Row = readonly [label: string, value: string | undefined];

/** `label  value` lines, labels padded to one column, indented. */
export function rows(list: readonly Row[], style: Style, indent = '  '): string[] {
  const present = list.filter((r): r is readonly [string, string] => r[1] !== undefined);
  const width = Math.max(0, ...present.map(([label]) => label.length));
  return present.map(([label, value]) => `${indent}${style.dim(label.padEnd(width))}  ${value}`);
}

/** A JSON value on one line, for claims and header members. */
export function inline(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A list of strings, or undefined when absent or empty. */
export function list(values: readonly string[] | undefined): string | undefined {
  return values && values.length > 0 ? values.join(', ') : undefined;
}
