import type { Format } from '@depot/core';
import { describe } from 'vitest';
import type { FormatHarness, FormatHarnessOptions, HarnessResponse, HarnessServer } from './format-harness.js';
import { formatAccessCases } from './internal/format-suite-access.js';
import { formatSuiteCases } from './internal/format-suite-cases.js';
import { formatTopologyCases } from './internal/format-suite-topology.js';

/** One artifact the suite moves around: a package `name` at `version` whose payload is `bytes`. */
export interface SuiteArtifact {
  readonly name: string;
  readonly version: string;
  /** What a download must return byte for byte (compared by SHA-256). */
  readonly bytes: Uint8Array;
}

/** A coordinate a format lists (a package version, an image tag, a file under a directory). */
export interface SuiteListing {
  readonly name: string;
  readonly version: string;
}

/**
 * What a format supplies to {@link describeFormat}: a factory and a few protocol callbacks. Every
 * callback receives a harness, a repository name and (when it moves one) an artifact; callbacks that
 * speak HTTP return the protocol's final response (for multi-step flows the first failing step).
 */
export interface FormatSuiteOptions {
  /** A fresh format for each harness. */
  format(): Format;
  /** Extra harness options (users, settings); the suite sets `format` and `principal`. */
  readonly harness?: Omit<FormatHarnessOptions, 'format' | 'principal'>;
  /** `format_options` of every repository the suite creates. */
  readonly repoOptions?: Readonly<Record<string, unknown>>;
  /**
   * Builds the artifact for `name`@`version`. Bytes must differ between `variant`s (the duplicate and
   * proxy cases upload two variants of one version). Default: 2 KiB of random bytes.
   */
  artifact?(name: string, version: string, variant: number): SuiteArtifact | Promise<SuiteArtifact>;
  /** Publishes `artifact` the protocol's way. Success is any 2xx. */
  upload(h: FormatHarness, repo: string, artifact: SuiteArtifact): Promise<HarnessResponse>;
  /** Fetches `artifact` the protocol's way; a 200 whose body is the artifact's bytes. */
  download(h: FormatHarness, repo: string, artifact: SuiteArtifact): Promise<HarnessResponse>;
  /**
   * Deletes `artifact` the protocol's way (success is any 2xx). When given, the suite checks that a
   * read-only user gets 403 and an anonymous one 401, and the artifact stays.
   */
  remove?(h: FormatHarness, repo: string, artifact: SuiteArtifact): Promise<HarnessResponse>;
  /** What the repository lists (through the protocol when it has a listing, else `h.engine`). */
  list(h: FormatHarness, repo: string): Promise<readonly SuiteListing[]>;
  /** A read of something that does not exist; must answer 404. */
  unknownRequest(h: FormatHarness, repo: string): Promise<HarnessResponse>;
  /** Asserts the 404 of `unknownRequest` has the protocol's error shape (throw or `expect`). */
  expectedNotFoundShape(res: HarnessResponse): void;
  /**
   * Anonymous uploads must answer 401 (default: checked). `challenge` is what `WWW-Authenticate`
   * must equal or match; without it the header must be present when the runtime has `challenge()`.
   */
  readonly anonymousWrite?: false | { readonly challenge?: string | RegExp };
  /** Names that must reach the same artifact: upload as `upload`, download as `download`. */
  readonly normalization?: readonly { readonly upload: string; readonly download: string }[];
  /** Re-uploading a version: replaces it, or answers the given status and keeps the first bytes. */
  readonly duplicatePolicy?: 'overwrite' | { readonly reject: number };
  /** The cache repository's `upstream_url` for a hosted `origin` served at `server` (default `/repository/{origin}`). */
  upstreamUrl?(server: HarnessServer, origin: string): string;
}

/**
 * The conformance suite every format runs (STYLE.md "One conformance suite per contract"): upload →
 * listed → download matches; unknown → 404 in the protocol's shape; anonymous write → 401 with the
 * challenge; a read-only user's upload and delete → 403 (anonymous delete → 401); name normalization; duplicate-version policy; cache mode against a real HTTP upstream;
 * proxy mode across two members. Cache and proxy cases run when the format declares those repo types.
 *
 * @example
 * describeFormat('raw', {
 *   format: () => rawFormat(),
 *   upload: (h, repo, a) => h.request({ method: 'PUT', repo, path: `${a.name}/${a.version}/f.bin`, body: a.bytes }),
 *   download: (h, repo, a) => h.request({ method: 'GET', repo, path: `${a.name}/${a.version}/f.bin` }),
 *   list: async (h, repo) => (await h.engine.list(repo)).artifacts.map((x) => parseCoordinates(x.path)),
 *   unknownRequest: (h, repo) => h.request({ method: 'GET', repo, path: 'no/such/file' }),
 *   expectedNotFoundShape: (res) => expect(res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } }),
 *   anonymousWrite: { challenge: 'Basic realm="Depot"' },
 *   duplicatePolicy: 'overwrite',
 * });
 */
export function describeFormat(name: string, options: FormatSuiteOptions): void {
  describe(`describeFormat(${name})`, () => {
    formatSuiteCases(options);
    formatAccessCases(options);
    formatTopologyCases(options);
  });
}
