import { Writable } from 'node:stream';

/** pino level → OTLP severity number (OpenTelemetry logs data model). */
const SEVERITY: Readonly<Record<number, { number: number; text: string }>> = {
  10: { number: 1, text: 'TRACE' },
  20: { number: 5, text: 'DEBUG' },
  30: { number: 9, text: 'INFO' },
  40: { number: 13, text: 'WARN' },
  50: { number: 17, text: 'ERROR' },
  60: { number: 21, text: 'FATAL' },
};

const BATCH = 200;
const FLUSH_MS = 1000;

type OtlpValue = { stringValue: string } | { intValue: string } | { doubleValue: number } | { boolValue: boolean };

function toValue(v: unknown): OtlpValue {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  return { stringValue: JSON.stringify(v) };
}

function toRecord(line: string): Record<string, unknown> | null {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return null;
  }
  const { level, time, msg, ...fields } = entry;
  const severity = SEVERITY[typeof level === 'number' ? level : 30] ?? { number: 9, text: 'INFO' };
  return {
    timeUnixNano: `${typeof time === 'number' ? time : Date.now()}000000`,
    severityNumber: severity.number,
    severityText: severity.text,
    body: { stringValue: typeof msg === 'string' ? msg : '' },
    attributes: Object.entries(fields).map(([key, value]) => ({ key, value: toValue(value) })),
  };
}

/** A pino destination that exports log lines to an OTLP/HTTP (JSON) collector, plus `flush()`. */
export interface OtlpLogStream extends Writable {
  flush(): Promise<void>;
}

/**
 * Exports logs to `endpoint` (`http://collector:4318` → `POST …/v1/logs`), batched by count and
 * time. Export failures never block or crash the server; they are reported once through `onError`
 * until an export succeeds again.
 */
export function otlpLogStream(endpoint: string, serviceName: string, onError: (err: unknown) => void): OtlpLogStream {
  const url = endpoint.replace(/\/+$/, '').endsWith('/v1/logs') ? endpoint : `${endpoint.replace(/\/+$/, '')}/v1/logs`;
  let pending: Record<string, unknown>[] = [];
  let failing = false;
  let inFlight: Promise<void> = Promise.resolve();

  const send = async (records: Record<string, unknown>[]): Promise<void> => {
    const body = {
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: serviceName } }] },
          scopeLogs: [{ scope: { name: 'depot' }, logRecords: records }],
        },
      ],
    };
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(5000),
      });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`collector answered ${res.status}`);
      failing = false;
    } catch (err) {
      if (!failing) onError(err);
      failing = true;
    }
  };
  const flush = (): Promise<void> => {
    if (pending.length > 0) {
      const batch = pending;
      pending = [];
      inFlight = inFlight.then(() => send(batch));
    }
    return inFlight;
  };
  const timer = setInterval(() => void flush(), FLUSH_MS);
  timer.unref();

  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      for (const line of String(chunk).split('\n')) {
        const record = line.trim() === '' ? null : toRecord(line);
        if (record !== null) pending.push(record);
      }
      if (pending.length >= BATCH) void flush();
      callback();
    },
    final(callback) {
      clearInterval(timer);
      flush().then(() => callback(), callback);
    },
  });
  return Object.assign(stream, { flush });
}
