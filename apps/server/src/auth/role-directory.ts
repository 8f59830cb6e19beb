import { badRequest, conflict, DepotError, globProblem, notFound } from '@depot/core';
import type { CapabilityGrant, RoleRecord } from '../records/server-records.js';
import { ADMIN_ROLE, adminCountAfter, all } from './directory.js';
import type { AuthContext } from './internal/context.js';

/** Fields a role update may change (the name never changes). */
export interface RolePatch {
  readonly description?: string | undefined;
  readonly capabilities?: readonly CapabilityGrant[] | undefined;
  readonly admin?: boolean | undefined;
}

function checkGrants(grants: readonly CapabilityGrant[]): void {
  for (const g of grants) {
    const problem = globProblem(g.repo);
    if (problem !== null) throw badRequest(`capability repo glob ${JSON.stringify(g.repo)} ${problem}`);
  }
}

/** Creates a role (409 when the name is taken). */
export async function createRole(
  ctx: AuthContext,
  input: {
    name: string;
    description?: string | undefined;
    capabilities: readonly CapabilityGrant[];
    admin?: boolean | undefined;
  },
): Promise<RoleRecord> {
  checkGrants(input.capabilities);
  const now = new Date(ctx.now()).toISOString();
  const role: RoleRecord = {
    name: input.name,
    ...(input.description === undefined ? {} : { description: input.description }),
    capabilities: input.capabilities,
    admin: input.admin === true,
    created_at: now,
    updated_at: now,
  };
  await ctx.records.roles.putIfVersion(input.name, role, null).catch((err: unknown) => {
    throw err instanceof DepotError && err.code === 'CONFLICT' ? conflict(`role ${input.name} exists`) : err;
  });
  ctx.principals.invalidateAll();
  return role;
}

/** Updates a role; taking the admin flag off `admin` or off the last admin's only admin role → 400. */
export function updateRole(ctx: AuthContext, name: string, patch: RolePatch): Promise<RoleRecord> {
  return ctx.serialize(async () => {
    const found = await ctx.records.roles.getVersioned(name);
    if (found === null) throw notFound(`role ${name} not found`);
    if (patch.capabilities !== undefined) checkGrants(patch.capabilities);
    const next: RoleRecord = {
      ...found.record,
      ...(patch.description === undefined ? {} : { description: patch.description }),
      ...(patch.capabilities === undefined ? {} : { capabilities: patch.capabilities }),
      ...(patch.admin === undefined ? {} : { admin: patch.admin }),
      updated_at: new Date(ctx.now()).toISOString(),
    };
    if (found.record.admin === true && next.admin !== true) {
      if (name === ADMIN_ROLE) throw badRequest('the admin role must keep the admin flag');
      if ((await adminCountAfter(ctx, null, { name, role: next })) === 0)
        throw badRequest('cannot demote the last administrator');
    }
    await ctx.records.roles.putIfVersion(name, next, found.version);
    ctx.principals.invalidateAll();
    return next;
  });
}

/** Deletes a role: never `admin` (400), never one a user still holds (409). */
export function deleteRole(ctx: AuthContext, name: string): Promise<void> {
  return ctx.serialize(async () => {
    if (name === ADMIN_ROLE) throw badRequest('the admin role cannot be deleted');
    if ((await ctx.records.roles.get(name)) === null) throw notFound(`role ${name} not found`);
    const holders = (await all(ctx.records.users)).filter((u) => u.roles.includes(name)).map((u) => u.username);
    if (holders.length > 0)
      throw new DepotError('CONFLICT', `role ${name} is assigned to ${holders.length} user(s)`, {
        details: { users: holders.slice(0, 20) },
      });
    await ctx.records.roles.delete(name);
    ctx.principals.invalidateAll();
  });
}
