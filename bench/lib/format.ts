/** Markdown helpers for RESULTS.md. */

/** `align`: one letter per column, `l` or `r`; default: the first column left, the others right (figures). */
export function table(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  align?: string,
): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const aligns = headers.map((_, i) => ((align?.[i] ?? (i === 0 ? 'l' : 'r')) === 'l' ? '---' : '---:'));
  return [line(headers), line(aligns), ...rows.map(line)].join('\n');
}

export function fixed(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function int(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a';
}

export function ratio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a';
}

export function mark(met: boolean | undefined): string {
  return met === undefined ? 'not measured' : met ? 'met' : '**missed**';
}
