import { badRequest, type FormatSetting } from '@depot/core';
import { DEFAULT_MAX_CHUNKS, SETTING_DEFAULT_REPO, SETTING_MAX_CHUNKS } from './deps.js';

/** A repository name (the server's rule for names). */
const REPO_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * The runtime settings the Docker format reads through `context.settings()`: the repository that
 * un-prefixed image names fall back to, and the most chunks one blob upload may have.
 */
export const dockerSettings: Readonly<Record<string, FormatSetting>> = {
  [SETTING_DEFAULT_REPO]: {
    default: null,
    description: 'The Docker repository that image names without a repository prefix resolve to (or null).',
    parse(value) {
      if (value === null) return null;
      if (typeof value !== 'string' || !REPO_NAME.test(value)) throw badRequest('must be a repository name');
      return value;
    },
  },
  [SETTING_MAX_CHUNKS]: {
    default: DEFAULT_MAX_CHUNKS,
    description: 'The most PATCH chunks one Docker blob upload may have.',
    parse(value) {
      if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
        throw badRequest('must be a positive integer');
      }
      return value;
    },
  },
};
