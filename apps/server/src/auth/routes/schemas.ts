import { z } from '@hono/zod-openapi';
import { nameSchema } from '../../services/schemas.js';
import { MAX_PASSWORD_LENGTH } from '../passwords.js';

const password = z.string().min(1).max(MAX_PASSWORD_LENGTH);

/** `POST /api/v1/auth/login`. */
export const loginSchema = z
  .object({ username: z.string().min(1).max(256), password: z.string().max(MAX_PASSWORD_LENGTH) })
  .strict()
  .openapi('LoginRequest');
/** Login and self password change answer. */
export const tokenResponseSchema = z
  .object({ token: z.string(), must_change_password: z.boolean() })
  .openapi('TokenResponse');
/** `POST /api/v1/auth/change-password`. */
export const changePasswordSchema = z
  .object({
    username: z.string().min(1).max(256),
    current_password: z.string().max(MAX_PASSWORD_LENGTH).optional(),
    new_password: password,
  })
  .strict()
  .openapi('ChangePasswordRequest');

/** A user as the API shows it (no hash, no token secret). */
export const userResponseSchema = z
  .object({
    username: z.string(),
    roles: z.array(z.string()),
    must_change_password: z.boolean(),
    source: z.enum(['builtin', 'ldap']),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('UserResponse');
/** `POST /api/v1/users`. */
export const createUserSchema = z
  .object({
    username: nameSchema,
    password,
    roles: z.array(nameSchema).max(100).default([]),
    must_change_password: z.boolean().default(false),
  })
  .strict()
  .openapi('CreateUserRequest');
/** `PUT /api/v1/users/{username}`. */
export const updateUserSchema = z
  .object({
    password: password.optional(),
    roles: z.array(nameSchema).max(100).optional(),
    must_change_password: z.boolean().optional(),
  })
  .strict()
  .openapi('UpdateUserRequest');

const grantSchema = z
  .object({ capability: z.enum(['read', 'write', 'delete']), repo: z.string().min(1).max(256) })
  .strict()
  .openapi('CapabilityGrant');
/** A role. */
export const roleResponseSchema = z
  .object({
    name: z.string(),
    description: z.string().optional(),
    capabilities: z.array(grantSchema),
    admin: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('RoleResponse');
/** `POST /api/v1/roles`. */
export const createRoleSchema = z
  .object({
    name: nameSchema,
    description: z.string().max(1024).optional(),
    capabilities: z.array(grantSchema).max(1000).default([]),
    admin: z.boolean().optional(),
  })
  .strict()
  .openapi('CreateRoleRequest');
/** `PUT /api/v1/roles/{name}` (the name cannot change). */
export const updateRoleSchema = z
  .object({
    description: z.string().max(1024).optional(),
    capabilities: z.array(grantSchema).max(1000).optional(),
    admin: z.boolean().optional(),
  })
  .strict()
  .openapi('UpdateRoleRequest');

/** The error body every non-protocol endpoint answers with. */
export const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) }).openapi('Error');

/** A JSON request body. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  content: { 'application/json': { schema } },
  required: true,
});
/** A JSON response. */
export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});
/** Error responses shared by every route. */
export const errorResponses = {
  400: jsonResponse(errorSchema, 'Invalid request'),
  401: jsonResponse(errorSchema, 'Missing or wrong credentials'),
  403: jsonResponse(errorSchema, 'Not allowed'),
} as const;
