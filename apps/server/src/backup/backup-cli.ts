import { createReadStream, createWriteStream, renameSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { isDepotError, type Logger } from '@depot/core';
import { ConfigError, loadConfig } from '../config/load-config.js';
import { createLogger } from '../logger.js';
import { INSTALLED_PLUGINS } from '../plugins/installed.js';
import { loadPlugins } from '../plugins/load-plugins.js';
import { serverRecords } from '../records/server-records.js';
import { openKvStore } from '../runtime/open-kv-store.js';
import { createStoreRegistry } from '../runtime/store-registry.js';
import { createStoreService } from '../services/store-service.js';
import { holdGc } from '../workers/gc.js';
import { restoreArchive } from './restore-backup.js';
import { backupStream } from './write-backup.js';

export const BACKUP_HELP = `Usage:
  depot backup  [-c FILE] -o ARCHIVE   write a backup of everything (configuration, users, roles,
                                       repositories, metadata and blobs) to ARCHIVE ("-" = stdout)
  depot restore [-c FILE] ARCHIVE      restore ARCHIVE ("-" = stdin) into the empty instance FILE
                                       describes; its [[initialization.stores]] receive the blobs
                                       of the stores they name

A LevelDB store is locked by a running server: stop it first, or download a backup from
GET /api/v1/backup. Details: docs/backup.md.
`;

/** Opens what the configuration describes: KV, records and blob stores, no server. */
async function openOffline(configPath: string | undefined, logger: Logger) {
  const loaded = loadConfig(configPath);
  const baseDir = loaded.source === 'defaults' ? process.cwd() : dirname(resolve(loaded.source));
  const plugins = await loadPlugins(loaded.config, INSTALLED_PLUGINS, baseDir);
  const kv = await openKvStore(loaded.config.kv_store, plugins.kvStores, logger);
  const records = serverRecords(kv);
  const registry = createStoreRegistry(records, plugins.blobStores, logger);
  const close = async () => {
    await registry.close();
    await kv.close();
  };
  return { config: loaded.config, kv, records, registry, close };
}

async function backup(
  configPath: string | undefined,
  output: string,
  logger: Logger,
  version: string,
): Promise<number> {
  const opened = await openOffline(configPath, logger);
  const release = await holdGc(opened.records);
  const tmp = output === '-' ? null : `${output}.partial`;
  try {
    let failure: unknown;
    const stream = await backupStream(
      {
        records: opened.records,
        blobStore: (name) => opened.registry.get(name),
        depotVersion: version,
        kvStoreType: opened.config.kv_store.type,
        logger,
      },
      (err) => {
        failure = err;
      },
    );
    await pipeline(stream, tmp === null ? process.stdout : createWriteStream(tmp));
    if (failure !== undefined) throw failure;
    // Renamed only once complete: a cut backup never sits under the name asked for.
    if (tmp !== null) renameSync(tmp, output);
    if (tmp !== null) process.stderr.write(`depot: backup written to ${output}\n`);
    return 0;
  } catch (err) {
    if (tmp !== null) rmSync(tmp, { force: true });
    throw err;
  } finally {
    await release();
    await opened.close();
  }
}

async function restore(configPath: string | undefined, input: string, logger: Logger): Promise<number> {
  const opened = await openOffline(configPath, logger);
  try {
    const { records } = opened;
    const used = [
      (await records.users.list({ limit: 1 })).items.length > 0 ? 'users' : null,
      (await records.repositories.list({ limit: 1 })).items.length > 0 ? 'repositories' : null,
      (await records.artifacts.list({ limit: 1 })).items.length > 0 ? 'artifacts' : null,
    ].filter((x) => x !== null);
    if (used.length > 0) {
      process.stderr.write(
        `depot: restore needs an empty instance, and this one has ${used.join(', ')}: point -c at a configuration with a new data directory, table prefix or bucket\n`,
      );
      return 2;
    }
    // The target's own stores (where the bytes go when the archive came from another store type).
    const stores = createStoreService(records, opened.registry);
    const keep = new Set<string>();
    for (const store of opened.config.initialization?.stores ?? []) {
      if ((await records.stores.get(store.name)) === null) await stores.create(store);
      keep.add(store.name);
    }
    const source = input === '-' ? process.stdin : createReadStream(input);
    const summary = await restoreArchive(source, {
      records,
      blobStore: (name) => opened.registry.get(name),
      keepStores: keep,
      logger,
    });
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return summary.corrupt_blobs.length > 0 ? 1 : 0;
  } finally {
    await opened.close();
  }
}

/** `depot backup …` / `depot restore …`; resolves with the exit code. */
export async function runBackupCommand(
  command: 'backup' | 'restore',
  argv: string[],
  version: string,
): Promise<number> {
  let args: { values: { config?: string; output?: string; help?: boolean }; positionals: string[] };
  try {
    args = parseArgs({
      args: argv,
      options: {
        config: { type: 'string', short: 'c' },
        output: { type: 'string', short: 'o' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
    });
  } catch (err) {
    process.stderr.write(`depot ${command}: ${(err as Error).message}\n\n${BACKUP_HELP}`);
    return 2;
  }
  if (args.values.help) {
    process.stdout.write(BACKUP_HELP);
    return 0;
  }
  const wrong =
    command === 'backup'
      ? args.values.output === undefined || args.positionals.length > 0
      : args.positionals.length !== 1 || args.values.output !== undefined;
  if (wrong) {
    process.stderr.write(`depot ${command}: wrong arguments\n\n${BACKUP_HELP}`);
    return 2;
  }
  // Logs go to stderr: stdout may be the archive.
  const { logger, flush } = createLogger({ level: 'warn', stderr: true });
  try {
    return command === 'backup'
      ? await backup(args.values.config, args.values.output as string, logger, version)
      : await restore(args.values.config, args.positionals[0] as string, logger);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`depot: ${err.message}\n`);
      return 2;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`depot ${command}: ${message}\n`);
    return isDepotError(err, 'BAD_REQUEST') ? 2 : 1;
  } finally {
    await flush();
  }
}
