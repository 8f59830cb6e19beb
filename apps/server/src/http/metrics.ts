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
  // The labelled children, resolved once per label set: prom-client hashes the label object on
  // every call otherwise, a visible share of a small request's CPU.
  const timers = new Map<string, Histogram.Internal<'surface' | 'method'>>();
  const tallies = new Map<string, Counter.Internal>();
  const observe = (surface: Surface, method: string, secs: number): void => {
    const key = `${surface} ${method}`;
    let child = timers.get(key);
    if (child === undefined) {
      child = durations.labels(surface, method);
      timers.set(key, child);
    }
    child.observe(secs);
  };
  const count = (surface: Surface, method: string, status: number): void => {
    const key = `${surface} ${method} ${status}`;
    let child = tallies.get(key);
    if (child === undefined) {
      child = requests.labels(surface, method, String(status));
      tallies.set(key, child);
    }
    child.inc();
  };
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
        const method = req.method ?? 'GET';
        observe(surface, method, (performance.now() - started) / 1000);
        count(surface, method, res.statusCode);
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
