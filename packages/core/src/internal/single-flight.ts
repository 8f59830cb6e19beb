/**
 * Coalesces concurrent work per key: the first caller runs `work`, later callers for the same key
 * get the same promise until it settles (RELIABILITY.md P2: no thundering herd upstream).
 */
export interface SingleFlight<T> {
  /** Runs `work` unless a run for `key` is in flight; `leader` tells the caller which it was. */
  run(key: string, work: () => Promise<T>): { readonly promise: Promise<T>; readonly leader: boolean };
  /** Keys in flight (for tests and metrics). */
  readonly size: number;
}

/** Creates a {@link SingleFlight}. A run leaves the map when `release` resolves, default: when it settles. */
export function singleFlight<T>(release: (value: T) => Promise<unknown> = async () => undefined): SingleFlight<T> {
  const inFlight = new Map<string, Promise<T>>();
  return {
    run(key, work) {
      const existing = inFlight.get(key);
      if (existing !== undefined) return { promise: existing, leader: false };
      const promise = work();
      inFlight.set(key, promise);
      const forget = (): void => {
        if (inFlight.get(key) === promise) inFlight.delete(key);
      };
      promise.then((value) => release(value).then(forget, forget), forget);
      return { promise, leader: true };
    },
    get size() {
      return inFlight.size;
    },
  };
}
