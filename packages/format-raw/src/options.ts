import { badRequest } from '@depot/core';

/** Values of the `content_disposition` repository option. */
const DISPOSITIONS: readonly unknown[] = ['attachment', 'inline'];

/**
 * Validates a raw repository's `format_options`: only `content_disposition` (`attachment` — the
 * default — or `inline`). Anything else is `BAD_REQUEST` naming the field.
 */
export function validateRawRepositoryOptions(
  options: Readonly<Record<string, unknown>>,
): Readonly<Record<string, unknown>> {
  for (const key of Object.keys(options)) {
    if (key !== 'content_disposition') throw badRequest(`unknown raw repository option ${key}`, { field: key });
  }
  const value = options.content_disposition ?? 'attachment';
  if (!DISPOSITIONS.includes(value)) {
    throw badRequest('content_disposition must be "attachment" or "inline"', { field: 'content_disposition' });
  }
  return { content_disposition: value };
}
