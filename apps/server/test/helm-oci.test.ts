import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/build-once.js';
import { basicAuth, type DepotProcess, startDepot } from './helpers/depot-process.js';
import { packageChart, readChartYaml } from './helpers/helm-client.js';

const run = promisify(execFile);
/** oras from Debian trixie, unpacked by scripts/install-test-deps.sh. */
const ORAS = join(process.env.DEPOT_TEST_DEPS ?? join(REPO_ROOT, '.test-deps'), 'oras', 'root', 'usr', 'bin', 'oras');
const HELM_CONFIG = 'application/vnd.cncf.helm.config.v1+json';
const HELM_CHART = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const hasOras = existsSync(ORAS);
if (!hasOras) console.warn(`skipping the Helm OCI tests: ${ORAS} is missing (run scripts/install-test-deps.sh)`);

let depot: DepotProcess;
let work: string;
let host: string;

const oras = (...args: string[]) =>
  run(ORAS, [...args, '--plain-http', '-u', 'admin', '-p', depot.adminPassword], {
    cwd: work,
    env: { ...process.env, HOME: work, DOCKER_CONFIG: join(work, '.docker') },
    timeout: 60_000,
  });

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'depot-helm-oci-'));
  depot = await startDepot({
    toml: '[[initialization.repositories]]\nname = "charts-oci"\nrepo_type = "hosted"\nformat = "docker"\nstore = "default"\n',
  });
  host = `127.0.0.1:${depot.port}`;
}, 120_000);

afterAll(async () => {
  await depot?.stop();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!hasOras)(
  'Helm charts as OCI artifacts in a Docker repository (helm push/pull oci:// equivalents)',
  () => {
    it('oras pushes a chart with the Helm media types, and pulls the same bytes back', async () => {
      const chart = await packageChart(work, 'mychart', '0.1.0');
      // What `helm push mychart-0.1.0.tgz oci://HOST/charts-oci` uploads: Chart.yaml as JSON config,
      // the archive as the one layer, tagged with the chart version.
      writeFileSync(
        join(work, 'config.json'),
        JSON.stringify({
          apiVersion: 'v2',
          name: 'mychart',
          version: '0.1.0',
          description: 'e2e chart mychart',
          type: 'application',
        }),
      );
      await oras(
        'push',
        `${host}/charts-oci/mychart:0.1.0`,
        '--config',
        `config.json:${HELM_CONFIG}`,
        `mychart-0.1.0.tgz:${HELM_CHART}`,
      );

      const auth = { authorization: basicAuth('admin', depot.adminPassword) };
      const manifestRes = await fetch(`${depot.url}/v2/charts-oci/mychart/manifests/0.1.0`, {
        headers: { ...auth, accept: OCI_MANIFEST },
      });
      expect(manifestRes.status).toBe(200);
      const manifest = (await manifestRes.json()) as {
        config: { mediaType: string };
        layers: { mediaType: string; size: number }[];
      };
      expect(manifest.config.mediaType).toBe(HELM_CONFIG);
      expect(manifest.layers.map((l) => l.mediaType)).toEqual([HELM_CHART]);
      expect(manifest.layers[0]?.size).toBe(readFileSync(chart).length);
      // `helm pull oci://…/mychart` without --version lists the tags first.
      const tags = await fetch(`${depot.url}/v2/charts-oci/mychart/tags/list`, { headers: auth });
      expect(((await tags.json()) as { tags: string[] }).tags).toEqual(['0.1.0']);

      const out = join(work, 'pulled');
      mkdirSync(out);
      await oras('pull', `${host}/charts-oci/mychart:0.1.0`, '-o', out);
      const pulled = readFileSync(join(out, 'mychart-0.1.0.tgz'));
      expect(pulled.equals(readFileSync(chart))).toBe(true);
      expect(await readChartYaml(pulled)).toMatchObject({ name: 'mychart', version: '0.1.0' });
    });

    it('oras manifest fetch by tag names the Helm config media type', async () => {
      const { stdout } = await oras('manifest', 'fetch', `${host}/charts-oci/mychart:0.1.0`);
      expect((JSON.parse(stdout) as { config: { mediaType: string } }).config.mediaType).toBe(HELM_CONFIG);
    });
  },
);
