import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { parse } from 'yaml';

const run = promisify(execFile);

/**
 * A stand-in for the helm CLI (no helm binary is installable here) that speaks to a chart
 * repository exactly as helm 3 does: `helm repo add/update` fetch `{url}/index.yaml`; `helm pull`
 * resolves the version's first URL against the repository URL (with a trailing `/`), sends the
 * credentials only to the repository's own host, and the chart is unpacked to read Chart.yaml.
 * It also checks the index digest, which helm leaves to `--verify`. `helm cm-push` is the
 * ChartMuseum plugin's request: a multipart POST to `{url}/api/charts` (`?force` with --force).
 */
export interface HelmRepo {
  /** The repository URL as given to `helm repo add`, e.g. `http://127.0.0.1:8080/repository/charts`. */
  readonly url: string;
  /** `Authorization` header value (helm's --username/--password become Basic). */
  readonly auth?: string;
}

/** One version in `index.yaml`. */
export interface IndexVersion {
  readonly name: string;
  readonly version: string;
  readonly urls: readonly string[];
  readonly digest?: string;
  readonly created?: string;
  readonly [field: string]: unknown;
}

/** A parsed `index.yaml`. */
export interface IndexYaml {
  readonly apiVersion: string;
  readonly entries: Readonly<Record<string, readonly IndexVersion[]>>;
}

/** Thrown for a failed step, with the HTTP status when there was one. */
export class HelmError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

const headers = (repo: HelmRepo): Record<string, string> =>
  repo.auth === undefined ? {} : { authorization: repo.auth };

/** `helm repo update`: GET `{url}/index.yaml`, parse it, refuse an index without `apiVersion`. */
export async function fetchIndex(repo: HelmRepo): Promise<IndexYaml> {
  const res = await fetch(`${repo.url.replace(/\/+$/, '')}/index.yaml`, { headers: headers(repo) });
  if (res.status !== 200) throw new HelmError(`index.yaml: ${res.status} ${await res.text()}`, res.status);
  const doc = parse(await res.text()) as IndexYaml;
  if (typeof doc?.apiVersion !== 'string') throw new HelmError('no API version specified');
  return doc;
}

/** helm's `ResolveReferenceURL`: a relative chart URL resolves against the repository URL plus `/`. */
export function resolveChartUrl(repoUrl: string, chartUrl: string): URL {
  return new URL(chartUrl, `${repoUrl.replace(/\/+$/, '')}/`);
}

/** Reads `{dir}/Chart.yaml` (the top-level one) from a chart archive. */
export async function readChartYaml(tgz: Uint8Array): Promise<Record<string, unknown>> {
  const tar = extract();
  let found: Record<string, unknown> | undefined;
  const done = new Promise<void>((resolve, reject) => {
    tar.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        if (/^[^/]+\/Chart\.yaml$/.test(header.name)) found = parse(Buffer.concat(chunks).toString('utf8'));
        next();
      });
    });
    tar.on('finish', resolve);
    tar.on('error', reject);
  });
  tar.end(gunzipSync(tgz));
  await done;
  if (found === undefined) throw new HelmError('Chart.yaml file is missing');
  return found;
}

/** What {@link pullChart} returns. */
export interface PulledChart {
  readonly entry: IndexVersion;
  readonly url: string;
  readonly bytes: Buffer;
  readonly chart: Record<string, unknown>;
}

/**
 * `helm pull {repo}/{name} [--version v]`: the newest non-prerelease version when none is given
 * (the index lists versions newest first), download, digest check, Chart.yaml.
 */
export async function pullChart(repo: HelmRepo, name: string, version?: string): Promise<PulledChart> {
  const index = await fetchIndex(repo);
  const versions = index.entries[name] ?? [];
  const entry =
    version === undefined
      ? versions.find((v) => !v.version.includes('-'))
      : versions.find((v) => v.version === version);
  if (entry === undefined)
    throw new HelmError(`chart "${name}"${version ? ` version "${version}"` : ''} not found in ${repo.url}`);
  const url = resolveChartUrl(repo.url, entry.urls[0] ?? '');
  const sameHost = url.host === new URL(repo.url).host;
  const res = await fetch(url, { headers: sameHost ? headers(repo) : {} });
  if (res.status !== 200)
    throw new HelmError(`failed to fetch ${url.href}: ${res.status} ${await res.text()}`, res.status);
  const bytes = Buffer.from(await res.arrayBuffer());
  if (entry.digest !== undefined && createHash('sha256').update(bytes).digest('hex') !== entry.digest) {
    throw new HelmError(`digest mismatch for ${url.href}`);
  }
  return { entry, url: url.href, bytes, chart: await readChartYaml(bytes) };
}

/** `helm cm-push {file} {repo} [--force]`: the multipart POST the ChartMuseum plugin sends. */
export async function cmPush(
  repo: HelmRepo,
  chartPath: string,
  options: { readonly prov?: string; readonly force?: boolean } = {},
): Promise<Response> {
  const boundary = `helmcmpush${createHash('sha1').update(chartPath).digest('hex').slice(0, 16)}`;
  const part = (field: string, file: string): Buffer[] => [
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${basename(file)}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
    readFileSync(file),
    Buffer.from('\r\n'),
  ];
  const body = Buffer.concat([
    ...part('chart', chartPath),
    ...(options.prov === undefined ? [] : part('prov', options.prov)),
    Buffer.from(`--${boundary}--\r\n`),
  ]);
  const url = `${repo.url.replace(/\/+$/, '')}/api/charts${options.force === true ? '?force' : ''}`;
  return fetch(url, {
    method: 'POST',
    headers: { ...headers(repo), 'content-type': `multipart/form-data; boundary=${boundary}` },
    body,
  });
}

/**
 * `helm package`: a chart directory `{work}/{name}` (Chart.yaml, values.yaml, a template) packed
 * with the system's `tar` into `{work}/{name}-{version}.tgz`. Returns the archive's path.
 */
export async function packageChart(
  work: string,
  name: string,
  version: string,
  options: { readonly chartYaml?: string; readonly values?: string } = {},
): Promise<string> {
  const dir = join(work, `src-${name}-${version}-${Math.random().toString(16).slice(2)}`);
  mkdirSync(join(dir, name, 'templates'), { recursive: true });
  writeFileSync(
    join(dir, name, 'Chart.yaml'),
    options.chartYaml ??
      `apiVersion: v2\nname: ${name}\nversion: ${version}\ndescription: e2e chart ${name}\ntype: application\nappVersion: "1.0"\n`,
  );
  writeFileSync(join(dir, name, 'values.yaml'), options.values ?? 'replicaCount: 1\n');
  writeFileSync(join(dir, name, 'templates', 'cm.yaml'), 'kind: ConfigMap\napiVersion: v1\n');
  const out = join(work, `${name}-${version}.tgz`);
  await run('tar', ['-czf', out, '-C', dir, name]);
  return out;
}
