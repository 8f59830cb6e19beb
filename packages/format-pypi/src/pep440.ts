/** A parsed PEP 440 version, enough to order versions. */
interface Parsed {
  readonly epoch: number;
  readonly release: readonly number[];
  /** Pre-release as [rank, number]: a/alpha 0, b/beta 1, rc/c/pre/preview 2; absent → none. */
  readonly pre?: readonly [number, number];
  readonly post?: number;
  readonly dev?: number;
  readonly local: string;
}

const SHAPE =
  /^v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\d*))?(?:-(\d+)|[-_.]?(post|rev|r)[-_.]?(\d*))?(?:[-_.]?(dev)[-_.]?(\d*))?(?:\+(.*))?$/i;
const PRE_RANK: Readonly<Record<string, number>> = { a: 0, alpha: 0, b: 1, beta: 1, c: 2, rc: 2, pre: 2, preview: 2 };

function parse(version: string): Parsed | null {
  const m = SHAPE.exec(version.trim());
  if (m === null) return null;
  const [, epoch, release = '0', preL, preN, postImplicit, postL, postN, dev, devN, local] = m;
  const postText = postImplicit ?? (postL === undefined ? undefined : (postN ?? ''));
  return {
    epoch: Number(epoch ?? 0),
    release: release.split('.').map(Number),
    ...(preL === undefined ? {} : { pre: [PRE_RANK[preL.toLowerCase()] ?? 2, Number(preN || 0)] as const }),
    ...(postText !== undefined ? { post: Number(postText || 0) } : {}),
    ...(dev === undefined ? {} : { dev: Number(devN || 0) }),
    local: (local ?? '').toLowerCase(),
  };
}

function compareRelease(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** Sort key of the pre-release part: dev-only releases come before any pre-release. */
function preKey(v: Parsed): readonly [number, number] {
  if (v.pre !== undefined) return v.pre;
  if (v.post === undefined && v.dev !== undefined) return [-1, 0];
  return [3, 0];
}

/**
 * Orders two PEP 440 versions (epoch, release, pre, post, dev, local). Strings that do not parse
 * sort before every valid version, among themselves by code point.
 */
export function compareVersions(left: string, right: string): number {
  const a = parse(left);
  const b = parse(right);
  if (a === null || b === null) {
    if (a !== null) return 1;
    if (b !== null) return -1;
    return left < right ? -1 : left > right ? 1 : 0;
  }
  if (a.epoch !== b.epoch) return Math.sign(a.epoch - b.epoch);
  const release = compareRelease(a.release, b.release);
  if (release !== 0) return release;
  const [ap, an] = preKey(a);
  const [bp, bn] = preKey(b);
  if (ap !== bp) return Math.sign(ap - bp);
  if (an !== bn) return Math.sign(an - bn);
  const apost = a.post ?? -1;
  const bpost = b.post ?? -1;
  if (apost !== bpost) return Math.sign(apost - bpost);
  const adev = a.dev ?? Number.POSITIVE_INFINITY;
  const bdev = b.dev ?? Number.POSITIVE_INFINITY;
  if (adev !== bdev) return adev < bdev ? -1 : 1;
  return a.local < b.local ? -1 : a.local > b.local ? 1 : 0;
}

/** True for a pre- or dev-release. */
export function isPrerelease(version: string): boolean {
  const v = parse(version);
  return v !== null && (v.pre !== undefined || v.dev !== undefined);
}
