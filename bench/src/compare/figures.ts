import type { FigureDef } from './types.js';

/** Every figure `compare` can produce, in report order, with its peer and target. */
export const FIGURES: readonly FigureDef[] = [
  {
    name: 'raw-download-10m',
    title: 'raw download 10 MiB @16 conns',
    unit: 'MB/s',
    peer: 'nginx',
    target: { kind: 'ratio', min: 0.6 },
  },
  {
    name: 'raw-download-1k',
    title: 'raw download 1 KiB @64 conns',
    unit: 'req/s',
    peer: 'nginx',
    target: { kind: 'ratio', min: 0.5 },
  },
  {
    name: 'raw-download-1k-basic',
    title: 'raw download 1 KiB @64, Basic auth vs anonymous',
    unit: 'req/s',
    peer: 'depot anonymous',
    target: { kind: 'ratio', min: 0.8 },
  },
  {
    name: 'raw-upload-1g',
    title: 'raw upload 1 GiB durable',
    unit: 'MB/s',
    peer: 'dd',
    target: { kind: 'ratio', min: 0.8 },
  },
  {
    name: 'docker-push-64m',
    title: 'docker push 64 MiB layer',
    unit: 'MB/s',
    peer: 'docker-registry',
    target: { kind: 'ratio', min: 1.5 },
  },
  {
    name: 'docker-push-4k',
    title: 'docker push 4 KiB layers @16',
    unit: 'req/s',
    peer: 'docker-registry',
    target: { kind: 'ratio', min: 2 },
  },
  {
    name: 'docker-manifest-put',
    title: 'docker manifest PUT @16',
    unit: 'req/s',
    peer: 'docker-registry',
    target: { kind: 'ratio', min: 2 },
  },
  {
    name: 'docker-manifest-get',
    title: 'docker manifest GET @16',
    unit: 'req/s',
    peer: 'docker-registry',
    target: { kind: 'ratio', min: 2 },
  },
  {
    name: 'docker-blob-get-4k',
    title: 'docker 4 KiB blob GET @16',
    unit: 'req/s',
    peer: 'docker-registry',
    target: { kind: 'ratio', min: 2 },
  },
  {
    name: 'docker-pull-64m',
    title: 'docker pull 64 MiB image @4',
    unit: 'MB/s',
    peer: 'docker-registry',
    target: { kind: 'ratio', min: 0.8 },
  },
  {
    name: 'npm-packument',
    title: 'npm packument GET (20 versions) @32',
    unit: 'req/s',
    peer: 'verdaccio',
    target: { kind: 'ratio', min: 3 },
  },
  {
    name: 'npm-tarball',
    title: 'npm tarball GET 5 MiB @8',
    unit: 'MB/s',
    peer: 'verdaccio',
    target: { kind: 'ratio', min: 1 },
  },
  {
    name: 'helm-index-1000',
    title: 'helm index.yaml GET (1,000 chart versions) @16',
    unit: 'req/s',
    peer: 'nginx',
    target: { kind: 'ratio', min: 0.5 },
  },
  {
    name: 'yum-repomd',
    title: 'yum repodata/repomd.xml GET (5,000 rpms) @16',
    unit: 'req/s',
    peer: 'nginx',
    target: { kind: 'ratio', min: 0.5 },
  },
  {
    name: 'yum-primary',
    title: 'yum primary.xml.gz GET (5,000 rpms) @16',
    unit: 'req/s',
    peer: 'nginx',
    target: { kind: 'ratio', min: 0.5 },
  },
  {
    name: 'pypi-simple-json',
    title: 'pypi simple page GET, PEP 691 JSON (20 versions) @16',
    unit: 'req/s',
    peer: 'nginx',
    target: { kind: 'ratio', min: 0.5 },
  },
  {
    name: 'pypi-simple-html',
    title: 'pypi simple page GET, HTML (20 versions) @16',
    unit: 'req/s',
    peer: 'nginx',
    target: { kind: 'ratio', min: 0.5 },
  },
  {
    name: 'pypi-wheel-10m',
    title: 'pypi wheel GET 10 MiB @8',
    unit: 'MB/s',
    peer: 'nginx',
    target: { kind: 'ratio', min: 0.6 },
  },
  {
    name: 'go-info-mod',
    title: 'go .info and .mod GET (20 versions) @16',
    unit: 'req/s',
    peer: 'nginx',
    target: { kind: 'ratio', min: 0.5 },
  },
  {
    name: 'go-zip-10m',
    title: 'go module .zip GET 10 MiB @8',
    unit: 'MB/s',
    peer: 'nginx',
    target: { kind: 'ratio', min: 0.6 },
  },
  {
    name: 'cargo-index',
    title: 'cargo index file GET (20 versions) @16',
    unit: 'req/s',
    peer: 'nginx',
    target: { kind: 'ratio', min: 0.5 },
  },
  {
    name: 'cargo-index-304',
    title: 'cargo index file GET with If-None-Match (304) @16',
    unit: 'req/s',
    peer: 'nginx',
    target: { kind: 'ratio', min: 0.5 },
  },
  {
    name: 'cargo-crate-5m',
    title: 'cargo .crate download 5 MiB @8',
    unit: 'MB/s',
    peer: 'nginx',
    target: { kind: 'ratio', min: 0.5 },
  },
  { name: 'rss-idle', title: 'depot RSS idle', unit: 'MB', peer: null, target: { kind: 'max-mb', max: 100 } },
  {
    name: 'rss-mixed',
    title: 'depot RSS max under raw-mixed @64',
    unit: 'MB',
    peer: null,
    target: { kind: 'max-mb', max: 300 },
  },
];

/** The definition of figure `name` (throws on an unknown name). */
export function figure(name: string): FigureDef {
  const f = FIGURES.find((x) => x.name === name);
  if (!f) throw new Error(`unknown figure ${name}; known: ${FIGURES.map((x) => x.name).join(', ')}`);
  return f;
}
