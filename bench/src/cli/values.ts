/** Parsed command-line values (strings and booleans, as `util.parseArgs` returns them). */
export type CliValues = Readonly<Record<string, string | boolean | undefined>>;

/** A string option, or `fallback`. */
export function str(v: CliValues, key: string, fallback?: string): string | undefined {
  const x = v[key];
  return typeof x === 'string' ? x : fallback;
}

/** A required string option. */
export function need(v: CliValues, key: string): string {
  const x = str(v, key);
  if (x === undefined) throw new Error(`--${key} is required`);
  return x;
}

/** The password from `--password` or `DEPOT_PASSWORD`. */
export function password(v: CliValues): string {
  const p = str(v, 'password') ?? process.env.DEPOT_PASSWORD;
  if (!p) throw new Error('--password (or DEPOT_PASSWORD) is required');
  return p;
}
