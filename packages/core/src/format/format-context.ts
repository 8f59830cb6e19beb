import type { AuthService } from '../auth/principal.js';
import { type SecretBox, unavailableSecretBox } from '../crypto/secret-box.js';
import { integrityReporter } from '../integrity/integrity-events.js';
import type { KvStore } from '../kv/kv-store.js';
import { recordView } from '../kv/record-view.js';
import { type RepositoryRecord, SCHEMA_VERSION, type SettingsRecord } from '../kv/records.js';
import { scopedKv } from '../kv/scoped-kv.js';
import type { Logger } from '../logger.js';
import type { RepositoryEngine, UpstreamFetch } from '../repo/engine.js';
import type { Format, FormatContext, FormatMetrics } from './format.js';

/** What the host (the server, `createDepot`) shares between every format's context. */
export interface FormatHostServices {
  readonly engine: RepositoryEngine;
  /** The whole KV store; each format sees only its own namespace of it. */
  readonly kv: KvStore;
  readonly logger: Logger;
  readonly fetch: UpstreamFetch;
  readonly auth: AuthService;
  settings(): SettingsRecord;
  readonly metrics?: FormatMetrics;
  /** Seals secrets under the server secret (default: none available). */
  readonly secrets?: SecretBox;
  /** The clock (default `Date.now`). */
  readonly now?: () => number;
}

const NO_SECRETS = unavailableSecretBox('the host was started without one');

/** The KV namespace of format `name`: `fmt/<name>/`. */
export const formatNamespace = (name: string): string => `fmt/${name}/`;

/**
 * The absolute KV prefixes of format `format`'s own records of repository `repo`
 * ({@link Format.repositoryRecordPrefixes}, inside the format's namespace). A declared prefix that
 * is empty, `/` or lacks the trailing `/` is dropped, so no declaration can wipe the whole
 * namespace or reach another repository whose name merely starts the same.
 */
export function repositoryRecordKeys(
  format: Pick<Format, 'name' | 'repositoryRecordPrefixes'>,
  repo: string,
): string[] {
  const declared = format.repositoryRecordPrefixes?.(repo) ?? [];
  return declared.filter((p) => p.length > 1 && p.endsWith('/')).map((p) => formatNamespace(format.name) + p);
}

/** Builds the narrow {@link FormatContext} of `format` from the host's shared services. */
export function createFormatContext(host: FormatHostServices, format: Pick<Format, 'name'>): FormatContext {
  const repos = recordView<RepositoryRecord>(host.kv, { prefix: 'repo/', schemaVersion: SCHEMA_VERSION });
  return {
    engine: host.engine,
    kv: scopedKv(host.kv, formatNamespace(format.name)),
    repositories: {
      get: (name) => host.engine.findRepository(name),
      async *list() {
        for await (const { record } of repos.scan()) if (record.deleting !== true) yield record;
      },
    },
    logger: host.logger.child({ format: format.name }),
    fetch: host.fetch,
    auth: host.auth,
    settings: () => host.settings(),
    ...(host.metrics === undefined ? {} : { metrics: host.metrics }),
    secrets: host.secrets ?? NO_SECRETS,
    now: host.now ?? Date.now,
    integrity: integrityReporter(
      host.kv,
      format.name,
      host.logger.child({ format: format.name }),
      host.now ?? Date.now,
      host.metrics?.counter(
        'depot_integrity_events_total',
        'Upstreams that changed the bytes of a published immutable file (the first verified bytes are kept)',
        ['format', 'repo'],
      ),
    ),
  };
}
