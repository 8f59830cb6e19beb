import { isDepotError } from '@depot/core';
import { describe, expect, it } from 'vitest';
import { inspectChart } from '../src/chart-inspect.js';
import { parseChartYaml } from '../src/chart-yaml.js';
import { chartYaml, makeTgz } from './helpers.js';

const code = async (promise: Promise<unknown>): Promise<string> => {
  try {
    await promise;
  } catch (err) {
    return isDepotError(err) ? err.code : `not a DepotError: ${String(err)}`;
  }
  return 'no error';
};
const syncCode = (fn: () => unknown): Promise<string> => code(Promise.resolve().then(fn));

describe('parseChartYaml', () => {
  it('keeps every field helm copies into index.yaml', () => {
    const chart = parseChartYaml(
      [
        'apiVersion: v2',
        'name: web',
        'version: 1.2.3-rc.1+build.5',
        'appVersion: 4.5',
        'description: a web app',
        'home: https://example.com',
        'icon: https://example.com/icon.png',
        'sources: [https://github.com/x/web]',
        'keywords: [web, http]',
        'maintainers: [{name: Ann, email: ann@example.com}]',
        'dependencies: [{name: redis, version: 17.x, repository: https://charts.example.com, condition: redis.enabled}]',
        'type: application',
        'deprecated: true',
        'annotations: {category: Web}',
        'kubeVersion: ">=1.22.0"',
      ].join('\n'),
    );
    expect(chart).toEqual({
      apiVersion: 'v2',
      name: 'web',
      version: '1.2.3-rc.1+build.5',
      appVersion: '4.5',
      description: 'a web app',
      home: 'https://example.com',
      icon: 'https://example.com/icon.png',
      sources: ['https://github.com/x/web'],
      keywords: ['web', 'http'],
      maintainers: [{ name: 'Ann', email: 'ann@example.com' }],
      dependencies: [
        { name: 'redis', version: '17.x', repository: 'https://charts.example.com', condition: 'redis.enabled' },
      ],
      type: 'application',
      deprecated: true,
      annotations: { category: 'Web' },
      kubeVersion: '>=1.22.0',
    });
  });

  it.each([
    ['no name', 'version: 1.0.0\n'],
    ['no version', 'name: web\n'],
    ['a version that is not SemVer 2', 'name: web\nversion: 1.0\n'],
    ['a version with a v prefix', 'name: web\nversion: v1.0.0\n'],
    ['a name with a slash', 'name: ../web\nversion: 1.0.0\n'],
    ['not a mapping', '- a\n- b\n'],
    ['not YAML', 'name: [unclosed\n'],
    ['YAML aliases', 'a: &a [x, x]\nname: *a\nversion: 1.0.0\n'],
  ])('refuses %s with BAD_REQUEST', async (_, text) => {
    expect(await syncCode(() => parseChartYaml(text))).toBe('BAD_REQUEST');
  });
});

describe('inspectChart', () => {
  const one = (bytes: Uint8Array): AsyncIterable<Uint8Array> =>
    (async function* () {
      // Small chunks, so entries straddle writes.
      for (let i = 0; i < bytes.byteLength; i += 7) yield bytes.subarray(i, i + 7);
    })();

  it('reads the top-level Chart.yaml, not a subchart one', async () => {
    const tgz = makeTgz([
      { path: 'web/charts/redis/Chart.yaml', body: chartYaml('redis', '9.9.9') },
      { path: 'web/', type: '5' },
      { path: 'web/Chart.yaml', body: chartYaml('web', '1.0.0') },
    ]);
    expect(await inspectChart(one(tgz))).toMatchObject({ name: 'web', version: '1.0.0' });
  });

  it.each([
    ['no Chart.yaml', [{ path: 'web/values.yaml', body: 'a: 1\n' }], 'BAD_REQUEST'],
    [
      'a ../ entry',
      [
        { path: 'web/Chart.yaml', body: chartYaml('web', '1.0.0') },
        { path: 'web/../../x', body: 'x' },
      ],
      'BAD_REQUEST',
    ],
    [
      'an absolute entry',
      [
        { path: '/etc/x', body: 'x' },
        { path: 'web/Chart.yaml', body: chartYaml('web', '1.0.0') },
      ],
      'BAD_REQUEST',
    ],
    [
      'a symlink',
      [
        { path: 'web/Chart.yaml', body: chartYaml('web', '1.0.0') },
        { path: 'web/l', type: '2', link: '/etc/passwd' },
      ],
      'BAD_REQUEST',
    ],
    [
      'a hard link',
      [
        { path: 'web/Chart.yaml', body: chartYaml('web', '1.0.0') },
        { path: 'web/h', type: '1', link: 'web/Chart.yaml' },
      ],
      'BAD_REQUEST',
    ],
    [
      'two top-level Chart.yaml',
      [
        { path: 'a/Chart.yaml', body: chartYaml('a', '1.0.0') },
        { path: 'b/Chart.yaml', body: chartYaml('b', '1.0.0') },
      ],
      'BAD_REQUEST',
    ],
    [
      'an oversized Chart.yaml',
      [{ path: 'web/Chart.yaml', body: `${chartYaml('web', '1.0.0')}#${'x'.repeat(2 * 1024 * 1024)}\n` }],
      'PAYLOAD_TOO_LARGE',
    ],
  ] as const)('refuses a chart with %s', async (_, entries, expected) => {
    expect(await code(inspectChart(one(makeTgz(entries))))).toBe(expected);
  });

  it('refuses a gzip bomb and an archive with too many entries', async () => {
    const limits = { maxChartYamlBytes: 1024 * 1024, maxUnpackedBytes: 1024 * 1024, maxEntries: 10 };
    const bomb = makeTgz([
      { path: 'web/Chart.yaml', body: chartYaml('web', '1.0.0') },
      { path: 'web/zeros', body: new Uint8Array(2 * 1024 * 1024) },
    ]);
    expect(bomb.byteLength).toBeLessThan(16 * 1024);
    expect(await code(inspectChart(one(bomb), limits))).toBe('BAD_REQUEST');
    const many = makeTgz([
      { path: 'web/Chart.yaml', body: chartYaml('web', '1.0.0') },
      ...Array.from({ length: 20 }, (_, i) => ({ path: `web/f${i}`, body: 'x' })),
    ]);
    expect(await code(inspectChart(one(many), limits))).toBe('BAD_REQUEST');
  });

  it('refuses a body that is not gzip, and a truncated one', async () => {
    expect(await code(inspectChart(one(new TextEncoder().encode('<html>not a chart</html>'))))).toBe('BAD_REQUEST');
    const tgz = makeTgz([{ path: 'web/Chart.yaml', body: chartYaml('web', '1.0.0') }]);
    expect(await code(inspectChart(one(tgz.subarray(0, tgz.byteLength - 12))))).toBe('BAD_REQUEST');
  });
});
