/** The pino-compatible subset we log through. Pass pino, Fastify's `request.log`, or console-like objects. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = (): void => {};

/** Used when no logger is given: logging costs nothing. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
