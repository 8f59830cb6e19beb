import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type MotoServer, startMoto } from '@depot/testkit';

/**
 * The KV + blob backend a test depot runs on: LevelDB + a file store in its data dir (the default),
 * or DynamoDB + S3 served by moto.
 */
export type Backend = 'level-fs' | 'dynamodb-s3';

/** Every backend {@link describeEachBackend} knows, in the order suites run. */
export const BACKENDS: readonly Backend[] = ['level-fs', 'dynamodb-s3'];

const tomlString = (s: string): string => JSON.stringify(s);

// One moto server per test file, started by the first depot (or suite) that needs it and stopped
// when the last one lets go. Each depot gets its own table prefix and bucket on it.
let shared: { moto: Promise<MotoServer>; users: number } | null = null;

/** Takes a reference on this file's moto server, starting it when none runs. */
export function acquireMoto(): Promise<MotoServer> {
  if (shared === null) {
    const moto = startMoto();
    shared = { moto, users: 0 };
    // A failed start must not stay cached: the next caller tries again.
    moto.catch(() => {
      if (shared?.moto === moto) shared = null;
    });
  }
  shared.users++;
  return shared.moto;
}

/** Drops a reference taken by {@link acquireMoto}; the last one stops the server. */
export async function releaseMoto(): Promise<void> {
  if (shared === null) return;
  shared.users--;
  if (shared.users > 0) return;
  const { moto } = shared;
  shared = null;
  await (await moto.catch(() => null))?.stop();
}

/** A fresh name for one depot's DynamoDB table prefix and S3 bucket (lowercase, bucket-safe). */
function uniqueName(): string {
  return `depot-e2e-${randomBytes(6).toString('hex')}`;
}

/** What {@link backendToml} writes. */
export interface BackendTomlOptions {
  /** Holds LevelDB (`kv/`) and the file store (`blobs/`) on `level-fs`. */
  readonly dataDir: string;
  /** Write the `[kv_store]` table. */
  readonly kv: boolean;
  /** Write the `default` store. */
  readonly store: boolean;
  /** Serves DynamoDB and S3 on `dynamodb-s3`. */
  readonly moto?: MotoServer;
}

/** The `[kv_store]` table and the `default` store of `backend` (each when asked for) as TOML. */
export function backendToml(backend: Backend, options: BackendTomlOptions): string {
  const parts: string[][] = [];
  if (backend === 'level-fs') {
    if (options.kv) parts.push(['[kv_store]', 'type = "level"', `path = ${tomlString(join(options.dataDir, 'kv'))}`]);
    if (options.store)
      parts.push([...STORE_HEAD, 'store_type = "file"', `root = ${tomlString(join(options.dataDir, 'blobs'))}`]);
    return parts.map((p) => p.join('\n')).join('\n\n');
  }
  const { moto } = options;
  if (moto === undefined) throw new Error('the dynamodb-s3 backend needs a moto server');
  const name = uniqueName();
  const aws = [
    `endpoint = ${tomlString(moto.endpoint)}`,
    `access_key_id = ${tomlString(moto.credentials.access_key_id)}`,
    `secret_access_key = ${tomlString(moto.credentials.secret_access_key)}`,
  ];
  if (options.kv)
    parts.push([
      '[kv_store]',
      'type = "dynamodb"',
      `table_prefix = ${tomlString(name)}`,
      'create_table = true',
      ...aws,
    ]);
  if (options.store)
    parts.push([
      ...STORE_HEAD,
      'store_type = "s3"',
      `bucket = ${tomlString(name)}`,
      'force_path_style = true',
      'create_bucket = true',
      ...aws,
    ]);
  return parts.map((p) => p.join('\n')).join('\n\n');
}

const STORE_HEAD = ['[[initialization.stores]]', 'name = "default"'];
