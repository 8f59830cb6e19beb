import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../http/env.js';
import type { DepotServices } from '../runtime/services.js';

/** A dependency-free page that lists the operations of the OpenAPI document. */
const SWAGGER_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Depot API</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;max-width:70rem}code{font-size:13px}
td{padding:.2rem .6rem;vertical-align:top}.m{font-weight:600;text-transform:uppercase}</style></head>
<body><h1>Depot REST API</h1><p>Machine-readable: <a href="/api-docs/openapi.json">/api-docs/openapi.json</a></p>
<table id="ops"><tbody></tbody></table>
<script>
fetch('/api-docs/openapi.json').then(r=>r.json()).then(doc=>{
  const body=document.querySelector('#ops tbody');
  for (const [path,ops] of Object.entries(doc.paths)) for (const [method,op] of Object.entries(ops)) {
    const tr=document.createElement('tr');
    for (const [cls,text] of [['m',method],['',path],['',op.summary||'']]) {
      const td=document.createElement('td'); td.className=cls;
      const code=document.createElement(cls===''&&text===path?'code':'span'); code.textContent=text; td.append(code); tr.append(td);
    }
    body.append(tr);
  }
});
</script></body></html>`;

/** `/api-docs/openapi.json` (generated from the route definitions) and `/swagger-ui/`. */
export function registerDocsRoutes(app: OpenAPIHono<AppEnv>, services: DepotServices): void {
  app.doc('/api-docs/openapi.json', {
    openapi: '3.0.3',
    info: {
      title: 'Depot',
      version: services.version,
      description: 'Artifact repository manager: admin and management API.',
    },
    tags: [
      { name: 'system' },
      { name: 'repositories' },
      { name: 'artifacts' },
      { name: 'stores' },
      { name: 'settings' },
    ],
  });
  app.get('/swagger-ui', (c) => c.redirect('/swagger-ui/', 301));
  app.get('/swagger-ui/', (c) => c.html(SWAGGER_HTML));
}
