import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { runEmbedExample } from '../src/embed.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

it('runs the embedding example end to end on real LevelDB and filesystem stores', async () => {
  dir = await mkdtemp(join(tmpdir(), 'depot-embed-test-'));
  const lines: string[] = [];
  const report = await runEmbedExample(dir, (line) => lines.push(line));
  const body = 'hello from an embedded depot\n';
  expect(report).toEqual({
    refused: 'BAD_REQUEST',
    stored: {
      path: 'docs/hello.txt',
      size: Buffer.byteLength(body),
      sha256: createHash('sha256').update(body).digest('hex'),
    },
    readBack: body,
    listed: ['docs/hello.txt'],
    deleted: true,
    foundAfterDelete: false,
    repositoriesAfterDelete: [],
  });
  expect(lines).toHaveLength(5);
  // Both stores were really opened on disk.
  expect((await readdir(dir)).sort()).toEqual(['blobs', 'kv']);
});
