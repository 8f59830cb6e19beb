/** One version's manifest inside a packument (the fields Depot reads; the rest is kept as sent). */
export interface PackumentVersion {
  readonly name: string;
  readonly version: string;
  readonly dist: PackumentDist;
  readonly deprecated?: string;
  readonly [field: string]: unknown;
}

/** `dist` of a version: where the tarball is and what its bytes hash to. */
export interface PackumentDist {
  readonly tarball: string;
  readonly integrity?: string;
  readonly shasum?: string;
  readonly [field: string]: unknown;
}

/** A full npm packument (registry "package document"). */
export interface Packument {
  readonly _id?: string;
  readonly name: string;
  readonly 'dist-tags': Readonly<Record<string, string>>;
  readonly versions: Readonly<Record<string, PackumentVersion>>;
  readonly time?: Readonly<Record<string, string>>;
  readonly [field: string]: unknown;
}

/** A hosted packument as kept in KV: the document plus its CouchDB-style revision. */
export interface StoredPackument {
  readonly seq: number;
  readonly rev: string;
  readonly doc: Packument;
}

/** A JSON object parsed from an untrusted body. */
export type JsonObject = { readonly [key: string]: unknown };

/** True for a plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `obj[key]` when it is the object's own property (never something inherited from the prototype). */
export function own<T>(obj: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return obj !== undefined && Object.hasOwn(obj, key) ? obj[key] : undefined;
}
