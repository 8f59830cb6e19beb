export { type BenchOptions, runBench, type ScenarioResult } from './cli/bench-command.js';
export { type CompareOptions, type CompareOutput, runCompare } from './compare/compare.js';
export type { FigureResult } from './compare/types.js';
export { type DemoOptions, type DemoSummary, runDemo } from './demo/demo.js';
export { runTrickle, type TrickleOptions } from './demo/trickle.js';
export { type DepotInstance, type StartDepotOptions, startDepot } from './launch/depot.js';
export type { OpSummary } from './load/recorder.js';
