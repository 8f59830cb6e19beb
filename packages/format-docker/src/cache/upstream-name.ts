import type { RepositoryRecord } from '@depot/core';

/** Hosts of Docker Hub, where single-name images live under `library/`. */
const DOCKER_HUB_HOSTS = new Set(['registry-1.docker.io', 'index.docker.io', 'docker.io', 'registry.hub.docker.com']);

/**
 * Whether a cache repository prefixes single-segment image names with `library/`: the
 * `docker_hub_library` format option, defaulting to true when the upstream is Docker Hub.
 */
export function usesLibraryPrefix(repo: RepositoryRecord): boolean {
  const option = repo.format_options?.docker_hub_library;
  if (typeof option === 'boolean') return option;
  try {
    return DOCKER_HUB_HOSTS.has(new URL(repo.upstream_url ?? '').hostname);
  } catch {
    return false;
  }
}

/** The image name to ask the upstream for. */
export const upstreamImage = (repo: RepositoryRecord, image: string): string =>
  usesLibraryPrefix(repo) && !image.includes('/') ? `library/${image}` : image;
