import { defineConfig } from 'vitest/config';

const project = (name: string, root: string, extra: Record<string, unknown> = {}) => ({
  extends: true as const,
  test: { name, root, include: ['src/**/*.test.ts', 'test/**/*.test.ts'], ...extra },
});

export default defineConfig({
  resolve: { conditions: ['depot-src'] },
  ssr: { resolve: { conditions: ['depot-src'] } },
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      project('core', 'packages/core'),
      project('testkit', 'packages/testkit'),
      project('store-level', 'packages/store-level'),
      project('store-fs', 'packages/store-fs'),
      project('store-s3', 'packages/store-s3'),
      project('store-dynamodb', 'packages/store-dynamodb'),
      project('format-raw', 'packages/format-raw'),
      project('format-docker', 'packages/format-docker'),
      project('format-npm', 'packages/format-npm'),
      project('format-helm', 'packages/format-helm'),
      project('format-go', 'packages/format-go'),
      project('format-pypi', 'packages/format-pypi'),
      project('format-cargo', 'packages/format-cargo'),
      project('format-apt', 'packages/format-apt'),
      project('format-yum', 'packages/format-yum'),
      project('signing', 'packages/signing'),
      project('server', 'apps/server'),
      project('bench', 'bench'),
      project('integration', 'packages/integration'),
      project('example-format-hello', 'examples/depot-format-hello'),
      project('example-embed-core', 'examples/embed-core'),
    ],
  },
});
