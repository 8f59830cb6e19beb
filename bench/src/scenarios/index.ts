import { dockerMixed, dockerPull, dockerPush } from './docker.js';
import { npmMetadata, npmTarballs } from './npm.js';
import { rawDownload, rawMixed, rawUpload } from './raw.js';
import type { ScenarioFactory } from './types.js';

/** Every `depot-bench bench --scenario` name and its factory. */
export const SCENARIOS: Readonly<Record<string, ScenarioFactory>> = {
  'raw-upload': rawUpload,
  'raw-download': rawDownload,
  'raw-mixed': rawMixed,
  'docker-push': dockerPush,
  'docker-pull': dockerPull,
  'docker-mixed': dockerMixed,
  'npm-metadata': npmMetadata,
  'npm-tarball': npmTarballs,
};
