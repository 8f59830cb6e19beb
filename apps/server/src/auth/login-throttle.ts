import { DepotError } from '@depot/core';

/** `login_throttle` from the runtime settings; a limit of 0 turns that side off. */
export interface LoginThrottleSettings {
  readonly max_failures_per_user: number;
  readonly max_failures_per_client: number;
  readonly window_secs: number;
}

/** The defaults: on, whatever `rate_limit` says. */
export const DEFAULT_LOGIN_THROTTLE: LoginThrottleSettings = {
  max_failures_per_user: 10,
  max_failures_per_client: 50,
  window_secs: 60,
};

interface Window {
  start: number;
  count: number;
}

const MAX_ENTRIES = 100_000;

/**
 * Counts password attempts per username and per client and refuses further attempts with
 * `RATE_LIMITED` (429, `Retry-After`) once either has `max_failures_*` failed or pending attempts in
 * the current window, without checking the password. An attempt counts from the moment it starts,
 * so a burst of parallel guesses is cut at the limit too; a success removes its own count and
 * resets the user's. Windows are short on purpose: a lockout any client can cause for a user must
 * not keep that user out for long.
 */
export class LoginThrottle {
  readonly #users = new Map<string, Window>();
  readonly #clients = new Map<string, Window>();

  constructor(
    private readonly now: () => number,
    private readonly settings: () => LoginThrottleSettings,
  ) {}

  /**
   * Starts an attempt by `username` from `client` (when known); throws `RATE_LIMITED` when over a
   * limit. Call the returned function with the outcome once the password was checked.
   */
  begin(username: string, client: string | undefined): (succeeded: boolean) => void {
    const limits = this.settings();
    const windowMs = limits.window_secs * 1000;
    const now = this.now();
    const user = this.#take(this.#users, username.toLowerCase(), limits.max_failures_per_user, windowMs, now);
    const byClient =
      client === undefined ? null : this.#take(this.#clients, client, limits.max_failures_per_client, windowMs, now);
    if (user !== null) user.count++;
    if (byClient !== null) byClient.count++;
    let settled = false;
    return (succeeded) => {
      if (settled || !succeeded) return;
      settled = true;
      this.#users.delete(username.toLowerCase());
      if (byClient !== null) byClient.count = Math.max(0, byClient.count - 1);
    };
  }

  /** The window of `key` (new or restarted when expired), or `null` when that limit is off. */
  #take(map: Map<string, Window>, key: string, max: number, windowMs: number, now: number): Window | null {
    if (max <= 0 || windowMs <= 0) return null;
    let window = map.get(key);
    if (window === undefined || now - window.start >= windowMs) {
      if (window === undefined && map.size >= MAX_ENTRIES) this.#sweep(map, windowMs, now);
      window = { start: now, count: 0 };
      map.set(key, window);
    }
    if (window.count >= max) {
      const retryAfter = Math.max(1, Math.ceil((window.start + windowMs - now) / 1000));
      throw new DepotError('RATE_LIMITED', 'too many failed logins; retry later', {
        details: { retry_after_secs: retryAfter },
      });
    }
    return window;
  }

  #sweep(map: Map<string, Window>, windowMs: number, now: number): void {
    for (const [key, w] of map) if (now - w.start >= windowMs) map.delete(key);
    if (map.size >= MAX_ENTRIES) map.clear();
  }
}
