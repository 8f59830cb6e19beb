import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildIndex, parseIndex, renderIndex } from '../src/index-doc.js';

describe('index.yaml generation', () => {
  const entry = (name: string, version: string) => ({ name, version, urls: [`${name}-${version}.tgz`], digest: 'ab' });

  it('sorts names, and versions newest first by SemVer precedence', () => {
    const doc = buildIndex(
      [
        entry('web', '1.10.0'),
        entry('api', '0.1.0'),
        entry('web', '1.9.0'),
        entry('web', '2.0.0-rc.1'),
        entry('web', '2.0.0'),
      ],
      '2026-01-01T00:00:00Z',
    );
    const parsed = parse(renderIndex(doc)) as { apiVersion: string; entries: Record<string, { version: string }[]> };
    expect(parsed.apiVersion).toBe('v1');
    expect(Object.keys(parsed.entries)).toEqual(['api', 'web']);
    expect(parsed.entries.web?.map((e) => e.version)).toEqual(['2.0.0', '2.0.0-rc.1', '1.10.0', '1.9.0']);
  });

  it('round-trips through parseIndex, dropping entries without URLs and names that disagree', () => {
    const text = renderIndex(buildIndex([entry('web', '1.0.0')], '2026-01-01T00:00:00Z'));
    expect(parseIndex(text, 'test').entries.web?.[0]).toMatchObject({
      name: 'web',
      version: '1.0.0',
      urls: ['web-1.0.0.tgz'],
    });
    const odd = parseIndex(
      'apiVersion: v1\nentries:\n  web:\n  - {name: web, version: 1.0.0}\n  - {name: other, version: 2.0.0, urls: [x.tgz]}\n  - {version: 3.0.0, urls: [w.tgz]}\n',
      'test',
    );
    expect(odd.entries.web?.map((e) => e.version)).toEqual(['3.0.0']);
  });
});
