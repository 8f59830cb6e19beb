import { DepotError } from '@depot/core';

/** The most specific `LEVEL_*` code in an error's `cause` chain (open failures wrap the reason). */
function levelCode(err: unknown): string | undefined {
  const codes: string[] = [];
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('LEVEL_')) codes.push(code);
  }
  return codes.find((c) => c === 'LEVEL_LOCKED' || c === 'LEVEL_CORRUPTION') ?? codes[0];
}

/** Translates a LevelDB error at the store boundary; backend errors never escape as-is. */
export function levelError(err: unknown, what: string, location: string): DepotError {
  if (err instanceof DepotError) return err;
  const code = levelCode(err);
  const details = { location, levelCode: code ?? null };
  switch (code) {
    case 'LEVEL_LOCKED':
      return new DepotError(
        'STORAGE_UNAVAILABLE',
        `KV shard ${location} is locked: another process (or store instance) has it open; stop it first`,
        { cause: err, details },
      );
    case 'LEVEL_CORRUPTION':
      return new DepotError(
        'STORAGE_ERROR',
        `KV shard ${location} is corrupt (${what}); refusing to continue. Restore from backup, or run ClassicLevel.repair on a copy and verify it`,
        { cause: err, details },
      );
    case 'LEVEL_DATABASE_NOT_OPEN':
    case 'LEVEL_DATABASE_NOT_CLOSED':
      return new DepotError('STORAGE_UNAVAILABLE', `KV shard ${location} is not open (${what})`, {
        cause: err,
        details,
      });
    default:
      return new DepotError('STORAGE_ERROR', `KV shard ${location} failed to ${what}`, { cause: err, details });
  }
}
