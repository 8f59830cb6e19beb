import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noopLogger } from '@depot/core';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load-config.js';
import { openServerSecret } from './server-secret.js';

const label = 'apt/signing-key/r';
const bytes = new TextEncoder().encode('private key');
const levelAt = (dir: string) => parseConfig(`[kv_store]\ntype = "level"\npath = "${dir}/kv"\n`, 'test');

describe('openServerSecret', () => {
  it('generates a 0600 secret beside a LevelDB store once, and a restart opens what was sealed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'depot-secret-'));
    const sealed = openServerSecret(levelAt(dir), {}, noopLogger).seal(bytes, label);
    expect(statSync(join(dir, 'server-secret')).mode & 0o777).toBe(0o600);
    const again = openServerSecret(levelAt(dir), {}, noopLogger);
    expect(Buffer.from(again.open(sealed, label)).toString()).toBe('private key');
  });

  it('prefers DEPOT_SERVER_SECRET, then server_secret_file, and refuses a short secret', () => {
    const dir = mkdtempSync(join(tmpdir(), 'depot-secret-'));
    const env = { DEPOT_SERVER_SECRET: 'e'.repeat(40) };
    const sealed = openServerSecret(levelAt(dir), env, noopLogger).seal(bytes, label);
    expect(() => openServerSecret(levelAt(dir), {}, noopLogger).open(sealed, label)).toThrow(
      expect.objectContaining({ code: 'DATA_INTEGRITY_ERROR' }),
    );
    writeFileSync(join(dir, 'file-secret'), `${'e'.repeat(40)}\n`);
    const fromFile = parseConfig(`server_secret_file = "${dir}/file-secret"\n`, 'test');
    expect(Buffer.from(openServerSecret(fromFile, {}, noopLogger).open(sealed, label)).toString()).toBe('private key');
    expect(() => openServerSecret(levelAt(dir), { DEPOT_SERVER_SECRET: 'short' }, noopLogger)).toThrow(
      /at least 32 bytes/,
    );
  });

  it('has no secret for a cluster store unless one is given', () => {
    const config = parseConfig('[kv_store]\ntype = "dynamodb"\ntable = "t"\n', 'test');
    const box = openServerSecret(config, {}, noopLogger);
    expect(box.available).toBe(false);
    expect(() => box.seal(bytes, label)).toThrow(/DEPOT_SERVER_SECRET/);
  });
});
