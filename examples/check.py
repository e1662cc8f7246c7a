#!/usr/bin/env python3
"""check.py - sanity checks for the bundled sample sources.

Run from anywhere: python3 examples/check.py. Exits 1 and names the problem
when a check fails. Checks:
  - every XML feed, update and the OPML is well-formed (expat, no DTD
    loading); the one feed that uses HTML entities without a DTD must fail
    only because of those entities;
  - the ISO-8859-1 feed really is ISO-8859-1 (declared, and not UTF-8);
  - every JSON feed is valid JSON with a JSON Feed version;
  - the OPML lists every feed in feeds/ exactly once, by a relative path
    that exists, inside a folder;
  - each feed has 6-15 items; RFC 822 dates name the right weekday; every
    date is in November 2026;
  - every local file a feed or page refers to (../images/..., pages) exists;
  - the whole examples/ directory stays under 1 MB.
"""
import email.utils
import html.entities
import json
import os
import re
import sys
import xml.parsers.expat
from datetime import datetime

HERE = os.path.dirname(os.path.abspath(__file__))
# Feeds that deliberately use HTML named entities (&nbsp; &eacute;) with no
# DTD, as many real feeds do. They are not well-formed XML on purpose.
HTML_ENTITY_FEEDS = {'world-ledger.xml'}
LATIN1_FEEDS = {'courrier-de-la-baie.xml'}
XML_PREDEFINED = {'amp', 'lt', 'gt', 'quot', 'apos'}
errors = []


def fail(msg):
    errors.append(msg)


def parse_xml(data):
    """Parse with expat (never loads DTDs); returns an error string or None."""
    p = xml.parsers.expat.ParserCreate()
    p.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        p.Parse(data, True)
    except xml.parsers.expat.ExpatError as e:
        return str(e)
    return None


def entities_to_numeric(text):
    def sub(m):
        name = m.group(1)
        if name in XML_PREDEFINED:
            return m.group(0)
        cp = html.entities.name2codepoint.get(name)
        if cp is None:
            fail('unknown HTML entity &%s;' % name)
            return m.group(0)
        return '&#%d;' % cp
    return re.sub(r'&([A-Za-z][A-Za-z0-9]*);', sub, text)


def check_dates(name, text):
    for m in re.finditer(r'<(pubDate|lastBuildDate)>([^<]+)<', text):
        raw = m.group(2).strip()
        t = email.utils.parsedate_tz(raw)
        if not t:
            fail('%s: unparseable date %r' % (name, raw))
            continue
        d = datetime(*t[:6])  # the date as written, in its own zone
        wd = raw.split(',')[0].strip() if ',' in raw else None
        if wd and wd != d.strftime('%a'):
            fail('%s: %r says %s but is a %s' % (name, raw, wd, d.strftime('%a')))
        if not (d.year == 2026 and d.month == 11):
            fail('%s: date outside November 2026: %r' % (name, raw))
    for m in re.finditer(r'<(published|updated|issued|modified|created|dc:date)>([^<]+)<', text):
        raw = m.group(2).strip()
        if not raw.startswith('2026-11-'):
            fail('%s: date outside November 2026: %r' % (name, raw))


def local_refs(base_dir, text):
    """Relative src/href/url values that point at our images/, pages/ or
    feeds/ (other relative links resolve against an xml:base elsewhere)."""
    found = re.findall(r'(?:src|href|url)\s*=\s*(?:\\?"|&quot;|\')(\.\./[^"\'&\\#?]+)', text)
    found += re.findall(r'<(?:url|link)>(\.\./[^<]+)<', text)
    for rel in found:
        path = os.path.normpath(os.path.join(base_dir, rel))
        if os.path.relpath(path, HERE).split(os.sep)[0] in ('images', 'pages', 'feeds'):
            yield path


def count_items(text):
    return len(re.findall(r'<(?:item|entry)[\s>]', text))


def main():
    feeds_dir = os.path.join(HERE, 'feeds')
    feed_files = sorted(os.listdir(feeds_dir))
    xml_files = [os.path.join('feeds', f) for f in feed_files if f.endswith('.xml')]
    xml_files += [os.path.join('updates', f) for f in sorted(os.listdir(os.path.join(HERE, 'updates')))]
    for rel in xml_files + ['sources.opml']:
        path = os.path.join(HERE, rel)
        data = open(path, 'rb').read()
        name = os.path.basename(rel)
        if name in LATIN1_FEEDS:
            if not re.match(rb'<\?xml[^>]*encoding="ISO-8859-1"', data):
                fail('%s: does not declare ISO-8859-1' % rel)
            try:
                data.decode('utf-8')
                fail('%s: is valid UTF-8, expected ISO-8859-1 bytes' % rel)
            except UnicodeDecodeError:
                pass
            text = data.decode('iso-8859-1')
        else:
            text = data.decode('utf-8')
        err = parse_xml(data)
        if name in HTML_ENTITY_FEEDS:
            if err is None or 'undefined entity' not in err:
                fail('%s: expected to fail on an HTML entity, got %r' % (rel, err))
            err = parse_xml(entities_to_numeric(text).encode('utf-8'))
        if err:
            fail('%s: not well-formed: %s' % (rel, err))
        if rel == 'sources.opml':
            continue
        n = count_items(text)
        if not 6 <= n <= 15:
            fail('%s: %d items (want 6-15)' % (rel, n))
        check_dates(rel, text)
        for ref in local_refs(os.path.dirname(path), text):
            if not os.path.exists(ref):
                fail('%s: refers to missing %s' % (rel, os.path.relpath(ref, HERE)))

    for f in feed_files:
        if not f.endswith('.json'):
            continue
        path = os.path.join(feeds_dir, f)
        text = open(path, encoding='utf-8').read()
        try:
            doc = json.loads(text)
        except ValueError as e:
            fail('feeds/%s: invalid JSON: %s' % (f, e))
            continue
        if not str(doc.get('version', '')).startswith('https://jsonfeed.org/version/'):
            fail('feeds/%s: no JSON Feed version' % f)
        items = doc.get('items', [])
        if not 6 <= len(items) <= 15:
            fail('feeds/%s: %d items (want 6-15)' % (f, len(items)))
        for it in items:
            for k in ('date_published', 'date_modified'):
                if k in it and not it[k].startswith('2026-11-'):
                    fail('feeds/%s: %s outside November 2026' % (f, k))
        for ref in local_refs(feeds_dir, text):
            if not os.path.exists(ref):
                fail('feeds/%s: refers to missing %s' % (f, os.path.relpath(ref, HERE)))
        for k in ('icon', 'favicon'):
            if doc.get(k, '').startswith('../') and not os.path.exists(os.path.join(feeds_dir, doc[k])):
                fail('feeds/%s: %s missing' % (f, k))

    # OPML: every feed listed once, inside a folder, by an existing relative path.
    opml = open(os.path.join(HERE, 'sources.opml'), encoding='utf-8').read()
    listed = []
    depth = 0
    for m in re.finditer(r'<(/?)outline\b([^>]*?)(/?)>', opml):
        if m.group(1):
            depth -= 1
            continue
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2)))
        if 'xmlUrl' in attrs:
            if depth < 1:
                fail('sources.opml: %s is not in a folder' % attrs['xmlUrl'])
            if not attrs.get('htmlUrl'):
                fail('sources.opml: %s has no htmlUrl' % attrs['xmlUrl'])
            listed.append(attrs['xmlUrl'])
        if not m.group(3):
            depth += 1
    for u in listed:
        if u.startswith('/') or '://' in u or not os.path.exists(os.path.join(HERE, u)):
            fail('sources.opml: bad xmlUrl %s' % u)
    want = sorted('feeds/' + f for f in feed_files)
    if sorted(listed) != want:
        fail('sources.opml lists %s, feeds/ has %s' % (sorted(listed), want))

    # Pages: local links and images resolve.
    pages = os.path.join(HERE, 'pages')
    for root, _, files in os.walk(pages):
        for f in files:
            text = open(os.path.join(root, f), encoding='utf-8').read()
            for ref in local_refs(root, text):
                if not os.path.exists(ref):
                    fail('%s: refers to missing %s' % (os.path.relpath(os.path.join(root, f), HERE), os.path.relpath(ref, HERE)))
            for m in re.finditer(r'href="([a-z0-9-]+\.html)"', text):
                if not os.path.exists(os.path.join(root, m.group(1))):
                    fail('%s: broken link %s' % (f, m.group(1)))

    total = 0
    for root, _, files in os.walk(HERE):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    if total >= 1024 * 1024:
        fail('examples/ is %d bytes (limit 1 MB)' % total)

    if errors:
        for e in errors:
            print('examples/check.py: ' + e, file=sys.stderr)
        return 1
    print('examples: %d XML files, %d JSON feeds, %d OPML outlines, %d bytes: ok'
          % (len(xml_files), sum(f.endswith('.json') for f in feed_files), len(listed), total))
    return 0


if __name__ == '__main__':
    sys.exit(main())
