import type { Logger, RepositoryEngine } from '@depot/core';
import type { AuditLog } from '../audit/audit-log.js';
import type { AuthModule } from '../auth/auth-module.js';
import type { ServerRecords } from '../records/server-records.js';
import type { RepoChangeSignal } from '../repo-listeners/repo-changes.js';
import type { RepoService } from '../services/repo-service.js';
import type { StoreService } from '../services/store-service.js';
import type { TaskService } from '../tasks/task-service.js';
import type { GcService } from '../workers/gc.js';
import type { FormatHost } from './format-host.js';
import type { SettingsService } from './settings-service.js';
import type { StoreRegistry } from './store-registry.js';

/** Everything the HTTP layer and the workers use, built once at startup. */
export interface DepotServices {
  readonly version: string;
  /** `[kv_store] type`, e.g. `level` or `dynamodb`. */
  readonly kvStoreType: string;
  readonly logger: Logger;
  readonly records: ServerRecords;
  readonly settings: SettingsService;
  readonly stores: StoreService;
  readonly storeRegistry: StoreRegistry;
  /** Blob garbage collection (on demand and scheduled). */
  readonly gc: GcService;
  readonly repos: RepoService;
  readonly engine: RepositoryEngine;
  readonly formats: FormatHost;
  readonly auth: AuthModule;
  /** Who wrote, deleted, changed or failed to log in: batched into KV, queryable by administrators. */
  readonly audit: AuditLog;
  /** Background tasks (gc, check, bulk-delete): started, tracked, cancelled through the API. */
  readonly tasks: TaskService;
  /** Peers whose `X-Forwarded-Proto`/`X-Forwarded-Host` are believed. */
  readonly trustedProxies: ReadonlySet<string>;
  /** `base_url` from the config: absolute URLs start with it instead of what `Host` says. */
  readonly baseUrl?: string;
  /** Wakes the cleanup worker (after a soft delete). */
  wakeCleanup(): void;
  /** Fires after every repository create, update and delete made through `repos`. */
  readonly repoChanges: RepoChangeSignal;
}
