import { badRequest } from '../errors/depot-error.js';

/**
 * A non-negative integer query parameter, strictly: ASCII digits only (`1e9`, `0x10`, `-1`, `1.5`,
 * ` 7` and `12abc` are refused, not read as something else), at most `max`. `null` or `''` gives
 * `undefined`. Anything else is `BAD_REQUEST` naming the parameter.
 */
export function parseQueryInteger(raw: string | null | undefined, name: string, max: number): number | undefined {
  if (raw === null || raw === undefined || raw === '') return undefined;
  if (!/^\d{1,16}$/.test(raw)) throw badRequest(`query parameter ${name} must be a whole number`, { [name]: raw });
  const n = Number(raw);
  if (n > max) throw badRequest(`query parameter ${name} must be at most ${max}`, { [name]: raw });
  return n;
}
