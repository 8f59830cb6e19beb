import { assertKnownOptions, badRequest } from '@depot/core';

/** Options of {@link helloFormat}. */
export interface HelloFormatOptions {
  /** The `X-Greeting` header value of every download (default `Hello`). Printable ASCII, 1..100 chars. */
  readonly greeting?: string;
}

/** The greeting when none is configured. */
export const DEFAULT_GREETING = 'Hello';

/**
 * Validates the plugin's options table (`[[plugins]] options` in the server's TOML): only
 * `greeting`, a printable ASCII string (it becomes a header value). Throws `BAD_REQUEST` with
 * `details.option` naming the bad key, which the server turns into a startup error.
 */
export function parseHelloOptions(raw: Readonly<Record<string, unknown>>): HelloFormatOptions {
  assertKnownOptions(raw, ['greeting'], 'hello');
  const { greeting } = raw;
  if (greeting === undefined) return {};
  if (typeof greeting !== 'string' || !/^[\x20-\x7e]{1,100}$/.test(greeting)) {
    throw badRequest(
      `hello: option "greeting" must be 1..100 printable ASCII characters, got ${JSON.stringify(greeting)}`,
      {
        option: 'greeting',
      },
    );
  }
  return { greeting };
}
