import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RequestStats } from './request-stats.js';

const BOUNDS = [0.001, 0.01, 0.1, 1];
const names = { counter: 'x_requests_total', histogram: 'x_request_duration_seconds' };
const samples: [string, string, number, number][] = [
  ['api', 'GET', 200, 0.0005],
  ['api', 'GET', 200, 0.02],
  ['api', 'GET', 404, 0.001],
  ['repository', 'PUT', 201, 3],
  ['repository', 'PUT', 201, 0.5],
];

describe('RequestStats', () => {
  it('renders exactly what prom-client would for the same observations', async () => {
    const ours = new Registry();
    const stats = new RequestStats(ours, names, BOUNDS);
    const theirs = new Registry();
    const counter = new Counter({
      name: names.counter,
      help: 'HTTP requests by surface, method and status',
      labelNames: ['surface', 'method', 'status'],
      registers: [theirs],
    });
    const histogram = new Histogram({
      name: names.histogram,
      help: 'HTTP request durations by surface and method',
      labelNames: ['surface', 'method'],
      buckets: BOUNDS,
      registers: [theirs],
    });
    for (const [surface, method, status, secs] of samples) {
      stats.record(surface, method, status, secs);
      counter.labels(surface, method, String(status)).inc();
      histogram.labels(surface, method).observe(secs);
    }
    const text = await ours.metrics();
    expect(text).toBe(await theirs.metrics());
    expect(text).toContain('x_request_duration_seconds_bucket{le="0.01",surface="api",method="GET"} 2');
    expect(text).toContain('x_requests_total{surface="repository",method="PUT",status="201"} 2');
  });
});
