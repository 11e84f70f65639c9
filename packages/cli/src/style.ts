/** ANSI styling for human output, or none. */
export interface Style {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  ok(text: string): string;
  bad(text: string): string;
  warn(text: string): string;
}

const wrap = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
const plain = (text: string) => text;

/**
 * Colour when stdout is a terminal. `NO_COLOR` (any non-empty value, https://no-color.org) turns it off and
 * wins over everything; `FORCE_COLOR` (any value but `0`) turns it on for a pipe; `FORCE_COLOR=0` off.
 */
export function chooseStyle(env: Readonly<Record<string, string | undefined>>, isTty: boolean): Style {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  const force = env.FORCE_COLOR;
  const enabled = noColor ? false : force !== undefined && force !== '' ? force !== '0' : isTty;
  if (!enabled) return { enabled, bold: plain, dim: plain, ok: plain, bad: plain, warn: plain };
  return {
    enabled,
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    ok: wrap(32, 39),
    bad: wrap(31, 39),
    warn: wrap(33, 39),
  };
}
