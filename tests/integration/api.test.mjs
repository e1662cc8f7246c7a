// api.test.mjs - the JSON API under /api/v1/ of `tidings serve`: articles
// (fields, every filter, keyset paging both ways, since/until boundaries),
// one article, sources, search (marks, paging, hostile queries), errors
// as JSON (400 naming the parameter, 404), HEAD, and valid JSON for
// hostile feed text.
//
// Run: node --test tests/integration/api.test.mjs (after make). The binary
// is ./tidings, or $TIDINGS_BIN.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, hasServe, maybe, runCli, startServe, stopServe, httpRequest } from './lib.mjs';

let tmp, db, server, port;

const HOSTILE_TITLE = 'Quotes "double" \'single\' <script>alert(1)</script> & back\\slash \u2028 emoji \u{1F389} end';

// The fixture source: boundary times around 2024-01-06T01:10:00Z
// (1704503400), hostile text, tags with '&' and spaces, an enclosure, a
// title without letters.
const FIXTURE = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Edge &amp; "Case" Daily</title><link>https://edge.example/</link>
<description>Fixture for the API tests.</description>
<item><title>Boundary zero</title><link>https://edge.example/b0</link><guid>edge-b0</guid>
<pubDate>Sat, 06 Jan 2024 01:09:59 GMT</pubDate><description>Boundary zero text.</description>
<category>Boundaries</category></item>
<item><title>Boundary one</title><link>https://edge.example/b1</link><guid>edge-b1</guid>
<pubDate>Sat, 06 Jan 2024 01:10:00 GMT</pubDate><description>Boundary one text.</description>
<category>Boundaries</category></item>
<item><title>Boundary two</title><link>https://edge.example/b2</link><guid>edge-b2</guid>
<pubDate>Sat, 06 Jan 2024 01:10:01 GMT</pubDate><description>Boundary two text.</description>
<category>Boundaries</category></item>
<item><title>Quotes "double" 'single' &amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt; &amp; back\\slash &#x2028; emoji &#x1F389; end</title>
<link>https://edge.example/hostile</link><guid>edge-hostile</guid>
<pubDate>Fri, 05 Jan 2024 12:00:00 GMT</pubDate>
<description>&lt;p&gt;Say &amp;lt;b&amp;gt;zyzzyva&amp;lt;/b&amp;gt; twice: "zyzzyva" &amp;amp; more.&lt;/p&gt;&lt;script&gt;alert(2)&lt;/script&gt;</description>
<category>Hostile &amp; Co</category><category>Ferries</category>
<enclosure url="https://cdn.edge.example/ep1.mp3" length="12345" type="audio/mpeg"/></item>
<item><title>¿¡!?</title><link>https://edge.example/punct</link><guid>edge-punct</guid>
<pubDate>Fri, 05 Jan 2024 11:00:00 GMT</pubDate><description>A title with no letters.</description>
<category>Hostile &amp; Co</category></item>
</channel></rss>
`;

const run = (args) => runCli(args, { db, cwd: tmp });

const request = (p, method = 'GET') => httpRequest(port, p, { method });

// GET p; the answer must be JSON. Returns {status, headers, json}.
async function api(p) {
  const r = await request(p);
  assert.match(r.headers['content-type'] || '', /^application\/json; charset=utf-8$/, p);
  let json;
  try { json = JSON.parse(r.body); } catch (e) { assert.fail(`${p}: not JSON: ${e.message}: ${r.body.slice(0, 300)}`); }
  if (r.status === 200) {
    assert.equal(r.headers['cache-control'], 'public, max-age=60', p);
  } else {
    assert.equal(r.headers['cache-control'], 'no-store', p);
    assert.equal(json.error.status, r.status, p);
    assert.equal(typeof json.error.message, 'string', p);
  }
  return { status: r.status, headers: r.headers, json };
}

async function expectError(p, status, names) {
  const r = await api(p);
  assert.equal(r.status, status, p);
  if (names) assert.ok(r.json.error.message.includes(`'${names}'`), `${p}: ${r.json.error.message}`);
}

// Compare list order: newest first by (published, id).
function assertNewestFirst(list, what) {
  for (let i = 1; i < list.length; i++) {
    const a = list[i - 1], b = list[i];
    assert.ok(a.published > b.published || (a.published === b.published && a.id > b.id),
      `${what}: order at ${i}: ${a.published}/${a.id} then ${b.published}/${b.id}`);
  }
}

// Follow `key` links from p; returns the pages' article lists.
async function walk(p, key, max = 200) {
  const pages = [];
  for (let i = 0; p && i < max; i++) {
    const r = await api(p);
    assert.equal(r.status, 200, p);
    pages.push({ url: p, articles: r.json.articles, next: r.json.next, prev: r.json.prev });
    p = r.json[key];
    if (p) assert.match(p, /^\/api\/v1\/articles\?/);
  }
  assert.equal(p, null, 'the walk ends');
  return pages;
}

let sources, edge, total;

before(async () => {
  if (!hasServe()) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-api-'));
  db = path.join(tmp, 'site.db');
  fs.writeFileSync(path.join(tmp, 'edge.xml'), FIXTURE);
  run(['import', path.join(ROOT, 'examples/sources.opml')]);
  run(['add', 'file://' + path.join(tmp, 'edge.xml'), '--tag', 'Edge']);
  run(['fetch']);
  server = await startServe({ db, cwd: tmp });
  port = server.port;
  sources = (await api('/api/v1/sources')).json.sources;
  edge = sources.find((s) => s.title === 'Edge & "Case" Daily');
  total = sources.reduce((n, s) => n + s.articles, 0);
});

after(async () => {
  await stopServe(server);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

maybe('sources: every source with its fields', async () => {
  const cli = JSON.parse(run(['sources', '--json']));
  assert.equal(sources.length, cli.length);
  assert.equal(total, cli.reduce((n, s) => n + s.articles, 0));
  for (const s of sources) {
    assert.equal(typeof s.id, 'number');
    assert.equal(typeof s.title, 'string');
    // the samples are file:// sources: the server's paths are not handed out
    const cliUrl = cli.find((x) => x.id === s.id).url;
    assert.equal(s.url, /^https?:/.test(cliUrl) ? cliUrl : null);
    assert.ok(s.site_url === null || /^https?:\/\//.test(s.site_url));
    assert.match(s.path, new RegExp(`^/s/${s.id}(-[a-z0-9]+)*$`));
    assert.equal(s.page_url, `http://127.0.0.1:${port}${s.path}`);
    assert.ok(Array.isArray(s.tags));
    assert.ok(['auto', 'feed', 'extract', 'summary'].includes(s.mode), s.mode);
    assert.equal(typeof s.articles, 'number');
    assert.ok(s.last_fetch === null || RFC3339.test(s.last_fetch));
    assert.ok(s.last_status === null || typeof s.last_status === 'number');
    assert.ok(s.last_error === null || typeof s.last_error === 'string');
    assert.equal(typeof s.disabled, 'boolean');
  }
  assert.ok(edge, 'the fixture source');
  assert.equal(edge.path, `/s/${edge.id}-edge-case-daily`);
  assert.deepEqual(edge.tags, ['Edge']);
  assert.equal(edge.articles, 5);
  assert.match(edge.last_fetch, RFC3339);
  assert.equal(edge.last_error, null);
  assert.equal(edge.disabled, false);
});

maybe('articles: the first page, newest first, with every summary field', async () => {
  const r = await api('/api/v1/articles');
  assert.equal(r.status, 200);
  assert.deepEqual(Object.keys(r.json), ['articles', 'next', 'prev']);
  const list = r.json.articles;
  assert.equal(list.length, 20);
  assert.equal(r.json.prev, null);
  assert.match(r.json.next, /^\/api\/v1\/articles\?before=-?\d+-\d+$/);
  assertNewestFirst(list, 'first page');
  for (const a of list) {
    assert.deepEqual(Object.keys(a), ['id', 'url', 'original_url', 'title', 'source', 'published',
      'updated', 'author', 'summary', 'image', 'views']);
    assert.match(a.url, new RegExp(`^http://127\\.0\\.0\\.1:${port}/a/${a.id}(-[a-z0-9]+)*$`));
    assert.ok(a.original_url === null || /^https?:\/\//.test(a.original_url));
    assert.equal(typeof a.title, 'string');
    assert.deepEqual(Object.keys(a.source), ['id', 'title', 'url']);
    const s = sources.find((x) => x.id === a.source.id);
    assert.equal(a.source.title, s.title);
    assert.equal(a.source.url, s.page_url);
    assert.match(a.published, RFC3339);
    assert.ok(a.updated === null || RFC3339.test(a.updated));
    assert.ok(a.image === null || /^https?:\/\//.test(a.image));
    assert.equal(typeof a.views, 'number');
  }
});

maybe('articles: before= walks every article exactly once; after= walks back', async () => {
  const pages = await walk('/api/v1/articles?limit=7', 'next');
  const all = pages.flatMap((p) => p.articles);
  assert.equal(all.length, total);
  assert.equal(new Set(all.map((a) => a.id)).size, total, 'no article twice');
  assertNewestFirst(all, 'across pages');
  assert.ok(pages.length >= 3);
  pages.forEach((p, i) => {
    assert.ok(p.articles.length >= 1 && p.articles.length <= 7);
    if (i < pages.length - 1) assert.equal(p.articles.length, 7);
    assert.equal(p.prev === null, i === 0, `prev on page ${i}`);
  });
  // back from the last page: the same pages, mirrored
  const back = await walk(pages[pages.length - 1].url, 'prev');
  const backAll = back.reverse().flatMap((p) => p.articles);
  assert.deepEqual(backAll.map((a) => a.id), all.map((a) => a.id));
  assert.equal(back[back.length - 1].next, null);
  for (const p of back.slice(0, -1)) assert.ok(p.next, 'every page but the last has next');
  // the largest page size
  const big = await walk('/api/v1/articles?limit=100', 'next');
  assert.equal(big.flatMap((p) => p.articles).length, total);
  assert.equal(big[0].articles.length, Math.min(100, total));
  // a cursor past either end: an empty page without links
  for (const p of ['/api/v1/articles?before=-99999999999-1', '/api/v1/articles?after=99999999999-1']) {
    const r = await api(p);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { articles: [], next: null, prev: null });
  }
});

maybe('articles: source and tag filters, carried by next and prev', async () => {
  for (const s of sources) {
    const pages = await walk(`/api/v1/articles?source=${s.id}&limit=5`, 'next');
    const all = pages.flatMap((p) => p.articles);
    assert.equal(all.length, s.articles, s.title);
    assert.ok(all.every((a) => a.source.id === s.id));
    for (const p of pages.slice(1)) assert.match(p.url, new RegExp(`[?&]source=${s.id}(&|$)`));
  }
  // tags are matched without case; a tag with '&' and spaces survives the links
  const boundaries = (await api('/api/v1/articles?tag=bOUNDARIES')).json.articles;
  assert.deepEqual(boundaries.map((a) => a.title), ['Boundary two', 'Boundary one', 'Boundary zero']);
  const first = await api('/api/v1/articles?tag=' + encodeURIComponent('Hostile & Co') + '&limit=1');
  assert.equal(first.json.articles.length, 1);
  assert.equal(first.json.articles[0].title, HOSTILE_TITLE);
  assert.ok(first.json.next.includes('tag=Hostile%20%26%20Co'), first.json.next);
  const second = await api(first.json.next);
  assert.equal(second.json.articles.length, 1);
  assert.equal(second.json.articles[0].title, '¿¡!?');
  assert.equal(second.json.next, null);
  const back = await api(second.json.prev);
  assert.deepEqual(back.json.articles.map((a) => a.id), first.json.articles.map((a) => a.id));
  assert.equal(back.json.prev, null);
  // source and tag together; a tag nobody uses
  const both = await api(`/api/v1/articles?source=${edge.id}&tag=ferries`);
  assert.deepEqual(both.json.articles.map((a) => a.title), [HOSTILE_TITLE]);
  assert.deepEqual((await api('/api/v1/articles?tag=no-such-tag')).json,
    { articles: [], next: null, prev: null });
});

maybe('articles: since is inclusive, until exclusive, in every accepted form', async () => {
  const titles = async (q) => (await api(`/api/v1/articles?source=${edge.id}&${q}`)).json.articles.map((a) => a.title);
  const b = ['Boundary two', 'Boundary one', 'Boundary zero'];
  assert.deepEqual(await titles('since=2024-01-06T01:10:00Z'), b.slice(0, 2));
  assert.deepEqual(await titles('since=1704503400'), b.slice(0, 2));
  assert.deepEqual(await titles('since=1704503401'), b.slice(0, 1));
  assert.deepEqual(await titles('since=2024-01-06T01:09:59.5Z'), b.slice(0, 2));
  assert.deepEqual(await titles('since=2024-01-06T02:10:00%2B01:00'), b.slice(0, 2));
  assert.deepEqual(await titles('since=2024-01-06T02:10:00+01:00'), b.slice(0, 2)); // '+' arrives as a space
  assert.deepEqual(await titles('since=2024-01-05T20:10:00-05:00'), b.slice(0, 2));
  assert.deepEqual(await titles('since=2024-01-06t01:10:00z'), b.slice(0, 2));
  assert.deepEqual(await titles('until=2024-01-06T01:10:00Z&since=2024-01-06'), b.slice(2));
  assert.deepEqual(await titles('until=1704503401&since=1704503400'), ['Boundary one']);
  assert.deepEqual(await titles('until=2024-01-06T01:10:01Z&since=2024-01-06T01:10:00Z'), ['Boundary one']);
  assert.deepEqual(await titles('until=2024-01-06'), [HOSTILE_TITLE, '¿¡!?']);
  assert.deepEqual(await titles('since=2024-01-07&until=2024-01-06'), []);
  // the filters travel in the links, as RFC 3339
  const r = await api(`/api/v1/articles?source=${edge.id}&since=1704412800&until=1704503401&limit=1`);
  assert.equal(r.json.articles[0].title, 'Boundary one');
  assert.ok(r.json.next.includes('since=2024-01-05T00%3A00%3A00Z'), r.json.next);
  assert.ok(r.json.next.includes('until=2024-01-06T01%3A10%3A01Z'), r.json.next);
  const pages = await walk(r.json.next, 'next');
  assert.deepEqual(pages.flatMap((p) => p.articles).map((a) => a.title), ['Boundary zero', HOSTILE_TITLE, '¿¡!?']);
});

maybe('articles/{id}: one article with body, tags, attachments; 404 JSON otherwise', async () => {
  const list = (await api(`/api/v1/articles?source=${edge.id}`)).json.articles;
  const h = list.find((a) => a.title === HOSTILE_TITLE);
  const r = await api(`/api/v1/articles/${h.id}`);
  assert.equal(r.status, 200);
  const a = r.json.article;
  for (const k of Object.keys(h)) assert.deepEqual(a[k], h[k], k);
  assert.equal(a.original_url, 'https://edge.example/hostile');
  assert.equal(a.published, '2024-01-05T12:00:00Z');
  assert.equal(a.source.title, 'Edge & "Case" Daily');
  assert.ok(a.content_html.includes('&lt;b&gt;zyzzyva&lt;/b&gt;'), a.content_html);
  assert.ok(!/<script/i.test(a.content_html), 'sanitized');
  assert.ok(a.content_text.includes('<b>zyzzyva</b>'), a.content_text);
  // the item's categories, then the source's own tag
  assert.deepEqual([...a.tags].sort(), ['Edge', 'Ferries', 'Hostile & Co']);
  assert.deepEqual(a.attachments, [{ url: 'https://cdn.edge.example/ep1.mp3', mime_type: 'audio/mpeg',
    size_in_bytes: 12345, duration_in_seconds: null }]);
  // a title without letters or digits: no slug
  const p = list.find((x) => x.title === '¿¡!?');
  assert.equal(p.url, `http://127.0.0.1:${port}/a/${p.id}`);
  for (const bad of ['0', 'abc', '99999999', '1x', '-1', '1.0', `${h.id}-slug`, `${h.id}/`, '9'.repeat(40)])
    await expectError(`/api/v1/articles/${bad}`, 404);
});

maybe('search: marks, snippets, paging', async () => {
  const r = await api('/api/v1/search?q=zyzzyva');
  assert.equal(r.status, 200);
  assert.equal(r.json.query, 'zyzzyva');
  assert.equal(r.json.page, 1);
  assert.equal(r.json.next, null);
  assert.equal(r.json.prev, null);
  const hit = r.json.articles.find((a) => a.title === HOSTILE_TITLE);
  assert.ok(hit, 'the fixture article is found');
  assert.ok(!/[\x01\x02]/.test(hit.snippet));
  assert.ok(hit.snippet.includes('<b>zyzzyva</b>'), hit.snippet);
  assert.ok(hit.snippet_html.includes('&lt;b&gt;<mark>zyzzyva</mark>&lt;/b&gt;'), hit.snippet_html);
  assert.ok(!hit.snippet_html.includes('<b>'));
  // marks are balanced and nothing else is markup
  const tags = hit.snippet_html.match(/<[^>]*>/g) || [];
  assert.ok(tags.length >= 2 && tags.length % 2 === 0);
  tags.forEach((t, i) => assert.equal(t, i % 2 ? '</mark>' : '<mark>'));
  for (const k of ['id', 'url', 'original_url', 'title', 'source', 'published', 'updated', 'author', 'summary', 'image', 'views'])
    assert.ok(k in hit, k);
  // a common word: pages of 20 with links both ways
  const p1 = await api('/api/v1/search?q=the');
  assert.equal(p1.json.articles.length, 20);
  assert.equal(p1.json.next, '/api/v1/search?q=the&page=2');
  const p2 = await api(p1.json.next);
  assert.equal(p2.json.page, 2);
  assert.equal(p2.json.prev, '/api/v1/search?q=the');
  const ids1 = new Set(p1.json.articles.map((a) => a.id));
  assert.ok(p2.json.articles.length > 0);
  assert.ok(p2.json.articles.every((a) => !ids1.has(a.id)), 'pages do not overlap');
  const last = await api('/api/v1/search?q=the&page=50');
  assert.equal(last.status, 200);
  assert.equal(last.json.next, null);
  // the query travels encoded
  const sp = await api('/api/v1/search?q=' + encodeURIComponent('the & "x"'));
  assert.equal(sp.json.query, 'the & "x"');
});

maybe('search: hostile queries answer JSON, never an error page', async () => {
  const queries = ['"', '"""', '*', 'zyzzyva*', 'NEAR(zyzzyva boundary)', 'a OR b AND NOT c', 'title:zyzzyva',
    '-zyzzyva', "' OR 1=1; DROP TABLE articles; --", '^zyz', '{a b}', '\u2028', '\u{1F389}', 'e\u0301',
    '中文', '%', '\\', '(((', ')', 'zyzzyva"', 'x'.repeat(256), '🎉'.repeat(64), '\ufeff'];
  for (const q of queries) {
    const r = await api('/api/v1/search?q=' + encodeURIComponent(q));
    assert.equal(r.status, 200, q);
    assert.equal(r.json.query, q);
    assert.ok(Array.isArray(r.json.articles));
  }
  await expectError('/api/v1/search', 400, 'q');
  await expectError('/api/v1/search?q=', 400, 'q');
  await expectError('/api/v1/search?q=' + 'x'.repeat(257), 400, 'q');
  await expectError('/api/v1/search?q=%FF', 400, 'q');
  await expectError('/api/v1/search?q=%ED%A0%80', 400, 'q');
  await expectError('/api/v1/search?q=%C0%AF', 400, 'q');
  for (const p of ['0', '51', '-1', 'x', '1.5', '9999'])
    await expectError('/api/v1/search?q=the&page=' + p, 400, 'page');
});

maybe('articles: bad parameters are 400 JSON naming the parameter', async () => {
  const bad = [
    ['limit=0', 'limit'], ['limit=101', 'limit'], ['limit=abc', 'limit'], ['limit=-1', 'limit'],
    ['limit=2.5', 'limit'], ['source=0', 'source'], ['source=abc', 'source'], ['source=-2', 'source'],
    ['since=yesterday', 'since'], ['since=2024-13-01', 'since'], ['since=2024-02-30T00:00:00Z', 'since'],
    ['since=2024-01-06T01:10:00', 'since'], ['since=2024-01-06T25:00:00Z', 'since'],
    ['since=99999999999999', 'since'], ['until=--1', 'until'], ['until=1e9', 'until'],
    ['until=%FF', 'until'], ['before=abc', 'before'], ['before=12', 'before'], ['before=1-0', 'before'],
    ['before=-5', 'before'], ['after=1-x', 'after'], ['after=' + '9'.repeat(60) + '-1', 'after'],
    ['before=1-1&after=1-1', 'after'], ['tag=' + 'x'.repeat(257), 'tag'], ['tag=%C3', 'tag'],
  ];
  for (const [q, name] of bad) await expectError('/api/v1/articles?' + q, 400, name);
  await expectError('/api/v1/articles?source=987654', 404);
  // empty values are absent; undeclared arguments are ignored
  const r = await api('/api/v1/articles?limit=&source=&tag=&since=&until=&before=&after=&x=1');
  assert.equal(r.status, 200);
  assert.equal(r.json.articles.length, 20);
});

maybe('unknown endpoints are 404 JSON', async () => {
  for (const p of ['/api/v1/', '/api/v1/nope', '/api/v1/articles/', '/api/v1/Articles', '/api/v1/sources/1',
    '/api/v1/search/x', '/api/v1/articles/1/extra', '/api/v1/%E2%80%A8'])
    await expectError(p, 404);
});

maybe('HEAD answers like GET without a body', async () => {
  for (const p of ['/api/v1/articles', '/api/v1/sources', '/api/v1/search?q=harbor', `/api/v1/articles?source=${edge.id}`]) {
    const g = await request(p);
    const h = await request(p, 'HEAD');
    assert.equal(h.status, 200, p);
    assert.equal(h.body, '', p);
    assert.equal(h.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(h.headers['cache-control'], 'public, max-age=60');
    assert.equal(h.headers.etag, g.headers.etag, p);
  }
  const nf = await request('/api/v1/nope', 'HEAD');
  assert.equal(nf.status, 404);
  assert.equal(nf.body, '');
  assert.equal(nf.headers['content-type'], 'application/json; charset=utf-8');
});

maybe('hostile feed text is valid JSON everywhere it appears', async () => {
  for (const p of ['/api/v1/articles?limit=100&source=' + edge.id, '/api/v1/sources',
    '/api/v1/search?q=quotes', '/api/v1/search?q=script']) {
    const r = await request(p);
    assert.equal(r.status, 200, p);
    const j = JSON.parse(r.body);
    const s = JSON.stringify(j);
    if (p.includes('source=')) assert.ok(j.articles.some((a) => a.title === HOSTILE_TITLE));
    if (p.includes('sources')) assert.ok(s.includes('Edge & \\"Case\\" Daily'));
  }
  const q = await api('/api/v1/search?q=quotes%20double');
  assert.ok(q.json.articles.some((a) => a.title === HOSTILE_TITLE));
});
