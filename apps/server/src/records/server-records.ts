import {
  type DepotRecords,
  depotRecords,
  type KvStore,
  type RecordView,
  recordView,
  SCHEMA_VERSION,
} from '@depot/core';

/** A capability a role grants on repositories whose names match `repo` (a glob). */
export interface CapabilityGrant {
  readonly capability: 'read' | 'write' | 'delete';
  readonly repo: string;
}

/** A role (`role/{name}`): capabilities on repositories, and whether it administers the server. */
export interface RoleRecord {
  readonly name: string;
  readonly description?: string;
  readonly capabilities: readonly CapabilityGrant[];
  /** Administration of users, roles, stores, settings and tasks. */
  readonly admin?: boolean;
  readonly created_at: string;
  readonly updated_at: string;
}

/** A user (`user/{username}`), built in or mirrored from LDAP. */
export interface UserRecord {
  readonly username: string;
  /** Argon2id PHC string; absent for LDAP users and `anonymous`. */
  readonly password_hash?: string;
  readonly roles: readonly string[];
  readonly must_change_password: boolean;
  /** Rotated to revoke every token of this user. */
  readonly token_secret: string;
  readonly source: 'builtin' | 'ldap';
  readonly created_at: string;
  readonly updated_at: string;
}

/** What an API token may do: a capability on repositories matching `repo` (a glob); `admin` is everything its owner may. */
export interface ApiTokenGrant {
  readonly capability: 'read' | 'write' | 'delete' | 'admin';
  readonly repo: string;
}

/** A scoped API token (`api-token/{id}`). The secret itself is never stored, only its SHA-256. */
export interface ApiTokenRecord {
  readonly id: string;
  readonly name: string;
  readonly owner: string;
  readonly grants: readonly ApiTokenGrant[];
  readonly secret_sha256: string;
  /** The owner's `token_secret` when the token was made: revoking the owner's tokens ends this one too. */
  readonly bound_to: string;
  readonly created_at: string;
  readonly expires_at?: string;
  readonly last_used_at?: string;
}

/** A distributed lease (`lease/{name}`), taken and renewed with compare-and-swap. */
export interface LeaseRecord {
  readonly holder: string;
  readonly renewed_at: number;
  readonly ttl_secs: number;
}

/** Where a background task is in its life. */
export type TaskStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

/** A background task (`task/{id}`). */
export interface TaskRecord {
  readonly id: string;
  readonly kind: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly status: TaskStatus;
  readonly created_at: string;
  readonly started_at?: string;
  readonly completed_at?: string;
  readonly progress?: Readonly<Record<string, number | string>>;
  readonly result?: unknown;
  readonly error?: string;
  readonly owner_instance_id?: string;
  /** Renewed while the task runs; a `running` task without a recent one lost its process. */
  readonly heartbeat_at?: string;
}

/**
 * Core's record views plus the ones only the server keeps: users, roles, server metadata
 * (settings, JWT keys, LDAP configuration), leases and tasks. Embedders never see these.
 */
export interface ServerRecords extends DepotRecords {
  readonly users: RecordView<UserRecord>;
  readonly roles: RecordView<RoleRecord>;
  /** Ids are setting groups, e.g. `settings`, `ldap`, `jwt`. */
  readonly meta: RecordView<unknown>;
  readonly leases: RecordView<LeaseRecord>;
  readonly tasks: RecordView<TaskRecord>;
  readonly apiTokens: RecordView<ApiTokenRecord>;
}

/** Builds core's record views and the server's own over `kv`. */
export function serverRecords(kv: KvStore): ServerRecords {
  const view = <T>(prefix: string): RecordView<T> => recordView<T>(kv, { prefix, schemaVersion: SCHEMA_VERSION });
  return {
    ...depotRecords(kv),
    users: view('user/'),
    roles: view('role/'),
    meta: view('meta/'),
    leases: view('lease/'),
    tasks: view('task/'),
    apiTokens: view('api-token/'),
  };
}
