/** Structured fields attached to a log line. Never put secrets, tokens or presigned URLs here. */
export type LogFields = Readonly<Record<string, unknown>>;

/** A pino-shaped logger: static messages, data in fields. The server supplies the real one. */
export interface Logger {
  debug(fields: LogFields, msg: string): void;
  info(fields: LogFields, msg: string): void;
  warn(fields: LogFields, msg: string): void;
  error(fields: LogFields, msg: string): void;
  child(bindings: LogFields): Logger;
}

const noop = (): void => {};

/** A logger that drops everything: the default for embedders and unit tests. */
export const noopLogger: Logger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => noopLogger,
};
