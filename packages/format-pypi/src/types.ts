/** One distribution file of a hosted project, as kept in the project record. */
export interface StoredFile {
  readonly filename: string;
  readonly version: string;
  readonly packagetype: 'bdist_wheel' | 'sdist';
  readonly python_version: string;
  readonly size: number;
  readonly sha256: string;
  readonly md5: string;
  readonly blake2b_256: string;
  readonly requires_python?: string;
  readonly summary?: string;
  readonly upload_time: string;
  /** SHA-256 of the extracted core metadata (PEP 658), for wheels. */
  readonly core_metadata_sha256?: string;
  /** PEP 592: set when yanked, with the reason (possibly empty). */
  readonly yanked_reason?: string;
  readonly yanked?: boolean;
}

/** A hosted project: its display name and every file, by file name. */
export interface ProjectRecord {
  readonly name: string;
  readonly files: Readonly<Record<string, StoredFile>>;
}

/** One file of a simple project page, in any repository type (PEP 691 terms). */
export interface PageFile {
  readonly filename: string;
  /** Relative to the page URL (`simple/{project}/`), or absolute. */
  readonly url: string;
  readonly hashes: Readonly<Record<string, string>>;
  readonly requires_python?: string;
  /** `false`, `true` (no reason) or the reason. */
  readonly yanked: boolean | string;
  /** `false`, `true` (no hash known) or its hashes. */
  readonly core_metadata: boolean | Readonly<Record<string, string>>;
  readonly size?: number;
  readonly upload_time?: string;
}

/** A simple project page: the data both the HTML and the JSON forms are rendered from. */
export interface ProjectPage {
  readonly name: string;
  readonly files: readonly PageFile[];
}

/** A JSON object parsed from an untrusted document. */
export type JsonObject = { readonly [key: string]: unknown };

/** True for a plain JSON object. */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
