import { DepotError } from '@depot/core';

/** The errno code of a Node fs error. */
export const errnoOf = (err: unknown): string | undefined =>
  err instanceof Error ? ((err as NodeJS.ErrnoException).code ?? undefined) : undefined;

/** Translates a filesystem error at the store boundary (DepotErrors pass through). */
export function fsError(err: unknown, what: string): DepotError {
  if (err instanceof DepotError) return err;
  const code = errnoOf(err);
  const unavailable =
    code === 'ENOSPC' ||
    code === 'EDQUOT' ||
    code === 'EROFS' ||
    code === 'EIO' ||
    code === 'EMFILE' ||
    code === 'ENFILE';
  return new DepotError(unavailable ? 'STORAGE_UNAVAILABLE' : 'STORAGE_ERROR', `file blob store failed to ${what}`, {
    cause: err,
    details: { errno: code ?? null },
  });
}

/** Runs an fs operation, translating its errors. */
export async function fsCall<T>(what: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    throw fsError(err, what);
  }
}
