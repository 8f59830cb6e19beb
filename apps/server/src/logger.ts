import type { LogFields, Logger } from '@depot/core';
import { multistream, type Logger as PinoLogger, pino } from 'pino';
import { otlpLogStream } from './logging/otlp-log-stream.js';

/** Wraps a pino logger as core's {@link Logger} (static messages, data in fields). */
function wrap(p: PinoLogger): Logger {
  return {
    debug: (fields: LogFields, msg: string) => p.debug(fields, msg),
    info: (fields: LogFields, msg: string) => p.info(fields, msg),
    warn: (fields: LogFields, msg: string) => p.warn(fields, msg),
    error: (fields: LogFields, msg: string) => p.error(fields, msg),
    child: (bindings: LogFields) => wrap(p.child(bindings)),
  };
}

/** The server's logger and a way to flush exporters before exit. */
export interface ServerLogger {
  readonly logger: Logger;
  /** Waits for pending OTLP exports (no-op without an endpoint). */
  flush(): Promise<void>;
  /** Per-request events: exported over OTLP only, never on stdout (absent without an endpoint). */
  readonly requestEvents?: Logger;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  readonly level: string;
  /** `[logging] otlp_endpoint`: also export every log line over OTLP/HTTP. */
  readonly otlpEndpoint?: string;
  /** Write to stderr instead (commands whose stdout is data, e.g. `depot backup -o -`). */
  readonly stderr?: boolean;
}

/** The server's logger: JSON lines on stdout (pino), secrets redacted by key name, optionally OTLP. */
export function createLogger(options: LoggerOptions): ServerLogger {
  const pinoOptions = {
    level: options.level,
    base: { service: 'depot' },
    redact: {
      paths: ['*.password', '*.bind_password', '*.secret_key', '*.authorization', 'password'],
      censor: '********',
    },
  };
  if (options.stderr === true) return { logger: wrap(pino(pinoOptions, pino.destination(2))), flush: async () => {} };
  if (options.otlpEndpoint === undefined) return { logger: wrap(pino(pinoOptions)), flush: async () => {} };
  let report: (err: unknown) => void = () => {};
  const otlp = otlpLogStream(options.otlpEndpoint, 'depot', (err) => report(err));
  const p = pino(
    pinoOptions,
    multistream([
      { stream: process.stdout, level: 'trace' },
      { stream: otlp, level: 'trace' },
    ]),
  );
  // Export failures go to stdout only (a log line about OTLP must not loop back into OTLP).
  const stdoutOnly = pino(pinoOptions);
  report = (err) =>
    stdoutOnly.warn({ err: err instanceof Error ? err.message : String(err) }, 'OTLP log export failed');
  const events = pino({ ...pinoOptions, level: 'info' }, otlp);
  return { logger: wrap(p), flush: () => otlp.flush(), requestEvents: wrap(events) };
}
