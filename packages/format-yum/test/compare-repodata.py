# Normalizes a repository's primary, filelists and other XML (gzip) into JSON, so Depot's repodata
# can be compared with createrepo_c's field by field. Usage: compare-repodata.py REPODATA_DIR
import glob, gzip, json, sys
import xml.etree.ElementTree as ET

C = '{http://linux.duke.edu/metadata/common}'
R = '{http://linux.duke.edu/metadata/rpm}'
F = '{http://linux.duke.edu/metadata/filelists}'
O = '{http://linux.duke.edu/metadata/other}'

def one(d, kind):
    [path] = glob.glob(f'{d}/*{kind}.xml.gz')
    return ET.fromstring(gzip.open(path).read())

def deps(fmt, tag):
    el = fmt.find(R + tag)
    if el is None:
        return []
    return sorted(json.dumps(e.attrib, sort_keys=True) for e in el.findall(R + 'entry'))

out = {}
for p in one(sys.argv[1], 'primary').findall(C + 'package'):
    name = p.find(C + 'name').text
    fmt = p.find(C + 'format')
    out[name] = {
        'arch': p.find(C + 'arch').text,
        'version': p.find(C + 'version').attrib,
        'checksum': p.find(C + 'checksum').text,
        'summary': p.find(C + 'summary').text,
        'description': p.find(C + 'description').text,
        'url': p.find(C + 'url').text,
        'size': {k: v for k, v in p.find(C + 'size').attrib.items()},
        'build': p.find(C + 'time').attrib['build'],
        'license': fmt.find(R + 'license').text,
        'sourcerpm': fmt.find(R + 'sourcerpm').text,
        'header-range': fmt.find(R + 'header-range').attrib,
        'primary-files': sorted(json.dumps([f.text, f.attrib.get('type')]) for f in fmt.findall(C + 'file')),
        **{t: deps(fmt, t) for t in ['provides', 'requires', 'conflicts', 'obsoletes', 'recommends', 'suggests', 'supplements', 'enhances']},
    }
for p in one(sys.argv[1], 'filelists').findall(F + 'package'):
    out[p.attrib['name']]['files'] = sorted(json.dumps([f.text, f.attrib.get('type')]) for f in p.findall(F + 'file'))
    out[p.attrib['name']]['filelists-pkgid'] = p.attrib['pkgid']
for p in one(sys.argv[1], 'other').findall(O + 'package'):
    out[p.attrib['name']]['changelogs'] = [[c.attrib['author'], c.attrib['date'], c.text] for c in p.findall(O + 'changelog')]
print(json.dumps(out, sort_keys=True, indent=1))
