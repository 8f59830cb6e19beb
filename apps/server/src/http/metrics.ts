import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FormatMetrics } from '@depot/core';
import { Counter, collectDefaultMetrics, Registry } from 'prom-client';
import { RequestStats } from './request-stats.js';

/** Which part of the server answered: labels stay low-cardinality (no paths, no repo names). */
export type Surface = 'api' | 'repository' | 'mount' | 'metrics';

/** Prometheus metrics of one server process. */
export interface DepotMetrics {
  readonly registry: Registry;
  /** Counts the request and its duration once the response is finished. */
  track(req: IncomingMessage, res: ServerResponse, surface: Surface): void;
  /** Answers `GET /metrics`. */
  serve(res: ServerResponse): void;
  /** The hook formats register their own counters through. */
  readonly formats: FormatMetrics;
}

/** Creates the registry: Node process metrics plus request counts and durations. */
export function createMetrics(): DepotMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'depot_' });
  const stats = new RequestStats(
    registry,
    { counter: 'depot_http_requests_total', histogram: 'depot_http_request_duration_seconds' },
    [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
  );
  const counters = new Map<string, Counter<string>>();
  const formats: FormatMetrics = {
    counter(name, help, labelNames) {
      let counter = counters.get(name);
      if (counter === undefined) {
        counter = new Counter({ name, help, labelNames: [...labelNames], registers: [registry] });
        counters.set(name, counter);
      }
      const registered = counter;
      return { inc: (labels) => registered.inc({ ...labels }) };
    },
  };
  return {
    registry,
    formats,
    track(req, res, surface) {
      const started = performance.now();
      res.once('close', () => {
        stats.record(surface, req.method ?? 'GET', res.statusCode, (performance.now() - started) / 1000);
      });
    },
    serve(res) {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    },
  };
}
