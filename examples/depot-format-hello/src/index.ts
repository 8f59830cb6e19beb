import { DEPOT_PLUGIN_API_VERSION, type Format, type FormatPluginManifest } from '@depot/core';
import { DEFAULT_GREETING, type HelloFormatOptions, parseHelloOptions } from './options.js';
import { deleteText, getText, putText, unsupported } from './routes.js';

export type { HelloFormatOptions } from './options.js';
export { DEFAULT_GREETING, parseHelloOptions } from './options.js';

/** The challenge Basic-auth clients (curl) answer. */
export const HELLO_CHALLENGE = 'Basic realm="Depot"';

/**
 * The `hello` format: text files under `/repository/{repo}/…` of hosted repositories. `PUT` stores,
 * `GET`/`HEAD` serve them with an `X-Greeting` header, `DELETE` removes. Phase one (this factory)
 * validates options and declares what the format can do; phase two (`init`) gets the server's
 * context and returns the runtime that answers requests.
 */
export function helloFormat(options: HelloFormatOptions = {}): Format {
  const greeting = options.greeting ?? DEFAULT_GREETING;
  return {
    name: 'hello',
    capabilities: { repoTypes: ['hosted'] },
    init: () => ({
      handle(req) {
        switch (req.method) {
          case 'GET':
          case 'HEAD':
            return getText(req, greeting);
          case 'PUT':
            return putText(req);
          case 'DELETE':
            return deleteText(req);
          default:
            return unsupported(req);
        }
      },
      challenge: () => HELLO_CHALLENGE,
    }),
  };
}

/** What the server imports: `[[plugins]] package = "depot-format-hello"`, `options = { greeting = "…" }`. */
export const depotPlugin: FormatPluginManifest = {
  kind: 'format',
  name: 'hello',
  apiVersion: DEPOT_PLUGIN_API_VERSION,
  create: (options = {}) => helloFormat(parseHelloOptions(options)),
};
