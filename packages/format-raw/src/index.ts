import {
  assertKnownOptions,
  badRequest,
  type Format,
  type FormatPluginManifest,
  notAllowed,
  positiveIntegerOption,
} from '@depot/core';
import { validateRawRepositoryOptions } from './options.js';
import { deleteArtifact } from './routes/delete.js';
import { readArtifact } from './routes/read.js';
import { uploadArtifact } from './routes/upload.js';

/** Options of {@link rawFormat}. */
export interface RawFormatOptions {
  /** Largest accepted upload in bytes (default: unlimited; the server's own limit still applies). */
  readonly maxUploadBytes?: number;
}

/** The `WWW-Authenticate` challenge raw clients (curl, wget, Maven wagons) answer with Basic auth. */
export const RAW_CHALLENGE = 'Basic realm="Depot"';

/**
 * The raw format: any file at any path. `PUT` stores (201 + artifact JSON), `GET`/`HEAD` serve with
 * ETag = BLAKE3, checksums, Last-Modified, Content-Disposition, conditional requests (304) and single
 * byte ranges (206/416), `DELETE` removes (204). Hosted, cache and proxy repositories.
 */
export function rawFormat(options: RawFormatOptions = {}): Format {
  const { maxUploadBytes } = options;
  if (maxUploadBytes !== undefined && !(Number.isSafeInteger(maxUploadBytes) && maxUploadBytes > 0)) {
    throw badRequest('maxUploadBytes must be a positive integer', { field: 'maxUploadBytes' });
  }
  return {
    name: 'raw',
    capabilities: { repoTypes: ['hosted', 'cache', 'proxy'], expiresHostedArtifacts: true },
    // Cached copies get a SHA-256 too, so X-Checksum-Sha256 is served for them as for uploads.
    cachePolicy: { algorithms: ['sha256'] },
    validateRepositoryOptions: (repoOptions) => validateRawRepositoryOptions(repoOptions),
    init: () => ({
      async handle(req) {
        switch (req.method) {
          case 'GET':
          case 'HEAD':
            return readArtifact(req);
          case 'PUT':
            return uploadArtifact(req, maxUploadBytes);
          case 'DELETE':
            return deleteArtifact(req);
          default:
            throw notAllowed(`method ${req.method} is not allowed on raw repositories`);
        }
      },
      challenge: () => RAW_CHALLENGE,
    }),
  };
}

/**
 * The plugin manifest the server loads. Its options come from `[formats.raw]`:
 * `max_upload_bytes` (positive integer); any other key is refused.
 */
export const depotPlugin: FormatPluginManifest = {
  kind: 'format',
  name: 'raw',
  apiVersion: 1,
  create(options = {}) {
    assertKnownOptions(options, ['max_upload_bytes'], 'raw');
    const maxUploadBytes = positiveIntegerOption(options, 'max_upload_bytes', 'raw');
    return rawFormat(maxUploadBytes === undefined ? {} : { maxUploadBytes });
  },
};
