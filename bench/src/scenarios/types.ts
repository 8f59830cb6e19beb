import type { Endpoint } from '../http/client.js';
import type { Step } from '../load/runner.js';
import type { PayloadFactory } from '../payload/payload.js';
import type { UploadMode } from '../protocol/oci.js';

/** What a scenario is handed: a Depot endpoint (already authenticated) and the run's knobs. */
export interface ScenarioContext {
  readonly ep: Endpoint;
  readonly origin: string;
  readonly payloads: PayloadFactory;
  readonly artifactSize: number;
  readonly layerSize: number;
  readonly store: string;
  /** Repository names used by the scenarios. */
  readonly rawRepo: string;
  readonly dockerRepo: string;
  readonly npmRepo: string;
  readonly uploadMode: UploadMode;
  /** How many objects download scenarios pre-seed. */
  readonly seedObjects: number;
  /** A run-unique tag, so object names never collide between runs. */
  readonly runId: string;
}

/** A prepared scenario: its step function (seeding happens before it is returned). */
export interface PreparedScenario {
  readonly step: Step;
}

/** Builds a scenario: creates repositories and seeds objects, then returns the step. */
export type ScenarioFactory = (ctx: ScenarioContext) => Promise<PreparedScenario>;
