import { badRequest, compileGlob, globProblem, type RepositoryRecord } from '@depot/core';

/** Repository options (`format_options`) of Docker repositories. */
export interface DockerRepositoryOptions {
  /** Drop manifests no tag references during cleanup. */
  readonly cleanup_untagged_manifests?: boolean;
  /** A dedicated listener (`host:port`) serving `/v2/<image>` for this repository only. */
  readonly listen?: string;
  /** Cache repos: prefix single-name images with `library/` upstream (default: upstream is Docker Hub). */
  readonly docker_hub_library?: boolean;
  /** Hosted repos: tag patterns (`*` and `?` wildcards, e.g. `v*`) whose tags, once pushed, never move or go. */
  readonly immutable_tags?: readonly string[];
}

const MAX_TAG_PATTERNS = 64;

const LISTEN_RE = /^(\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9.-]+):(\d{1,5})$/;

/** True when `tag` matches one of the `immutable_tags` patterns of `repo` (validated when the repository was saved). */
export function isImmutableTag(repo: Pick<RepositoryRecord, 'format_options'>, tag: string): boolean {
  const patterns = repo.format_options?.immutable_tags;
  return Array.isArray(patterns) && patterns.some((p) => typeof p === 'string' && compileGlob(p)(tag));
}

/** Validates Docker `format_options`; an unknown or malformed option is `BAD_REQUEST` naming it. */
export function validateDockerOptions(
  options: Readonly<Record<string, unknown>>,
  repo: Pick<RepositoryRecord, 'name' | 'repo_type'>,
): DockerRepositoryOptions {
  const out: { -readonly [K in keyof DockerRepositoryOptions]: DockerRepositoryOptions[K] } = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || value === null) continue;
    switch (key) {
      case 'cleanup_untagged_manifests':
      case 'docker_hub_library':
        if (typeof value !== 'boolean') throw badRequest(`${key} must be a boolean`, { field: key });
        out[key] = value;
        break;
      case 'listen': {
        const m = typeof value === 'string' ? LISTEN_RE.exec(value) : null;
        const port = m === null ? 0 : Number(m[2]);
        if (m === null || port < 1 || port > 65535) throw badRequest('listen must be "host:port"', { field: key });
        out.listen = value as string;
        break;
      }
      case 'immutable_tags': {
        const ok =
          Array.isArray(value) &&
          value.length <= MAX_TAG_PATTERNS &&
          value.every((p) => typeof p === 'string' && globProblem(p) === null);
        if (!ok) {
          throw badRequest(
            `immutable_tags must be a list of at most ${MAX_TAG_PATTERNS} tag patterns (tag characters, * and ?)`,
            {
              field: key,
            },
          );
        }
        out.immutable_tags = value as string[];
        break;
      }
      default:
        throw badRequest(`unknown docker repository option ${key}`, { field: key, repo: repo.name });
    }
  }
  return out;
}
