import { decodeCase } from '@depot/format-go';
import { describeFormat } from '@depot/testkit';
import { expect } from 'vitest';
import { goFormat } from '../src/index.js';
import { goVersionOf, modulePathOf, simpleModule, uploadModule } from './helpers.js';

const enc = (s: string): string => s.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);

describeFormat('golang', {
  format: () => goFormat(),
  artifact: (name, version, variant) => ({
    name,
    version,
    bytes: simpleModule(modulePathOf(name), goVersionOf(version), variant),
  }),
  upload: (h, repo, a) => uploadModule(h, repo, modulePathOf(a.name), goVersionOf(a.version), a.bytes),
  download: (h, repo, a) =>
    h.request({ method: 'GET', repo, path: `${enc(modulePathOf(a.name))}/@v/${enc(goVersionOf(a.version))}.zip` }),
  async list(h, repo) {
    const out: { name: string; version: string }[] = [];
    for (const a of (await h.engine.list(repo)).artifacts) {
      const m = /^example\.com\/(.+)\/@v\/v(.+)\.info$/.exec(a.path);
      if (m !== null) out.push({ name: decodeCase(m[1] as string) ?? '', version: decodeCase(m[2] as string) ?? '' });
    }
    return out;
  },
  unknownRequest: (h, repo) => h.request({ method: 'GET', repo, path: 'example.com/nothing/@v/v1.0.0.zip' }),
  expectedNotFoundShape(res) {
    expect(res.json<{ error: string; code: string }>()).toMatchObject({ error: expect.any(String), code: 'NOT_FOUND' });
  },
  anonymousWrite: { challenge: 'Basic realm="depot"' },
  duplicatePolicy: { reject: 409 },
});
