import { badRequest, type SigningKeyHook } from '@depot/core';
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../http/env.js';
import type { DepotServices } from '../runtime/services.js';
import { guardedRoute, jsonBody, jsonResponse, nameParam } from './route-helpers.js';

const tags = ['signing keys'];
const keySchema = z
  .object({ fingerprint: z.string(), public_key: z.string(), previous_fingerprint: z.string().optional() })
  .openapi('SigningKey');

const getRoute = guardedRoute({
  method: 'get',
  path: '/api/v1/repositories/{name}/signing-key',
  tags,
  summary: "The repository's signing key: fingerprint and armored public key (APT, Yum)",
  request: { params: nameParam },
  responses: { 200: jsonResponse('The key', keySchema) },
});
const importRoute = guardedRoute({
  method: 'put',
  path: '/api/v1/repositories/{name}/signing-key',
  tags,
  summary: 'Sign with this key from now on: an armored OpenPGP private key without a passphrase',
  request: {
    params: nameParam,
    body: jsonBody(
      z
        .object({
          private_key: z
            .string()
            .min(1)
            .max(256 * 1024),
        })
        .strict(),
    ),
  },
  responses: { 200: jsonResponse('The key now in use', keySchema) },
});
const rotateRoute = guardedRoute({
  method: 'post',
  path: '/api/v1/repositories/{name}/signing-key/rotate',
  tags,
  summary: 'Generate a new key and sign with it from now on (the old fingerprint is reported)',
  request: { params: nameParam },
  responses: { 200: jsonResponse('The new key', keySchema) },
});

/** `/api/v1/repositories/{name}/signing-key[/rotate]`: for formats that sign their metadata. */
export function registerSigningKeyRoutes(app: OpenAPIHono<AppEnv>, services: DepotServices): void {
  const hookOf = async (name: string) => {
    const repo = await services.repos.get(name);
    const hook: SigningKeyHook | undefined = services.formats.get(repo.format)?.runtime.signingKey;
    if (hook === undefined || repo.repo_type === 'cache') {
      throw badRequest(
        `repository ${name} has no signing key (${repo.repo_type} ${repo.format} repositories sign nothing)`,
      );
    }
    return { repo, hook };
  };
  app.openapi(getRoute, async (c) => {
    const { repo, hook } = await hookOf(c.req.valid('param').name);
    return c.json(await hook.describe(repo), 200);
  });
  app.openapi(importRoute, async (c) => {
    const { repo, hook } = await hookOf(c.req.valid('param').name);
    return c.json(await hook.replace(repo, c.req.valid('json').private_key), 200);
  });
  app.openapi(rotateRoute, async (c) => {
    const { repo, hook } = await hookOf(c.req.valid('param').name);
    return c.json(await hook.replace(repo, null), 200);
  });
}
