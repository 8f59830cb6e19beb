/** A small deterministic PRNG (mulberry32), so `demo --seed N` always builds the same data. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
}

/** Raw repository names, in the order `demo` creates them. */
export const RAW_REPOS = ['releases', 'snapshots', 'build-cache', 'firmware', 'docs-site', 'datasets'];
/** Docker repository names. */
export const DOCKER_REPOS = ['containers', 'containers-dev', 'base-images'];
/** Image names (one path segment: Depot serves `/v2/{repo}/{image}`). */
export const IMAGES = ['api', 'web', 'worker', 'builder', 'gateway', 'scheduler', 'postgres-tools'];
/** npm package names, scoped and unscoped. */
export const NPM_PACKAGES = ['@acme/utils', 'acme-cli', '@acme/logger', 'left-pad-lite', '@acme/ui-kit', 'fast-json-x'];

const PROJECTS = ['payments', 'inventory', 'auth-service', 'frontend', 'etl', 'mobile-app', 'sdk'];
const KINDS: readonly (readonly [string, string])[] = [
  ['tar.gz', 'dist'],
  ['zip', 'bundle'],
  ['jar', 'lib'],
  ['sha256', 'checksums'],
  ['json', 'manifest'],
  ['bin', 'firmware'],
];

/** A realistic nested raw path such as `com/acme/payments/2.3.1/payments-2.3.1-dist.tar.gz`. */
export function rawArtifactPath(rng: Rng): string {
  const project = rng.pick(PROJECTS);
  const version = `${rng.int(0, 4)}.${rng.int(0, 12)}.${rng.int(0, 30)}`;
  const [ext, kind] = rng.pick(KINDS);
  return `com/acme/${project}/${version}/${project}-${version}-${kind}.${ext}`;
}
