/** How a browser should treat a download (`content_disposition` repository option). */
export type DispositionType = 'attachment' | 'inline';

/** RFC 8187 `attr-char`s stay; everything else (including `'()*`) is percent-encoded as UTF-8. */
const encodeExtValue = (value: string): string =>
  encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * `Content-Disposition` for the file at `path` (RFC 6266): the basename as a quoted `filename` with
 * quotes, backslashes and control bytes stripped (no header injection), plus `filename*=UTF-8''…`
 * when the name is not plain ASCII, with an ASCII fallback for old clients.
 */
export function contentDisposition(type: DispositionType, path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1).replace(/["\\\u0000-\u001f\u007f]/g, '');
  if (name === '') return type;
  if (/^[\u0020-\u007e]*$/.test(name)) return `${type}; filename="${name}"`;
  const fallback = name.replace(/[^\u0020-\u007e]/g, '_');
  return `${type}; filename="${fallback}"; filename*=UTF-8''${encodeExtValue(name)}`;
}
