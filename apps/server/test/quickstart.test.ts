import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/build-once.js';
import { api, type DepotProcess, startDepot } from './helpers/depot-process.js';

// `npm start` runs config/quickstart.toml on port 8080; here its repositories are declared on a free
// port and a temp data dir (the helper's own [http], [kv_store] and `default` store).
const QUICKSTART = join(REPO_ROOT, 'config/quickstart.toml');

interface RepoDecl {
  readonly name: string;
  readonly format: string;
  readonly repo_type: string;
}

let depot: DepotProcess | undefined;
afterAll(async () => {
  await depot?.stop();
});

describe('config/quickstart.toml', () => {
  it('declares a raw, a docker and an npm-cache repository that all initialize and answer', async () => {
    const text = readFileSync(QUICKSTART, 'utf8');
    const declared = (parse(text) as unknown as { initialization: { repositories: RepoDecl[] } }).initialization
      .repositories;
    expect(declared.map((r) => `${r.name}:${r.format}:${r.repo_type}`).sort()).toEqual([
      'docker-hosted:docker:hosted',
      'npmjs:npm:cache',
      'raw-hosted:raw:hosted',
    ]);
    const repositories = text.slice(text.indexOf('[[initialization.repositories]]'));
    depot = await startDepot({ toml: repositories });
    const client = api(depot);
    const listed = await client.get<RepoDecl[]>('/api/v1/repositories');
    expect(listed.body.map((r) => r.name).sort()).toEqual(['docker-hosted', 'npmjs', 'raw-hosted']);
    const put = await fetch(`${depot.url}/repository/raw-hosted/hello.txt`, {
      method: 'PUT',
      body: 'hello',
      headers: { authorization: client.authorization },
    });
    expect(put.status).toBe(201);
    const tags = await fetch(`${depot.url}/v2/docker-hosted/app/tags/list`, {
      headers: { authorization: client.authorization },
    });
    expect(tags.status).toBe(404);
    expect(((await tags.json()) as { errors: { code: string }[] }).errors[0]?.code).toBe('NAME_UNKNOWN');
  });
});
