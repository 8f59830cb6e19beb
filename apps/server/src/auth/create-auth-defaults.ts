/** Default `jwt_rotation_interval_secs`: 7 days. */
export const DEFAULT_ROTATION_INTERVAL_SECS = 604_800;
/** Default principal cache TTL. */
export const DEFAULT_PRINCIPAL_TTL_MS = 5000;
/** Default verified-credential cache TTL. */
export const DEFAULT_CREDENTIAL_TTL_MS = 60_000;
/** Default rotation check period. */
export const DEFAULT_ROTATION_CHECK_MS = 3_600_000;
/** Default KV refresh period for keys and LDAP config. */
export const DEFAULT_REFRESH_MS = 10_000;
