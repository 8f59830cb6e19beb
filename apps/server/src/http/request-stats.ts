import type { Registry } from 'prom-client';

/** The labels of one series, in exposition order. */
type Labels = Readonly<Record<string, string>>;

/** One series of {@link RequestStats}: per-bucket counts (not cumulative), sum and count. */
interface Series {
  readonly labels: Labels;
  readonly buckets: Float64Array;
  sum: number;
  count: number;
}

/** A value as prom-client's registry renders it. */
interface MetricValue {
  readonly labels: Labels;
  readonly value: number;
  readonly metricName?: string;
}

/**
 * The HTTP request counter and duration histogram, kept as plain numbers per label set and
 * rendered only when scraped. prom-client's own objects hash the label set on every observation,
 * which costs a visible share of a small request; here an observation is one map lookup and a
 * few additions.
 */
export class RequestStats {
  readonly #counts = new Map<string, { labels: Labels; value: number }>();
  readonly #series = new Map<string, Series>();

  constructor(
    registry: Registry,
    private readonly names: { readonly counter: string; readonly histogram: string },
    private readonly bounds: readonly number[],
  ) {
    const counter = { name: names.counter, help: 'HTTP requests by surface, method and status', type: 'counter' };
    const histogram = {
      name: names.histogram,
      help: 'HTTP request durations by surface and method',
      type: 'histogram',
    };
    registry.registerMetric(this.#metric(counter, () => this.#counterValues()) as never);
    registry.registerMetric(this.#metric(histogram, () => this.#histogramValues()) as never);
  }

  /** Counts one finished request. */
  record(surface: string, method: string, status: number, seconds: number): void {
    const countKey = `${surface} ${method} ${status}`;
    const tally = this.#counts.get(countKey);
    if (tally === undefined)
      this.#counts.set(countKey, { labels: { surface, method, status: String(status) }, value: 1 });
    else tally.value++;
    const key = `${surface} ${method}`;
    let series = this.#series.get(key);
    if (series === undefined) {
      series = { labels: { surface, method }, buckets: new Float64Array(this.bounds.length), sum: 0, count: 0 };
      this.#series.set(key, series);
    }
    let i = 0;
    while (i < this.bounds.length && seconds > (this.bounds[i] as number)) i++;
    if (i < this.bounds.length) series.buckets[i] = (series.buckets[i] ?? 0) + 1;
    series.sum += seconds;
    series.count++;
  }

  #metric(head: { name: string; help: string; type: string }, values: () => MetricValue[]) {
    return {
      ...head,
      aggregator: 'sum',
      get: async () => ({ ...head, aggregator: 'sum', values: values() }),
      reset: () => undefined,
    };
  }

  #counterValues(): MetricValue[] {
    return [...this.#counts.values()].map(({ labels, value }) => ({ labels, value }));
  }

  #histogramValues(): MetricValue[] {
    const out: MetricValue[] = [];
    const name = this.names.histogram;
    for (const s of this.#series.values()) {
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += s.buckets[i] ?? 0;
        out.push({ labels: { le: String(le), ...s.labels }, value: cumulative, metricName: `${name}_bucket` });
      });
      out.push({ labels: { le: '+Inf', ...s.labels }, value: s.count, metricName: `${name}_bucket` });
      out.push({ labels: s.labels, value: s.sum, metricName: `${name}_sum` });
      out.push({ labels: s.labels, value: s.count, metricName: `${name}_count` });
    }
    return out;
  }
}
