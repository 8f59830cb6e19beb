import { badRequest } from '@depot/core';
import { formatIssues } from '../config/load-config.js';
import type { ServerRecords } from '../records/server-records.js';
import { type Settings, type SettingsSchema, settingsSchema } from '../services/settings-schema.js';

/** The KV id of the settings record (`meta/settings`). */
export const SETTINGS_ID = 'settings';

/** Runtime settings, cached in memory and refreshed from KV (architecture.md: every 30 s). */
export interface SettingsService {
  current(): Settings;
  /** Reloads from KV. */
  refresh(): Promise<Settings>;
  /** PUT: replaces the whole object; omitted fields reset to their defaults. */
  replace(input: unknown): Promise<Settings>;
  /** PATCH: merges into the current stored object, then validates the result whole. */
  merge(patch: Readonly<Record<string, unknown>>): Promise<Settings>;
}

/** Validates a whole settings object (defaults filled in); `BAD_REQUEST` lists every problem. */
export function validateSettings(input: unknown, schema: SettingsSchema = settingsSchema): Settings {
  const result = schema.safeParse(input ?? {});
  if (!result.success) throw badRequest(formatIssues(result.error.issues).replaceAll('\n', '; '));
  return result.data;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Creates the settings service and loads the stored settings once. `schema` is the server's
 * settings merged with the installed formats' (`settingsSchemaWith`).
 */
export async function createSettingsService(
  records: ServerRecords,
  schema: SettingsSchema = settingsSchema,
): Promise<SettingsService> {
  const load = async (): Promise<Settings> => {
    const stored = await records.meta.get(SETTINGS_ID);
    // Unknown keys written by a newer version are dropped from the cache, not fatal.
    const known = isObject(stored) ? Object.fromEntries(Object.entries(stored).filter(([k]) => k in schema.shape)) : {};
    const parsed = schema.safeParse(known);
    return parsed.success ? parsed.data : schema.parse({});
  };
  let current = await load();
  const save = async (next: Settings): Promise<Settings> => {
    await records.meta.put(SETTINGS_ID, next);
    current = next;
    return next;
  };
  return {
    current: () => current,
    async refresh() {
      current = await load();
      return current;
    },
    replace: (input) => save(validateSettings(input, schema)),
    merge: (patch) => save(validateSettings({ ...current, ...patch }, schema)),
  };
}
