import { describe, expect, it } from 'vitest';
import { normalizeName, parseFileName } from '../src/names.js';
import { compareVersions } from '../src/pep440.js';
import { negotiate } from '../src/render.js';
import { parseHtmlPage, parseIndex } from '../src/upstream-page.js';

describe('pypi parsers', () => {
  it('normalizes names as PEP 503 does', () => {
    expect(normalizeName('Foo.Bar__baz-Qux')).toBe('foo-bar-baz-qux');
    expect(normalizeName('a-_-.b')).toBe('a-b');
  });

  it('parses wheel and sdist file names', () => {
    expect(parseFileName('foo_bar-1.0.post1-1-py3-none-any.whl')).toMatchObject({
      packagetype: 'bdist_wheel',
      name: 'foo_bar',
      version: '1.0.post1',
      pythonVersion: 'py3',
    });
    expect(parseFileName('foo-bar-1.0.tar.gz', 'foo-bar')).toMatchObject({
      packagetype: 'sdist',
      name: 'foo-bar',
      version: '1.0',
    });
    expect(parseFileName('foo-1.0.exe')).toBeNull();
    expect(parseFileName('../foo-1.0.tar.gz')).toBeNull();
  });

  it('orders PEP 440 versions', () => {
    const sorted = ['1.0', '1.0rc1', '1.0.post1', '1.0a1', '1.0.dev1', '0.9', '1!0.1', '1.0b2', '1.0+local'];
    expect([...sorted].sort(compareVersions)).toEqual([
      '0.9',
      '1.0.dev1',
      '1.0a1',
      '1.0b2',
      '1.0rc1',
      '1.0',
      '1.0+local',
      '1.0.post1',
      '1!0.1',
    ]);
    expect(compareVersions('1.0', '1.0.0')).toBe(0);
  });

  it('negotiates the simple API form (PEP 691)', () => {
    expect(negotiate(undefined).form).toBe('html');
    expect(negotiate('application/vnd.pypi.simple.v1+json, text/html;q=0.1').form).toBe('json');
    expect(negotiate('application/vnd.pypi.simple.v1+json;q=0.2, text/html').form).toBe('html');
    expect(negotiate('*/*').form).toBe('html');
    expect(negotiate('image/png').form).toBe('html');
  });

  it('parses HTML pages: entities, <base>, fragments, yanks, metadata; skips non-http links', () => {
    const page = parseHtmlPage(
      `<base href="https://files.example/root/">
<A HREF='p/x-1.0.tar.gz#sha256=ABCD' data-requires-python="&gt;=3.8&amp;&lt;4" data-yanked="no &quot;good&quot;">x</A>
<a href="javascript:alert(1)">y</a><a href="x-2.0.tar.gz" data-core-metadata="true">x</a>`,
      'https://index.example/simple/x/',
      'x',
    );
    expect(page.files).toEqual([
      expect.objectContaining({
        filename: 'x-1.0.tar.gz',
        url: 'https://files.example/root/p/x-1.0.tar.gz',
        hashes: { sha256: 'abcd' },
        requires_python: '>=3.8&<4',
        yanked: 'no "good"',
      }),
      expect.objectContaining({ filename: 'x-2.0.tar.gz', core_metadata: true, yanked: false }),
    ]);
    expect(parseIndex('<a href="a/">A_b</a><a href="c/"> c </a>', false)).toEqual(['A_b', 'c']);
  });
});
