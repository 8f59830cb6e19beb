import type { RepoService } from '../services/repo-service.js';

/** A local "repositories changed" event: the API notifies, workers (the repository listeners) react. */
export interface RepoChangeSignal {
  /** Tells every subscriber that a repository was created, updated or deleted. */
  notify(): void;
  /** Calls `listener` on every change; returns an unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

/** Creates a {@link RepoChangeSignal}. A throwing subscriber never fails the API call. */
export function createRepoChangeSignal(): RepoChangeSignal {
  const listeners = new Set<() => void>();
  return {
    notify() {
      for (const listener of listeners) {
        try {
          listener();
        } catch {
          // Subscribers only schedule work; a failure there must not turn a saved change into a 500.
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** Wraps `repos` so every successful create, update and soft delete fires `signal`. */
export function notifyingRepoService(repos: RepoService, signal: RepoChangeSignal): RepoService {
  return {
    ...repos,
    async create(input) {
      const repo = await repos.create(input);
      signal.notify();
      return repo;
    },
    async update(name, input) {
      const repo = await repos.update(name, input);
      signal.notify();
      return repo;
    },
    async softDelete(name) {
      await repos.softDelete(name);
      signal.notify();
    },
  };
}
