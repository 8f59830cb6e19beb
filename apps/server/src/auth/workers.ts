import type { BackgroundWorker } from '../workers/worker.js';
import { DEFAULT_ROTATION_INTERVAL_SECS } from './create-auth-defaults.js';
import { type AuthContext, numberSetting } from './internal/context.js';

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Runs `step` every `ms` until `signal` aborts; a failing step is logged, never fatal. */
async function every(
  ctx: AuthContext,
  name: string,
  ms: number,
  signal: AbortSignal,
  step: () => Promise<void>,
): Promise<void> {
  while (!signal.aborted) {
    await sleep(ms, signal);
    if (signal.aborted) return;
    try {
      await step();
    } catch (err) {
      ctx.logger.warn({ worker: name, err: String(err) }, 'auth worker step failed');
    }
  }
}

/** Rotates the JWT key when `jwt_rotation_interval_secs` passed since the last rotation (checks hourly). */
export const jwtRotationWorker = (ctx: AuthContext, checkMs: number): BackgroundWorker => ({
  name: 'jwt-rotation',
  run: (signal) =>
    every(ctx, 'jwt-rotation', checkMs, signal, async () => {
      await ctx.keyring.rotateIfDue(
        numberSetting(ctx.settings(), 'jwt_rotation_interval_secs', DEFAULT_ROTATION_INTERVAL_SECS),
      );
    }),
});

/** Re-reads the JWT keys and the LDAP config from KV so every instance converges on changes made elsewhere. */
export const authRefreshWorker = (ctx: AuthContext, refreshMs: number): BackgroundWorker => ({
  name: 'auth-refresh',
  run: (signal) =>
    every(ctx, 'auth-refresh', refreshMs, signal, async () => {
      await ctx.keyring.reload();
      const before = JSON.stringify(ctx.ldap.current);
      await ctx.ldap.reload();
      if (JSON.stringify(ctx.ldap.current) !== before) ctx.credentials.clear();
    }),
});
