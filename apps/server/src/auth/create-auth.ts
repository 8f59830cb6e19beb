import { SYSTEM_PRINCIPAL } from '@depot/core';
import type { AuthModule, AuthOptions } from './auth-module.js';

/**
 * PLACEHOLDER until the identity-and-access work lands: every caller is treated as an
 * administrator. Replaced wholesale by the real implementation.
 */
export function createAuth(_options: AuthOptions): AuthModule {
  return {
    authenticate: async () => SYSTEM_PRINCIPAL,
    service: {
      verifyPassword: async () => SYSTEM_PRINCIPAL,
      issueToken: async () => ({ token: 'placeholder', expiresInSecs: 3600 }),
    },
    registerRoutes: () => {},
    bootstrap: async () => ({ generatedAdminPassword: null }),
    workers: [],
  };
}
