/**
 * A small but well-formed RPM: the 96-byte lead, a signature header (padded to 8 bytes) and a
 * main header with the tags repository metadata reads, then an empty payload. Enough for a
 * repository to index it; not installable.
 */

type Entry = { tag: number; type: 4 | 6 | 8; value: number | string | string[] };

function header(entries: readonly Entry[]): Buffer {
  const index: Buffer[] = [];
  const store: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    let data: Buffer;
    let count = 1;
    if (e.type === 4) {
      // INT32 values sit on 4-byte boundaries.
      const pad = (4 - (offset % 4)) % 4;
      if (pad > 0) {
        store.push(Buffer.alloc(pad));
        offset += pad;
      }
      data = Buffer.alloc(4);
      data.writeUInt32BE(e.value as number);
    } else if (e.type === 6) {
      data = Buffer.from(`${e.value as string}\0`);
    } else {
      const list = e.value as string[];
      count = list.length;
      data = Buffer.from(list.map((s) => `${s}\0`).join(''));
    }
    const entry = Buffer.alloc(16);
    entry.writeUInt32BE(e.tag, 0);
    entry.writeUInt32BE(e.type, 4);
    entry.writeUInt32BE(offset, 8);
    entry.writeUInt32BE(count, 12);
    index.push(entry);
    store.push(data);
    offset += data.length;
  }
  const intro = Buffer.alloc(16);
  intro.writeUInt32BE(0x8eade801, 0);
  intro.writeUInt32BE(entries.length, 8);
  intro.writeUInt32BE(offset, 12);
  return Buffer.concat([intro, ...index, ...store]);
}

/** `{name}-{version}-1.noarch.rpm` with one file, `/usr/share/{name}/{version}`. */
export function rpmPackage(name: string, version: string): Buffer {
  const lead = Buffer.alloc(96);
  lead.writeUInt32BE(0xedabeedb, 0);
  lead.writeUInt8(3, 4);
  lead.write(`${name}-${version}-1`.slice(0, 65), 10, 'latin1');
  lead.writeUInt16BE(5, 78);
  const sig = header([{ tag: 1007, type: 4, value: 0 }]);
  const sigPad = Buffer.alloc((8 - (sig.length % 8)) % 8);
  const main = header([
    { tag: 1000, type: 6, value: name },
    { tag: 1001, type: 6, value: version },
    { tag: 1002, type: 6, value: '1' },
    { tag: 1004, type: 6, value: `${name} ${version}` },
    { tag: 1006, type: 4, value: 1_700_000_000 },
    { tag: 1009, type: 4, value: 0 },
    { tag: 1014, type: 6, value: 'MIT' },
    { tag: 1022, type: 6, value: 'noarch' },
    { tag: 1044, type: 6, value: `${name}-${version}-1.src.rpm` },
    { tag: 1047, type: 8, value: [name] },
    { tag: 1116, type: 4, value: 0 },
    { tag: 1117, type: 8, value: [version] },
    { tag: 1118, type: 8, value: [`/usr/share/${name}/`] },
  ]);
  return Buffer.concat([lead, sig, sigPad, main]);
}
