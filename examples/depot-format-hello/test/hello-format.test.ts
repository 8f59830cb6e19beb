import { createFormatHarness, describeFormat, type FormatHarness } from '@depot/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_GREETING, depotPlugin, HELLO_CHALLENGE, helloFormat } from '../src/index.js';

const filePath = (name: string, version: string): string => `${name}/${version}.txt`;
const LISTED = /^(.+)\/([^/]+)\.txt$/;

// The conformance suite every format runs: upload → listed → download, 404 shape, anonymous 401,
// normalization and the duplicate-upload policy.
describeFormat('hello', {
  format: () => helloFormat(),
  artifact: (name, version, variant) => ({
    name,
    version,
    bytes: new TextEncoder().encode(`${name} ${version} variant ${variant}\n`),
  }),
  upload: (h, repo, a) => h.request({ method: 'PUT', repo, path: filePath(a.name, a.version), body: a.bytes }),
  download: (h, repo, a) => h.request({ method: 'GET', repo, path: filePath(a.name, a.version) }),
  list: async (h, repo) =>
    (await h.engine.list(repo)).artifacts.flatMap((a) => {
      const match = LISTED.exec(a.path);
      return match ? [{ name: match[1] ?? '', version: match[2] ?? '' }] : [];
    }),
  unknownRequest: (h, repo) => h.request({ method: 'GET', repo, path: 'no/such.txt' }),
  expectedNotFoundShape: (res) => expect(res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } }),
  anonymousWrite: { challenge: HELLO_CHALLENGE },
  normalization: [{ upload: './a//b.txt', download: 'a/b.txt' }],
  duplicatePolicy: 'overwrite',
});

describe('hello greeting option', () => {
  let h: FormatHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it.each([
    [{}, DEFAULT_GREETING],
    [{ greeting: 'Good morning' }, 'Good morning'],
  ])('serves X-Greeting from the manifest options %j', async (options, expected) => {
    h = await createFormatHarness({ format: depotPlugin.create(options) });
    await h.createRepo({ name: 'notes' });
    expect((await h.request({ method: 'PUT', repo: 'notes', path: 'a.txt', body: 'hi\n' })).status).toBe(201);
    const res = await h.request({ method: 'GET', repo: 'notes', path: 'a.txt' });
    expect(res.status).toBe(200);
    expect(res.headers['x-greeting']).toBe(expected);
    expect(res.text()).toBe('hi\n');
  });

  it.each([
    [{ greeting: 42 }, 'greeting'],
    [{ greeting: '' }, 'greeting'],
    [{ greeting: 'line\r\nX-Evil: 1' }, 'greeting'],
    [{ greting: 'typo' }, 'greting'],
  ])('refuses options %j naming the key', (options, key) => {
    let caught: unknown;
    try {
      depotPlugin.create(options);
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ code: 'BAD_REQUEST', details: { option: key } });
  });
});
