import { memoryKvStore } from '@depot/core';
import { describe, expect, it } from 'vitest';
import { serverRecords } from '../records/server-records.js';
import type { SettingsService } from '../runtime/settings-service.js';
import { validateSettings } from '../runtime/settings-service.js';
import type { StoreRegistry } from '../runtime/store-registry.js';
import { gcService, holdGc } from './gc.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

describe('GC hold (a backup in progress)', () => {
  it('refuses real passes while held (dry runs still report), and lets them run once released', async () => {
    const records = serverRecords(memoryKvStore());
    const settings = { current: () => validateSettings({}) } as unknown as SettingsService;
    const stores = { get: async () => ({}) } as unknown as StoreRegistry;
    let now = Date.parse('2026-12-05T10:00:00Z');
    const gc = gcService(records, stores, settings, quiet, { now: () => now });
    const release = await holdGc(records, () => now);
    await expect(gc.precheck({ dryRun: false })).rejects.toThrow(/a backup is running/);
    await expect(gc.precheck({ dryRun: true })).resolves.toBeUndefined();
    // A hold whose holder died lapses on its own.
    now += 11 * 60_000;
    await expect(gc.precheck({ dryRun: false })).resolves.toBeUndefined();
    now -= 11 * 60_000;
    await expect(gc.precheck({ dryRun: false })).rejects.toThrow(/a backup is running/);
    await release();
    await expect(gc.precheck({ dryRun: false })).resolves.toBeUndefined();
    await gc.idle();
  });
});
