/** Flat request fields that are format-specific and live in `format_options`. */
export const FORMAT_OPTION_KEYS = [
  'listen',
  'cleanup_untagged_manifests',
  'content_disposition',
  'repodata_depth',
] as const;

/** The sentinel secrets are masked with, on output and (to keep the old value) on input. */
export const MASK = '********';
