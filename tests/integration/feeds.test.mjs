// feeds.test.mjs - the site's own feeds and sitemap, end to end: RSS 2.0
// (/feed.xml), Atom 1.0 (/atom.xml) and JSON Feed 1.1 (/feed.json) for the
// whole site, one source (/s/{id}-{slug}/...) and one tag (/t/{tag}/...);
// content types, caching headers, HEAD, ETag and Last-Modified 304s; each
// feed read back by `tidings parse` (same items, titles, links, original
// URLs); /sitemap.xml well-formed and listing every page; the JSON-LD of an
// article page whose title tries to close the script.
//
// The sources are fixture feeds written here and served over HTTP by
// server.mjs (mode "feed": no article page is ever fetched).
//
// Run: node --test tests/integration/feeds.test.mjs (after make). The binary
// is ./tidings, or $TIDINGS_BIN.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync, execFileSync } from 'node:child_process';
import { start as startFixtures } from './server.mjs';
import { BIN, hasServe, maybe, runCliAsync, startServe, stopServe, httpRequest } from './lib.mjs';

const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0';

let hasXmllint = false;
try {
  execFileSync('xmllint', ['--version'], { stdio: 'ignore', timeout: 10000 });
  hasXmllint = true;
} catch { /* use the small checker below */ }

let tmp, db, server, port, fixtures, base;
let sources = []; // from `tidings sources --json`

// ---- fixture feeds ---------------------------------------------------------

const WIRE = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
<title>Harbour &amp;lt;Wire&amp;gt; &amp;amp; Co</title>
<link>http://wire.example/</link>
<description>The wire.</description>
<item>
  <title>Tide tables &amp;amp; ferry times</title>
  <link>http://wire.example/news/tides?a=1&amp;b=2</link>
  <guid isPermaLink="false">wire-1</guid>
  <pubDate>Sat, 06 Jan 2024 01:10:00 GMT</pubDate>
  <dc:creator>Ann Smith</dc:creator>
  <category>City Hall</category>
  <category>Harbour</category>
  <description>Short summary of the tides.</description>
  <content:encoded><![CDATA[<p>Tides are <b>high</b> at noon &amp; low at six.</p>]]></content:encoded>
  <enclosure url="http://wire.example/tides.mp3" length="1234" type="audio/mpeg"/>
</item>
<item>
  <title>Café crème — naïve 日本 prices</title>
  <link>http://wire.example/news/cafe</link>
  <guid isPermaLink="false">wire-2</guid>
  <pubDate>Sun, 07 Jan 2024 09:00:00 GMT</pubDate>
  <description>Line\u2028separated summary.</description>
</item>
<item>
  <title>Harbour wall repairs begin</title>
  <link>http://wire.example/news/wall</link>
  <guid isPermaLink="false">wire-3</guid>
  <pubDate>Mon, 08 Jan 2024 12:30:00 GMT</pubDate>
  <category>Harbour</category>
  <description>Crews start on Monday.</description>
</item>
</channel>
</rss>
`;

const DESK = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Valley Desk</title>
  <id>urn:uuid:desk</id>
  <updated>2024-01-09T08:00:00Z</updated>
  <link href="http://desk.example/"/>
  <entry>
    <title type="text">&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; storm &amp; flood</title>
    <id>urn:uuid:desk-1</id>
    <link href="http://desk.example/2024/storm"/>
    <published>2024-01-09T08:00:00Z</published>
    <updated>2024-01-09T09:30:00Z</updated>
    <author><name>Bo Li</name></author>
    <author><name>Cy Moss</name></author>
    <category term="Weather"/>
    <summary>Wind &lt;b&gt;and&lt;/b&gt; rain.</summary>
    <content type="html">&lt;p&gt;Storm body.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Sunny weekend ahead</title>
    <id>urn:uuid:desk-2</id>
    <link href="http://desk.example/2024/sunny"/>
    <updated>2024-01-05T17:45:00Z</updated>
    <category term="Weather"/>
    <summary>High pressure settles over the region.</summary>
  </entry>
</feed>
`;

const NOTES = JSON.stringify({
  version: 'https://jsonfeed.org/version/1.1',
  title: 'Council Notes',
  home_page_url: 'http://council.example/',
  items: [{
    id: 'council-1',
    url: 'http://council.example/notes/budget',
    title: 'Budget vote moved to Thursday',
    content_html: '<p>The council postponed its budget vote.</p>',
    summary: 'Postponed.',
    date_published: '2024-01-07T10:00:00Z',
    authors: [{ name: 'Dee Park' }],
    tags: ['City Hall', 'Budget'],
    attachments: [{ url: 'http://council.example/minutes.pdf', mime_type: 'application/pdf', size_in_bytes: 5000 }],
  }],
});

// title -> original URL, for every fixture item
const ORIGINALS = new Map([
  ['Tide tables & ferry times', 'http://wire.example/news/tides?a=1&b=2'],
  ['Café crème — naïve 日本 prices', 'http://wire.example/news/cafe'],
  ['Harbour wall repairs begin', 'http://wire.example/news/wall'],
  ['</script><script>alert(1)</script> storm & flood', 'http://desk.example/2024/storm'],
  ['Sunny weekend ahead', 'http://desk.example/2024/sunny'],
  ['Budget vote moved to Thursday', 'http://council.example/notes/budget'],
]);

// ---- helpers ---------------------------------------------------------------

// Asynchronous: the fixture server answers from this same process.
const run = (args) => runCliAsync(args, { db, cwd: tmp });

const request = (p, { method = 'GET', headers = {} } = {}) =>
  httpRequest(port, p, { method, userAgent: UA, headers });
const get = (p, headers) => request(p, { headers });

// GET following site-internal redirects (/s/ID/feed.xml -> the slugged path).
async function getFollow(p) {
  for (let i = 0; i < 3; i++) {
    const r = await get(p);
    if (r.status !== 301) return { ...r, path: p };
    const loc = r.headers.location;
    p = loc.startsWith('http') ? new URL(loc).pathname : loc;
  }
  throw new Error(`redirect loop at ${p}`);
}

// `tidings parse` of a body: the JSON Feed it prints; stderr must be empty
// (the parser reports anything it had to recover from there).
let nparsed = 0;
function parseFeed(body, ext) {
  const f = path.join(tmp, `out-${nparsed++}.${ext}`);
  fs.writeFileSync(f, body);
  const r = spawnSync(BIN, ['parse', f], { encoding: 'utf8', timeout: 30000 });
  assert.equal(r.status, 0, `parse ${f}: ${r.stderr}`);
  assert.equal(r.stderr, '', `parse ${f} warned`);
  return JSON.parse(r.stdout);
}

// Well-formed XML: xmllint when installed, else a small checker (tags
// balanced, entities known, no stray '<' or '&', one root).
function assertWellFormed(xml, what) {
  if (hasXmllint) {
    const r = spawnSync('xmllint', ['--noout', '--nonet', '-'], { input: xml, encoding: 'utf8', timeout: 30000 });
    assert.equal(r.status, 0, `${what}: xmllint: ${r.stderr}`);
  }
  assert.ok(!/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(xml), `${what}: a character XML forbids`);
  let s = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack = [];
  let roots = 0;
  const re = /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>|<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->/g;
  let at = 0;
  for (let m; (m = re.exec(s));) {
    const text = s.slice(at, m.index);
    assert.ok(!text.includes('<'), `${what}: stray '<' near ${JSON.stringify(text.slice(0, 60))}`);
    assert.ok(!/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(text + (m[3] || '')), `${what}: bad entity near ${JSON.stringify(text.slice(0, 60))}`);
    at = re.lastIndex;
    if (!m[2]) continue;
    if (m[1]) assert.equal(stack.pop(), m[2], `${what}: </${m[2]}> closes another element`);
    else if (!m[4]) { if (!stack.length) roots++; stack.push(m[2]); } else if (!stack.length) roots++;
  }
  assert.ok(!s.slice(at).includes('<'), `${what}: stray '<' at the end`);
  assert.equal(stack.length, 0, `${what}: unclosed ${stack.join(' ')}`);
  assert.equal(roots, 1, `${what}: one root element`);
}

const KINDS = [
  { file: 'feed.xml', type: 'application/rss+xml; charset=utf-8', ext: 'xml', root: /<rss version="2\.0"/ },
  { file: 'atom.xml', type: 'application/atom+xml; charset=utf-8', ext: 'xml', root: /<feed xmlns="http:\/\/www\.w3\.org\/2005\/Atom"/ },
  { file: 'feed.json', type: 'application/feed+json; charset=utf-8', ext: 'json', root: /^\{"version":"https:\/\/jsonfeed\.org\/version\/1\.1"/ },
];

// Fetch one feed, check its headers and structure, read it back; returns
// { r, feed } (feed = `tidings parse` output).
async function fetchFeed(p, kind) {
  const r = await get(p);
  assert.equal(r.status, 200, `${p}: ${r.status}`);
  assert.equal(r.headers['content-type'], kind.type, p);
  assert.equal(r.headers['cache-control'], 'public, max-age=60', p);
  assert.ok(r.headers.etag, `${p}: ETag`);
  assert.match(r.body, kind.root, p);
  if (kind.ext === 'xml') assertWellFormed(r.body, p);
  else JSON.parse(r.body);
  const feed = parseFeed(r.body, kind.ext);
  assert.equal(feed.feed_url, base + p, `${p}: self link`);
  return { r, feed };
}

// Every item: our article page as url and id, the original as
// external_url, the title as the fixture had it.
function checkItems(feed, what) {
  for (const it of feed.items) {
    assert.match(it.url, new RegExp(`^${base.replace(/\./g, '\\.')}/a/\\d+(-[a-z0-9]+)*$`), `${what}: url`);
    assert.equal(it.id, it.url, `${what}: id`);
    assert.ok(ORIGINALS.has(it.title), `${what}: unexpected title ${JSON.stringify(it.title)}`);
    assert.equal(it.external_url, ORIGINALS.get(it.title), `${what}: original of ${it.title}`);
    assert.match(it.date_published, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  }
  for (let i = 1; i < feed.items.length; i++)
    assert.ok(feed.items[i - 1].date_published >= feed.items[i].date_published, `${what}: newest first`);
}

// ---- setup -----------------------------------------------------------------

before(async () => {
  if (!hasServe()) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-feeds-'));
  db = path.join(tmp, 'site.db');
  const fx = path.join(tmp, 'fixtures');
  fs.mkdirSync(fx);
  fs.writeFileSync(path.join(fx, 'wire.xml'), WIRE);
  fs.writeFileSync(path.join(fx, 'desk.xml'), DESK);
  fs.writeFileSync(path.join(fx, 'notes.json'), NOTES);
  fixtures = await startFixtures({ port: 0, fixtures: fx });
  for (const name of ['wire.xml', 'desk.xml', 'notes.json'])
    await run(['add', `http://127.0.0.1:${fixtures.port}/feed/${name}`, '--mode', 'feed']);
  await run(['fetch']);
  sources = JSON.parse(await run(['sources', '--json']));
  server = await startServe({ db, cwd: tmp });
  ({ port, base } = server);
});

after(async () => {
  await stopServe(server);
  if (fixtures) await fixtures.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

// ---- tests -----------------------------------------------------------------

maybe('the fixture sources were fetched', () => {
  assert.equal(sources.length, 3);
  assert.deepEqual(sources.map((s) => s.articles).sort(), [1, 2, 3]);
});

maybe('site feeds: RSS, Atom and JSON Feed list every article, read back by tidings parse', async () => {
  const lists = [];
  for (const kind of KINDS) {
    const p = '/' + kind.file;
    const { r, feed } = await fetchFeed(p, kind);
    assert.equal(feed.title, 'tidings');
    assert.equal(feed.home_page_url, base + '/');
    assert.equal(feed.items.length, 6, p);
    checkItems(feed, p);
    assert.ok(r.headers['last-modified'], `${p}: Last-Modified`);
    lists.push(feed.items.map((it) => [it.url, it.title]));

    const byTitle = new Map(feed.items.map((it) => [it.title, it]));
    const tides = byTitle.get('Tide tables & ferry times');
    assert.deepEqual([...tides.tags].sort(), ['City Hall', 'Harbour']);
    assert.deepEqual(tides.authors.map((a) => a.name), ['Ann Smith']);
    assert.equal(tides.content_html, '<p>Tides are <b>high</b> at noon &amp; low at six.</p>');
    assert.equal(tides.summary, 'Short summary of the tides.');
    assert.equal(tides.attachments.length, 1);
    assert.equal(tides.attachments[0].url, 'http://wire.example/tides.mp3');
    assert.equal(tides.attachments[0].mime_type, 'audio/mpeg');
    assert.equal(tides.attachments[0].size_in_bytes, 1234);
    assert.equal(tides.date_published, '2024-01-06T01:10:00Z');
    const storm = byTitle.get('</script><script>alert(1)</script> storm & flood');
    assert.deepEqual(storm.authors.map((a) => a.name), ['Bo Li', 'Cy Moss']);
    assert.deepEqual(storm.tags, ['Weather']);
    assert.equal(storm.date_published, '2024-01-09T08:00:00Z');
    if (kind.file !== 'feed.xml') assert.equal(storm.date_modified, '2024-01-09T09:30:00Z');
    const budget = byTitle.get('Budget vote moved to Thursday');
    assert.equal(budget.attachments[0].mime_type, 'application/pdf');
    // the original feeds' links travel in <source>/_source, not as items
    if (kind.file === 'feed.xml')
      assert.match(r.body, new RegExp(`<source url="http://127\\.0\\.0\\.1:${fixtures.port}/feed/wire\\.xml">Harbour &lt;Wire&gt; &amp; Co</source>`));
    if (kind.file === 'atom.xml') {
      assert.match(r.body, /<link rel="via" href="http:\/\/wire\.example\/news\/tides\?a=1&amp;b=2"\/>/);
      assert.match(r.body, /<title type="text">Harbour &lt;Wire&gt; &amp; Co<\/title>/);
    }
    if (kind.file === 'feed.json') {
      const j = JSON.parse(r.body);
      assert.equal(j.items.find((it) => it.title.startsWith('Tide'))._source.title, 'Harbour <Wire> & Co');
    }
  }
  // the three kinds list the same items in the same order
  assert.deepEqual(lists[1], lists[0]);
  assert.deepEqual(lists[2], lists[0]);
  // every item links to a real article page
  for (const [url] of lists[0]) {
    const r = await get(new URL(url).pathname);
    assert.equal(r.status, 200, url);
  }
});

maybe('source feeds: one source, titled after it', async (t) => {
  const wire = sources.find((s) => s.articles === 3);
  const probe = await getFollow(`/s/${wire.id}/feed.xml`);
  if (probe.status === 404) return t.skip('source feeds are not routed yet (lists.c)');
  for (const kind of KINDS) {
    const { path: p } = await getFollow(`/s/${wire.id}/${kind.file}`);
    assert.match(p, new RegExp(`^/s/${wire.id}-harbour-wire-co/${kind.file.replace('.', '\\.')}$`));
    const { feed } = await fetchFeed(p, kind);
    assert.equal(feed.title, 'Harbour <Wire> & Co - tidings');
    assert.equal(feed.home_page_url, `${base}/s/${wire.id}-harbour-wire-co`);
    assert.equal(feed.items.length, 3);
    checkItems(feed, p);
    assert.deepEqual(feed.items.map((it) => it.title),
      ['Harbour wall repairs begin', 'Café crème — naïve 日本 prices', 'Tide tables & ferry times']);
  }
  assert.equal((await get('/s/99999/feed.xml')).status, 404);
  assert.equal((await get('/s/99999-nope/atom.xml')).status, 404);
});

maybe('tag feeds: one tag, across sources; unknown tags are 404', async (t) => {
  const probe = await get('/t/City%20Hall/feed.xml');
  if (probe.status === 404) return t.skip('tag feeds are not routed yet (lists.c)');
  for (const kind of KINDS) {
    const p = `/t/City%20Hall/${kind.file}`;
    const { feed } = await fetchFeed(p, kind);
    assert.equal(feed.title, '#City Hall - tidings');
    assert.equal(feed.home_page_url, `${base}/t/City%20Hall`);
    assert.deepEqual(feed.items.map((it) => it.title), ['Budget vote moved to Thursday', 'Tide tables & ferry times']);
    checkItems(feed, p);
    const w = await fetchFeed(`/t/Weather/${kind.file}`, kind);
    assert.equal(w.feed.items.length, 2);
    assert.equal((await get(`/t/no-such-tag/${kind.file}`)).status, 404);
  }
});

maybe('HEAD, ETag and Last-Modified answers', async () => {
  for (const p of ['/feed.xml', '/atom.xml', '/feed.json', '/sitemap.xml']) {
    const g = await get(p);
    assert.equal(g.status, 200);
    const h = await request(p, { method: 'HEAD' });
    assert.equal(h.status, 200, `HEAD ${p}`);
    assert.equal(h.body, '');
    assert.equal(h.headers['content-type'], g.headers['content-type']);
    assert.equal(h.headers.etag, g.headers.etag);
    const n = await get(p, { 'if-none-match': g.headers.etag });
    assert.equal(n.status, 304, `If-None-Match ${p}`);
    assert.equal(n.body, '');
    const m = await get(p, { 'if-modified-since': g.headers['last-modified'] });
    assert.equal(m.status, 304, `If-Modified-Since ${p}`);
    const old = await get(p, { 'if-modified-since': 'Sat, 01 Jan 2000 00:00:00 GMT' });
    assert.equal(old.status, 200);
  }
});

maybe('sitemap.xml: well-formed, every page and article', async () => {
  const r = await get('/sitemap.xml');
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'application/xml; charset=utf-8');
  assertWellFormed(r.body, 'sitemap');
  assert.match(r.body, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<urlset xmlns="http:\/\/www\.sitemaps\.org\/schemas\/sitemap\/0\.9">/);
  const locs = [...r.body.matchAll(/<url><loc>([^<]+)<\/loc>(?:<lastmod>([^<]+)<\/lastmod>)?<\/url>/g)]
    .map((m) => ({ loc: m[1].replace(/&amp;/g, '&'), lastmod: m[2] }));
  assert.equal(locs.length, (r.body.match(/<url>/g) || []).length, 'every <url> has the expected shape');
  const set = new Set(locs.map((l) => l.loc));
  assert.ok(set.has(base + '/'));
  assert.ok(set.has(base + '/about'));
  for (const s of sources)
    assert.ok(locs.some((l) => l.loc.startsWith(`${base}/s/${s.id}-`)), `source ${s.id}`);
  for (const tag of ['City%20Hall', 'Harbour', 'Weather', 'Budget'])
    assert.ok(set.has(`${base}/t/${tag}`), tag);
  // every article of the site (the site feed lists them all: 6 < 50)
  const feed = JSON.parse((await get('/feed.json')).body);
  for (const it of feed.items) assert.ok(set.has(it.url), it.url);
  assert.equal(locs.length, 2 + sources.length + 4 + feed.items.length);
  for (const l of locs) {
    assert.ok(l.loc.startsWith(base + '/'), l.loc);
    if (l.lastmod) assert.match(l.lastmod, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  }
  // the home page's lastmod is the newest article's arrival
  assert.ok(locs[0].lastmod);
  // each listed page exists
  for (const l of locs) {
    const g = await get(new URL(l.loc).pathname);
    assert.equal(g.status, 200, l.loc);
  }
});

maybe('article page JSON-LD: a NewsArticle that cannot close its script', async (t) => {
  const feed = JSON.parse((await get('/feed.json')).body);
  const storm = feed.items.find((it) => it.title.startsWith('</script>'));
  const r = await get(new URL(storm.url).pathname);
  assert.equal(r.status, 200);
  const m = r.body.match(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/);
  if (!m) return t.skip('the article page does not carry JSON-LD yet');
  const ld = JSON.parse(m[1]);
  assert.ok(!m[1].includes('<'));
  assert.equal(ld['@context'], 'https://schema.org');
  assert.equal(ld['@type'], 'NewsArticle');
  assert.equal(ld.headline, '</script><script>alert(1)</script> storm & flood');
  assert.equal(ld.url, storm.url);
  assert.equal(ld.mainEntityOfPage['@id'], storm.url);
  assert.equal(ld.isBasedOn, 'http://desk.example/2024/storm');
  assert.equal(ld.datePublished, '2024-01-09T08:00:00Z');
  assert.equal(ld.dateModified, '2024-01-09T09:30:00Z');
  assert.deepEqual(ld.author.map((a) => a.name), ['Bo Li', 'Cy Moss']);
  assert.equal(ld.publisher['@type'], 'Organization');
  assert.equal(ld.publisher.name, 'Valley Desk');
  // only one script element: the title did not open another
  assert.equal((r.body.match(/<script/g) || []).length, 1);
});
