import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type ByteSource,
  DepotError,
  type DispatchRequest,
  EMPTY_BODY,
  type HeaderMap,
  type Principal,
} from '@depot/core';
import { baseUrl } from './base-url.js';
import { limitedBody } from './request-body.js';

/** Stands in for the caller until authentication has run (error rendering only). */
export const ANONYMOUS: Principal = { username: 'anonymous', anonymous: true, admin: false, can: () => false };

/** The only request headers the auth module reads (`authenticate`, `rateLimit`). */
const AUTH_HEADERS = ['authorization', 'x-forwarded-for'] as const;

/** Request headers as one string each (node already lower-cases names; only `set-cookie` is an array). */
export function headerMap(req: IncomingMessage): HeaderMap {
  const map: Record<string, string> = {};
  const { headers } = req;
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    map[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return map;
}

/** A Web `Headers` holding only what authentication reads: building a full copy per request costs. */
export function authHeaders(map: HeaderMap): Headers {
  const web = new Headers();
  for (const name of AUTH_HEADERS) {
    const value = map[name];
    if (value !== undefined) web.set(name, value);
  }
  return web;
}

/**
 * One artifact request as formats see it ({@link BaseFormatRequest} and its extensions). The
 * query, base URL and abort signal are built on first use: a hosted download reads none of them,
 * and an `AbortController` per request is a measurable cost on small-file GETs.
 */
export class ArtifactRequest implements DispatchRequest {
  principal: Principal = ANONYMOUS;
  body: ByteSource = EMPTY_BODY;
  #query: URLSearchParams | undefined;
  #baseUrl: string | undefined;
  #controller: AbortController | undefined;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly tls: boolean,
    private readonly trustedProxies: ReadonlySet<string>,
    private readonly configuredBase: string | undefined,
    readonly method: string,
    readonly headers: HeaderMap,
    readonly rawPath: string,
    private readonly rawQuery: string,
    private readonly maxBodyBytes: () => number,
  ) {}

  /** The node request (for the access log and the authentication chain). */
  get incoming(): IncomingMessage {
    return this.req;
  }

  /** The peer address, as rate limiting and trusted-proxy checks see it. */
  get peer(): string {
    return this.req.socket.remoteAddress ?? '';
  }

  /** The body under `max_artifact_bytes` (413 on a declared or streamed excess). */
  openBody(): ByteSource {
    return limitedBody(this.req, this.maxBodyBytes());
  }

  get query(): URLSearchParams {
    this.#query ??= new URLSearchParams(this.rawQuery);
    return this.#query;
  }

  get baseUrl(): string {
    this.#baseUrl ??= this.configuredBase ?? baseUrl(this.req, this.tls, this.trustedProxies);
    return this.#baseUrl;
  }

  /** Aborts when the client goes away before the response finished. */
  get signal(): AbortSignal {
    if (this.#controller !== undefined) return this.#controller.signal;
    const controller = new AbortController();
    this.#controller = controller;
    const { res } = this;
    const onClose = (): void => {
      if (!res.writableFinished) controller.abort(new DepotError('BAD_REQUEST', 'client disconnected'));
    };
    if (res.closed) onClose();
    else res.once('close', onClose);
    return controller.signal;
  }
}
