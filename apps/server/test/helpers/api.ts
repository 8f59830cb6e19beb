import type { DepotProcess } from './depot-process.js';

/** A parsed response of {@link api}. `body` is the parsed JSON, or the text when not JSON. */
export interface ApiResponse<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

/** Extra per-request options. */
export interface ApiRequestOptions {
  readonly headers?: Record<string, string>;
  /** Send this raw string instead of JSON-encoding `body`. */
  readonly raw?: string;
  /** Send no credentials. */
  readonly anonymous?: boolean;
  /** Other credentials `[user, password]`. */
  readonly as?: readonly [string, string];
}

/** A small JSON client for a depot process, with admin Basic credentials by default. */
export interface ApiClient {
  request<T = unknown>(method: string, path: string, body?: unknown, opts?: ApiRequestOptions): Promise<ApiResponse<T>>;
  get<T = unknown>(path: string, opts?: ApiRequestOptions): Promise<ApiResponse<T>>;
  post<T = unknown>(path: string, body?: unknown, opts?: ApiRequestOptions): Promise<ApiResponse<T>>;
  put<T = unknown>(path: string, body?: unknown, opts?: ApiRequestOptions): Promise<ApiResponse<T>>;
  patch<T = unknown>(path: string, body?: unknown, opts?: ApiRequestOptions): Promise<ApiResponse<T>>;
  delete<T = unknown>(path: string, opts?: ApiRequestOptions): Promise<ApiResponse<T>>;
  /** `Basic …` for admin. */
  readonly authorization: string;
}

/** Basic credentials header value. */
export const basicAuth = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** What an {@link ApiClient} sends its requests with: `fetch`, or an in-process app's `request`. */
export type Transport = (url: string, init: RequestInit) => Promise<Response>;

/**
 * Builds an {@link ApiClient} for `depot` (paths are relative to its URL, e.g. `/api/v1/health`),
 * sending over the network, or through `transport` (an in-process hono app's `request`).
 */
export function api(depot: Pick<DepotProcess, 'url' | 'adminPassword'>, transport: Transport = fetch): ApiClient {
  const authorization = basicAuth('admin', depot.adminPassword);
  const request = async <T>(
    method: string,
    path: string,
    body?: unknown,
    opts: ApiRequestOptions = {},
  ): Promise<ApiResponse<T>> => {
    const headers: Record<string, string> = { ...opts.headers };
    if (!opts.anonymous) headers.authorization = opts.as ? basicAuth(opts.as[0], opts.as[1]) : authorization;
    let payload: string | undefined = opts.raw;
    if (payload === undefined && body !== undefined) payload = JSON.stringify(body);
    if (payload !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
    const res = await transport(depot.url + path, {
      method,
      headers,
      ...(payload === undefined ? {} : { body: payload }),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  };
  return {
    authorization,
    request,
    get: (path, opts) => request('GET', path, undefined, opts),
    post: (path, body, opts) => request('POST', path, body, opts),
    put: (path, body, opts) => request('PUT', path, body, opts),
    patch: (path, body, opts) => request('PATCH', path, body, opts),
    delete: (path, opts) => request('DELETE', path, undefined, opts),
  };
}
