import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FormatMetrics } from '@depot/core';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

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
  const requests = new Counter({
    name: 'depot_http_requests_total',
    help: 'HTTP requests by surface, method and status',
    labelNames: ['surface', 'method', 'status'] as const,
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'depot_http_request_duration_seconds',
    help: 'HTTP request durations by surface and method',
    labelNames: ['surface', 'method'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
    registers: [registry],
  });
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
      const stop = durations.startTimer({ surface, method: req.method ?? 'GET' });
      res.once('close', () => {
        stop();
        requests.inc({ surface, method: req.method ?? 'GET', status: String(res.statusCode) });
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
