/**
 * A background worker run by the supervisor. `run` must keep going until `signal` aborts; if it
 * returns or throws before that, the supervisor shuts the whole process down cleanly.
 */
export interface BackgroundWorker {
  readonly name: string;
  run(signal: AbortSignal): Promise<void>;
}
