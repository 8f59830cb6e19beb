import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  createSecretBox,
  type Logger,
  MIN_SERVER_SECRET_BYTES,
  type SecretBox,
  unavailableSecretBox,
} from '@depot/core';
import type { DepotConfig } from '../config/config-schema.js';
import { ConfigError } from '../config/load-config.js';

/** The environment variable that carries the server secret (wins over the config file). */
export const SERVER_SECRET_ENV = 'DEPOT_SERVER_SECRET';

/**
 * The server secret that seals private keys in KV, from (first found): `DEPOT_SERVER_SECRET`,
 * `server_secret_file`, or — for a single-node LevelDB store only — a file `server-secret` beside
 * the LevelDB directory, generated (32 random bytes, mode 0600) on first start. Instances sharing a
 * cluster store must be given the same secret; without one, sealing fails with a message naming
 * this setting, and everything else works.
 */
export function openServerSecret(config: DepotConfig, env: NodeJS.ProcessEnv, logger: Logger): SecretBox {
  const fromEnv = env[SERVER_SECRET_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return boxOf(Buffer.from(fromEnv, 'utf8'), SERVER_SECRET_ENV);
  if (config.server_secret_file !== undefined) {
    return boxOf(readSecretFile(config.server_secret_file, 'server_secret_file'), 'server_secret_file');
  }
  if (config.kv_store.type !== 'level') {
    logger.warn(
      {},
      `no server secret: set ${SERVER_SECRET_ENV} or server_secret_file (the same on every instance) to store signing keys`,
    );
    return unavailableSecretBox(`set ${SERVER_SECRET_ENV} or server_secret_file`);
  }
  const path = join(
    dirname(typeof config.kv_store.path === 'string' ? config.kv_store.path : './depot-data/kv'),
    'server-secret',
  );
  return boxOf(readOrCreate(path), path);
}

function boxOf(secret: Uint8Array, source: string): SecretBox {
  if (secret.byteLength < MIN_SERVER_SECRET_BYTES) {
    throw new ConfigError(`${source}: the server secret must be at least ${MIN_SERVER_SECRET_BYTES} bytes`);
  }
  return createSecretBox(secret);
}

function readSecretFile(path: string, source: string): Buffer {
  try {
    return Buffer.from(readFileSync(path, 'utf8').trim(), 'utf8');
  } catch (err) {
    throw new ConfigError(`${source}: cannot read ${path}: ${(err as Error).message}`);
  }
}

/** Reads the generated secret, creating it exclusively (`wx`) so two starts never disagree. */
function readOrCreate(path: string): Buffer {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    try {
      writeFileSync(path, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return readSecretFile(path, path);
}
