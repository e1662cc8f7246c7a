// site.test.mjs - the public site beyond the front and article pages, with
// the real binary on 127.0.0.1 and fixture feeds: keyset pagination both
// ways while new articles arrive, source and tag pages (and their feeds),
// tags on article pages, search (marks, paging, hostile queries, limits),
// the about page, every error page (400, 404, 405, 500, 503), "Most read"
// after views, the time zone (timezone=Europe/Berlin), theme_dir overrides
// of a template and of site.css, and no inline script or style anywhere.
//
// Run: node --test tests/integration/site.test.mjs (after make). The binary
// is ./tidings, or $TIDINGS_BIN.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, hasServe, maybe, runCli, startServe, stopServe, httpRequest } from './lib.mjs';

const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0';
const BOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

let tmp, db, main;
const seen = new Map(); // every HTML page fetched: path -> body
const BIG = 45;         // articles of the "Zephyr Wire" fixture source

const run = (args, env = {}) => runCli(args, { db, cwd: tmp, env });

// Start `tidings serve` (no fetching); resolves {child, port, stderr()}.
const startServer = ({ env = {}, dbPath = db } = {}) => startServe({ db: dbPath, cwd: tmp, env });

// GET (or `method`) p on server srv as `ua`; HTML bodies are kept in `seen`.
async function get(p, { ua = BOT, srv = main, method = 'GET' } = {}) {
  const r = await httpRequest(srv.port, p, { method, userAgent: ua, timeout: 15000 });
  if (/text\/html/.test(r.headers['content-type'] || '')) seen.set(`${srv.port}${p}`, r.body);
  return r;
}

// The article cards of a list page: [{href, id, datetime, source, title}].
function cards(html) {
  const out = [];
  const re = /<article class="card">[\s\S]*?<a href="(\/a\/(\d+)[^"]*)">([^<]*)<\/a>[\s\S]*?<span class="source">([^<]*)<\/span> <time datetime="([^"]+)">/g;
  for (let m; (m = re.exec(html)) && out.length < 1000;)
    out.push({ href: m[1], id: Number(m[2]), title: m[3], source: m[4], datetime: m[5] });
  return out;
}

const unent = (s) => s.replace(/&#61;/g, '=').replace(/&amp;/g, '&');

// The href of <a class="CLS" ...> with its label, or null.
function linkOf(html, cls) {
  const m = html.match(new RegExp(`<a class="${cls}" href="([^"]+)" rel="(?:prev|next)">([^<]+)</a>`));
  return m ? { href: unent(m[1]), label: m[2] } : null;
}

function inOrder(html, needles, what) {
  let at = 0;
  for (const n of needles) {
    const i = html.indexOf(n, at);
    assert.ok(i >= 0, `${what}: missing or out of order: ${n}`);
    at = i + n.length;
  }
}

// An RSS file with items [{title, link, guid, date, text, cats}].
function rss(title, link, items) {
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>${esc(title)}</title><link>${link}</link>
<description>Fixture feed.</description>
${items.map((it) => `<item><title>${esc(it.title)}</title><link>${it.link}</link>
<guid isPermaLink="false">${it.guid}</guid><pubDate>${new Date(it.date).toUTCString()}</pubDate>
${(it.cats || []).map((c) => `<category>${esc(c)}</category>`).join('')}
<description>${esc(it.text)}</description></item>`).join('\n')}
</channel></rss>
`;
}

function bigItems() {
  const base = Date.UTC(2024, 2, 1, 8, 0, 0);
  const items = [];
  for (let i = 0; i < BIG; i++) {
    items.push({
      title: i === 0 ? 'Café crème and Straße: quillwort in bloom' : `Quillwort report number ${i}`,
      link: `https://zephyr.example/${i}`, guid: `zephyr-${i}`,
      date: base + i * 3600 * 1000,
      text: `The quillwort survey entry ${i} mentions marker${i} among the reeds of the harbor.`,
      cats: i % 2 ? ['Weather', 'Straße Life'] : ['Weather'],
    });
  }
  return items;
}

let sourcesTotal = 0;

before(async () => {
  if (!hasServe()) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-site-'));
  db = path.join(tmp, 'site.db');
  fs.writeFileSync(path.join(tmp, 'big.xml'), rss('Zephyr Wire', 'https://zephyr.example/', bigItems()));
  fs.writeFileSync(path.join(tmp, 'clock.xml'), rss('Clock Post', 'https://clock.example/', [
    { title: 'Winter clock story', link: 'https://clock.example/w', guid: 'clock-w',
      date: Date.UTC(2024, 0, 6, 1, 10, 0), text: 'A winter date.' },
    { title: 'Summer clock story', link: 'https://clock.example/s', guid: 'clock-s',
      date: Date.UTC(2024, 6, 1, 12, 0, 0), text: 'A summer date.' },
  ]));
  run(['import', path.join(ROOT, 'examples/sources.opml')]);
  run(['add', 'file://' + path.join(tmp, 'big.xml'), '--mode', 'feed', '--tag', 'Desk Notes', '--tag', 'Weather']);
  run(['add', 'file://' + path.join(tmp, 'clock.xml'), '--mode', 'feed']);
  run(['fetch']);
  sourcesTotal = JSON.parse(run(['sources', '--json'])).reduce((s, x) => s + x.articles, 0);
  main = await startServer();
});

after(async () => {
  if (main) await stopServe(main);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

// The source page path of a source by title, from the about page.
async function sourcePath(title) {
  const about = (await get('/about')).body;
  const m = about.match(new RegExp(`<a href="(/s/\\d+[^"]*)">${title}</a>`));
  assert.ok(m, `${title} on the about page`);
  return m[1];
}

maybe('front page: pagination both ways covers every article once while new articles arrive', async () => {
  // down, with three new articles stored after the first page
  let p = '/', lastPage = null;
  const down = new Map();
  for (let pages = 0; p && pages < 50; pages++) {
    const r = await get(p);
    assert.equal(r.status, 200, p);
    for (const c of cards(r.body)) down.set(c.id, (down.get(c.id) || 0) + 1);
    if (pages === 0) {
      const now = Date.now();
      fs.writeFileSync(path.join(tmp, 'late.xml'), rss('Late Desk', 'https://late.example/',
        [1, 2, 3].map((k) => ({ title: `Late story ${k}`, link: `https://late.example/${k}`,
          guid: `late-${k}`, date: now + (2 * 3600 + k * 60) * 1000, text: 'Late news.' }))));
      const url = 'file://' + path.join(tmp, 'late.xml');
      run(['add', url, '--mode', 'feed']);
      run(['fetch', '--source', url]);
    }
    const older = linkOf(r.body, 'older');
    if (!older) lastPage = p;
    p = older && older.href;
  }
  assert.equal(down.size, sourcesTotal, 'every article of the start');
  for (const [id, n] of down) assert.equal(n, 1, `article ${id} seen ${n} times going down`);
  // up from the last page, to the newest page, which links to "/"
  const up = new Map();
  let top = null;
  p = lastPage;
  for (let pages = 0; p && pages < 50; pages++) {
    const r = await get(p);
    assert.equal(r.status, 200, p);
    const list = cards(r.body);
    for (const c of list) up.set(c.id, (up.get(c.id) || 0) + 1);
    const newer = linkOf(r.body, 'newer');
    assert.ok(newer, `a link up on ${p}`);
    if (newer.label === 'Latest') { assert.equal(newer.href, '/'); top = list; break; }
    assert.equal(newer.label, 'Newer');
    assert.match(newer.href, /^\/\?after=-?\d+-\d+$/);
    p = newer.href;
  }
  assert.ok(top, 'the walk up ends');
  assert.equal(up.size, sourcesTotal + 3, 'and the new ones too');
  for (const [id, n] of up) assert.equal(n, 1, `article ${id} seen ${n} times going up`);
  assert.equal(top[0].title, 'Late story 3');
  // bad cursors
  for (const bad of ['/?after=abc', '/?after=1-0', '/?before=1-1&after=1-1', '/?after=' + '9'.repeat(40) + '-1'])
    assert.equal((await get(bad)).status, 400, bad);
});

maybe('source page: title, site, tags, count, cards, pagination, canonical path, feeds', async () => {
  const canon = await sourcePath('Zephyr Wire');
  assert.match(canon, /^\/s\/\d+-zephyr-wire$/);
  const id = canon.match(/^\/s\/(\d+)/)[1];
  for (const p of [`/s/${id}`, `/s/${id}-wrong-slug`]) {
    const r = await get(p);
    assert.equal(r.status, 301, p);
    assert.equal(r.headers.location, canon);
  }
  const r = await get(canon);
  assert.equal(r.status, 200);
  const b = r.body;
  inOrder(b, [
    '<link rel="alternate" type="application/rss+xml" title="tidings (RSS)" href="/feed.xml">',
    `<link rel="alternate" type="application/rss+xml" title="Zephyr Wire (RSS)" href="${canon}/feed.xml">`,
    `<link rel="alternate" type="application/atom+xml" title="Zephyr Wire (Atom)" href="${canon}/atom.xml">`,
    `<link rel="alternate" type="application/feed+json" title="Zephyr Wire (JSON Feed)" href="${canon}/feed.json">`,
    '</head>', '<main',
    '<h1 class="page-title">Zephyr Wire</h1>',
    `${BIG} articles`, '<a href="https://zephyr.example/">zephyr.example</a>',
    '<a href="/t/Desk%20Notes" rel="tag">Desk Notes</a>', '<a href="/t/Weather" rel="tag">Weather</a>',
    `<a href="${canon}/feed.xml" type="application/rss+xml">RSS</a>`,
    '<article class="card">', '</main>',
  ], canon);
  const first = cards(b);
  assert.equal(first.length, 30);
  assert.ok(first.every((c) => c.source === 'Zephyr Wire'));
  assert.equal(linkOf(b, 'newer'), null);
  const older = linkOf(b, 'older');
  assert.ok(older.href.startsWith(`${canon}?before=`));
  const r2 = await get(older.href);
  const second = cards(r2.body);
  assert.equal(second.length, BIG - 30);
  assert.equal(linkOf(r2.body, 'older'), null);
  const ids = new Set([...first, ...second].map((c) => c.id));
  assert.equal(ids.size, BIG);
  // back up: the newest page links to the source page itself
  const newer = linkOf(r2.body, 'newer');
  assert.ok(newer.href.startsWith(`${canon}?after=`));
  const r3 = await get(newer.href);
  assert.deepEqual(cards(r3.body).map((c) => c.id), first.map((c) => c.id));
  assert.deepEqual(linkOf(r3.body, 'newer'), { href: canon, label: 'Latest' });
  // a wrong slug keeps the cursor
  const w = await get(`/s/${id}-nope?before=1-1`);
  assert.equal(w.status, 301);
  assert.equal(w.headers.location, `${canon}?before=1-1`);
  // feeds
  for (const [f, type] of [['feed.xml', /rss\+xml/], ['atom.xml', /atom\+xml/], ['feed.json', /json/]]) {
    const fr = await get(`${canon}/${f}`);
    assert.equal(fr.status, 200, f);
    assert.match(fr.headers['content-type'], type);
    assert.ok(fr.body.includes('Quillwort report number 44'), f);
    const moved = await get(`/s/${id}/${f}`);
    assert.equal(moved.status, 301);
    assert.equal(moved.headers.location, `${canon}/${f}`);
  }
  for (const p of ['/s/', '/s/abc', '/s/0', '/s/99999999', `/s/${id}-zephyr-wire/nope`, '/s/' + '9'.repeat(30)])
    assert.equal((await get(p)).status, 404, p);
});

maybe('article page: transliterated slug, tags after the attribution, JSON-LD, feed links', async () => {
  const canon = await sourcePath('Zephyr Wire');
  const older = linkOf((await get(canon)).body, 'older');
  const list = cards((await get(older.href)).body);
  const card = list.find((c) => c.title.startsWith('Café crème'));
  assert.ok(card, 'the accented article');
  assert.match(card.href, /^\/a\/\d+-cafe-creme-and-strasse-quillwort-in-bloom$/);
  const b = (await get(card.href)).body;
  inOrder(b, [
    '<link rel="alternate" type="application/rss+xml" title="tidings (RSS)" href="/feed.xml">',
    '<link rel="alternate" type="application/atom+xml" title="tidings (Atom)" href="/atom.xml">',
    '<link rel="alternate" type="application/feed+json" title="tidings (JSON Feed)" href="/feed.json">',
    '</head>',
    'This post appeared first on <a href="https://zephyr.example/0">ZEPHYR WIRE</a>',
    '<nav class="tags" aria-label="Tags">',
    '<a href="/t/Weather" rel="tag">Weather</a>',
    `More from <a href="${canon}">Zephyr Wire</a>`,
    '</article>', 'Other news',
  ], card.href);
  const ld = b.match(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/);
  if (ld) { // feeds.c writes it; the page only places it
    const obj = JSON.parse(ld[1]);
    assert.equal(obj['@type'], 'NewsArticle');
    assert.ok(b.indexOf(ld[0]) < b.indexOf('</head>'));
  }
  // an article with a tag of two words and a non-ASCII letter
  const odd = list.find((c) => /number \d+$/.test(c.title) && Number(c.title.split(' ').pop()) % 2);
  assert.ok(odd, 'an odd-numbered article');
  const ob = (await get(odd.href)).body;
  assert.ok(ob.includes('<a href="/t/Stra%C3%9Fe%20Life" rel="tag">Straße Life</a>'));
});

maybe('tag page: percent-decoded, case-insensitive, paginated, with feeds; 404 when unused', async () => {
  const r = await get('/t/Stra%C3%9Fe%20Life');
  assert.equal(r.status, 200);
  inOrder(r.body, [
    '<link rel="alternate" type="application/rss+xml" title="Straße Life (RSS)" href="/t/Stra%C3%9Fe%20Life/feed.xml">',
    '<h1 class="page-title">Straße Life</h1>', '<article class="card">',
  ], 'tag page');
  const list = cards(r.body);
  assert.equal(list.length, 22); // the odd ones of 45
  assert.equal((await get('/t/stra%C3%9Fe%20life')).status, 200);
  assert.equal(cards((await get('/t/STRA%C3%9FE%20LIFE')).body).length, 22);
  // Weather: the 45 fixture articles and the samples' own, over pages
  let p = '/t/weather';
  const ids = new Set();
  for (let pages = 0; p && pages < 20; pages++) {
    const pr = await get(p);
    assert.equal(pr.status, 200, p);
    for (const c of cards(pr.body)) { assert.ok(!ids.has(c.id), `${c.id} twice`); ids.add(c.id); }
    const o = linkOf(pr.body, 'older');
    if (o) assert.ok(o.href.startsWith('/t/weather?before='), o.href);
    p = o && o.href;
  }
  assert.ok(ids.size >= BIG, `${ids.size} Weather articles`);
  for (const [f, type] of [['feed.xml', /rss\+xml/], ['atom.xml', /atom\+xml/], ['feed.json', /json/]]) {
    const fr = await get(`/t/Weather/${f}`);
    assert.equal(fr.status, 200, f);
    assert.match(fr.headers['content-type'], type);
  }
  for (const p404 of ['/t/', '/t/no-such-tag', '/t/no-such-tag/feed.xml', '/t/%FF%FE', '/t/' + 'x'.repeat(300)])
    assert.equal((await get(p404)).status, 404, p404);
});

maybe('search: ranked results with marks, counts, pages, suggestions, limits', async () => {
  // the form alone
  const empty = await get('/search');
  assert.equal(empty.status, 200);
  assert.ok(empty.body.includes('<input id="search-q" type="search" name="q" value=""'));
  assert.ok(empty.body.includes('<label for="search-q">Search the news</label>'));
  assert.ok(!empty.body.includes('result-count'));
  // every page has the labelled form in its header
  const front = (await get('/')).body;
  assert.ok(front.includes('<form class="search-form" role="search" action="/search" method="get">'));
  assert.ok(front.includes('<label class="vh" for="site-search">Search the news</label>'));
  // 45 matches: 20, 20, 5
  const r1 = await get('/search?q=quillwort');
  assert.equal(r1.status, 200);
  assert.ok(r1.body.includes('More than 20 results for “quillwort”'));
  assert.ok(r1.body.includes('value="quillwort"'));
  const items = [...r1.body.matchAll(/<li class="result">[\s\S]*?<\/li>/g)].map((m) => m[0]);
  assert.equal(items.length, 20);
  for (const it of items) {
    const snip = it.match(/<p class="snippet">([\s\S]*?)<\/p>/);
    assert.ok(snip, 'a snippet');
    assert.match(snip[1], /<mark>quillwort<\/mark>/i);
    assert.ok(!/<(?!\/?mark>)/.test(snip[1]), `only marks in ${snip[1]}`);
  }
  assert.deepEqual(linkOf(r1.body, 'older'), { href: '/search?q=quillwort&page=2', label: 'Next' });
  assert.equal(linkOf(r1.body, 'newer'), null);
  const r2 = await get('/search?q=quillwort&page=2');
  assert.ok(r2.body.includes('Results 21–40 for “quillwort”'));
  assert.ok(r2.body.includes('<ol class="results" start="21">'));
  assert.deepEqual(linkOf(r2.body, 'newer'), { href: '/search?q=quillwort', label: 'Previous' });
  const r3 = await get('/search?q=quillwort&page=3');
  assert.equal([...r3.body.matchAll(/<li class="result">/g)].length, 5);
  assert.equal(linkOf(r3.body, 'older'), null);
  const all = new Set();
  for (const r of [r1, r2, r3])
    for (const m of r.body.matchAll(/<h2 class="result-title"><a href="\/a\/(\d+)/g)) all.add(m[1]);
  assert.equal(all.size, BIG);
  assert.ok((await get('/search?q=quillwort&page=4')).body.includes('No more results'));
  // one exact result, a form submission's '+' for spaces
  const one = await get('/search?q=marker17+quillwort');
  assert.ok(one.body.includes('1 result for “marker17 quillwort”'), 'one result');
  // nothing found: suggestions and topics
  const none = await get('/search?q=xylophonic+nonexistence');
  assert.ok(none.body.includes('No results for “xylophonic nonexistence”.'));
  assert.ok(none.body.includes('Check the spelling'));
  assert.match(none.body, /<ul class="tag-cloud">\s*<li><a href="\/t\/[^"]+" rel="tag">/);
  // limits
  assert.equal((await get('/search?q=' + 'a'.repeat(256))).status, 200);
  assert.equal((await get('/search?q=' + 'a'.repeat(257))).status, 400);
  for (const bad of ['0', '51', 'x', '-1', '2.5', '1e2'])
    assert.equal((await get('/search?q=quillwort&page=' + bad)).status, 400, bad);
  assert.equal((await get('/search?q=quillwort&page=50')).status, 200);
  assert.equal((await get('/search?q=a%00b')).status, 400);
});

maybe('search: hostile queries are pages, never errors or markup', async () => {
  const hostile = [
    '"', "'", '"unterminated', 'harbor OR ferry', 'NEAR(harbor ferry)', 'title:harbor',
    '*', '^harbor', 'harbor*', '-harbor', 'harbor AND', 'NOT', '(', ')', '{}', '[]',
    "'; DROP TABLE articles; --", "1' OR '1'='1", '<script>alert(1)</script>',
    '"><img src=x onerror=alert(1)>', '\u202eevil', '😀 harbor', 'e\u0301\u0301\u0301',
    '%', '_', '\\', '\\"', 'col:', '"a" "b"', 'harbor    AND NOT harbor', '\u2028\u2029',
    'ﷺ', '\uFFFD', 'a'.repeat(200) + ' ' + 'b'.repeat(50), '\t\n', '&amp;&lt;',
  ];
  for (const q of hostile) {
    const r = await get('/search?q=' + encodeURIComponent(q));
    assert.equal(r.status, q.includes('\n') ? 400 : 200, JSON.stringify(q));
    if (r.status !== 200) continue;
    assert.ok(!/<script/i.test(r.body), `script for ${JSON.stringify(q)}`);
    assert.ok(!/<img src=x/i.test(r.body), `markup for ${JSON.stringify(q)}`);
  }
  // raw invalid UTF-8
  const bad = await get('/search?q=%FF%FE%C3%28');
  assert.equal(bad.status, 200);
  assert.ok(!bad.body.includes('\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD'));
  assert.equal((await get('/healthz')).status, 200, 'still serving');
});

maybe('about page: the sources, tags and feeds', async () => {
  const r = await get('/about');
  assert.equal(r.status, 200);
  const b = r.body;
  const canon = await sourcePath('Zephyr Wire');
  inOrder(b, [
    '<h1 class="page-title">About tidings</h1>',
    `<a href="http://127.0.0.1:${main.port}/">http://127.0.0.1:${main.port}</a>`,
    'Sources', `<a href="${canon}">Zephyr Wire</a><br><a class="site-link" href="https://zephyr.example/">zephyr.example</a>`,
    `<td>${BIG}</td>`, '<time datetime="',
    'Topics', '<a href="/t/Weather" rel="tag">Weather</a> <span class="count">',
    'Feeds', `<code>http://127.0.0.1:${main.port}/feed.xml</code>`,
    `<code>http://127.0.0.1:${main.port}/atom.xml</code>`, `<code>http://127.0.0.1:${main.port}/feed.json</code>`,
  ], '/about');
  const sources = JSON.parse(run(['sources', '--json']));
  for (const s of sources) assert.ok(b.includes(`>${s.title.replace(/&/g, '&amp;').replace(/'/g, '&#39;')}</a>`), s.title);
});

maybe('error pages: 400, 404, 405 through the theme, with a way home and the search form', async () => {
  const cases = [
    ['/?before=nonsense', 400, 'Bad Request'], ['/no/such/page', 404, 'Not Found'],
    ['/a/99999999', 404, 'Not Found'], ['/t/never-used', 404, 'Not Found'],
  ];
  for (const [p, status, reason] of cases) {
    const r = await get(p);
    assert.equal(r.status, status, p);
    errorPage(r, status, reason);
  }
  const post = await get('/', { method: 'POST' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.allow, 'GET, HEAD');
  errorPage(post, 405, 'Method Not Allowed');
});

function errorPage(r, status, reason) {
  const b = r.body;
  assert.equal(r.headers['cache-control'], 'no-store');
  inOrder(b, [
    `<title>${status} ${reason} - tidings</title>`, '<meta name="robots" content="noindex">',
    '<link rel="stylesheet" href="/static/site.', '</head>',
    '<form class="search-form" role="search" action="/search" method="get">',
    '<main', `<p class="section-label">Error ${status}</p>`,
    `<h1 class="page-title" id="error-title">${reason}</h1>`,
    '<a class="button" href="/">Go to the latest news</a>',
    '<label for="error-search">Or search the news</label>', '</main>', '<footer',
  ], `${status} page`);
}

maybe('error pages: 503 when the database cannot be read, 500 when a page cannot be built', async () => {
  // 503: the database is replaced by junk before any reader opens it
  const copy = path.join(tmp, 'broken.db');
  run(['backup', copy]);
  const s = await startServer({ dbPath: copy });
  try {
    const junk = path.join(tmp, 'junk.tmp');
    fs.writeFileSync(junk, 'this is not a database '.repeat(500));
    fs.renameSync(junk, copy);
    for (const f of ['-wal', '-shm']) fs.rmSync(copy + f, { force: true });
    const r = await get('/', { srv: s });
    assert.equal(r.status, 503);
    errorPage(r, 503, 'Service Unavailable');
    assert.equal((await get('/healthz', { srv: s })).status, 503);
    // a 404 needs no database
    errorPage(await get('/no/such/page', { srv: s }), 404, 'Not Found');
  } finally { await stopServe(s); }
  // 500: a theme whose article template has no place for the view count
  const theme = path.join(tmp, 'theme500');
  fs.mkdirSync(path.join(theme, 'templates'), { recursive: true });
  fs.writeFileSync(path.join(theme, 'templates', 'article.html'), '<h1>{{title}}</h1>\n');
  const t = await startServer({ env: { TIDINGS_THEME_DIR: theme } });
  try {
    const card = cards((await get('/', { srv: t })).body)[0];
    const r = await get(card.href, { srv: t });
    assert.equal(r.status, 500);
    errorPage(r, 500, 'Internal Server Error');
  } finally { await stopServe(t); }
});

maybe('front page: "Most read" lists the most viewed articles of the day', async () => {
  const list = cards((await get('/')).body);
  assert.ok(!(await get('/')).body.includes('Most read'), 'no views yet');
  const [a, b, c] = [list[4], list[7], list[9]];
  for (const [card, n] of [[a, 2], [b, 4], [c, 1]])
    for (let i = 0; i < n; i++) assert.equal((await get(card.href, { ua: BROWSER })).status, 200);
  // views are written at shutdown; a new process has a fresh page cache
  await stopServe(main);
  main = await startServer();
  const r = await get('/');
  const block = r.body.match(/<aside class="most-read"[\s\S]*?<\/aside>/);
  assert.ok(block, 'the block');
  inOrder(block[0], [
    '<h2 id="most-read-title">Most read</h2>',
    `<a href="${b.href}">`, '4 views', `<a href="${a.href}">`, '2 views', `<a href="${c.href}">`, '1 view<',
  ], 'most read');
  assert.ok(r.body.includes('<div class="front with-aside">'));
  // only on the first page
  const older = linkOf(r.body, 'older');
  assert.ok(!(await get(older.href)).body.includes('Most read'));
});

maybe('time zone: dates in Europe/Berlin, with the offset in datetime', async () => {
  const s = await startServer({ env: { TIDINGS_TIMEZONE: 'Europe/Berlin' } });
  try {
    const canon = await (async () => {
      const about = (await get('/about', { srv: s })).body;
      return about.match(/<a href="(\/s\/\d+-clock-post)">Clock Post<\/a>/)[1];
    })();
    const b = (await get(canon, { srv: s })).body;
    // 2024-01-06 01:10 UTC is 02:10 CET; 2024-07-01 12:00 UTC is 14:00 CEST
    assert.ok(b.includes('<time datetime="2024-01-06T02:10:00+01:00">06-01-2024 02:10</time>'), 'winter');
    assert.ok(b.includes('<time datetime="2024-07-01T14:00:00+02:00">01-07-2024 14:00</time>'), 'summer');
    const card = cards(b).find((c) => c.title === 'Winter clock story');
    const a = (await get(card.href, { srv: s })).body;
    assert.ok(a.includes('<time datetime="2024-01-06T02:10:00+01:00">06-01-2024 02:10</time>'), 'article');
  } finally { await stopServe(s); }
  // the default server shows UTC
  const b = (await get(await sourcePath('Clock Post'))).body;
  assert.ok(b.includes('<time datetime="2024-01-06T01:10:00Z">06-01-2024 01:10</time>'));
  // an unknown zone: UTC, and a warning
  const u = await startServer({ env: { TIDINGS_TIMEZONE: 'Mars/Olympus_Mons' } });
  try {
    const ub = (await get(await (async () => {
      const about = (await get('/about', { srv: u })).body;
      return about.match(/<a href="(\/s\/\d+-clock-post)">Clock Post<\/a>/)[1];
    })(), { srv: u })).body;
    assert.ok(ub.includes('<time datetime="2024-01-06T01:10:00Z">06-01-2024 01:10</time>'));
    assert.match(u.stderr(), /unknown time zone "Mars\/Olympus_Mons"; showing dates in UTC/);
  } finally { await stopServe(u); }
});

maybe('theme_dir: a template and site.css override the embedded ones', async () => {
  const theme = path.join(tmp, 'theme');
  fs.mkdirSync(path.join(theme, 'templates'), { recursive: true });
  fs.mkdirSync(path.join(theme, 'static'), { recursive: true });
  fs.writeFileSync(path.join(theme, 'templates', 'card.html'),
    '<article class="card themed"><a href="{{href}}">{{title}}</a> <span class="source">{{source}}</span></article>\n');
  fs.writeFileSync(path.join(theme, 'templates', 'about.html'), '{{#broken}} never closed\n');
  fs.writeFileSync(path.join(theme, 'static', 'site.css'), 'body { background: papayawhip; }\n');
  fs.writeFileSync(path.join(theme, 'static', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>\n');
  const defaultHref = (await get('/')).body.match(/<link rel="stylesheet" href="([^"]+)">/)[1];
  const s = await startServer({ env: { TIDINGS_THEME_DIR: theme } });
  try {
    const b = (await get('/', { srv: s })).body;
    assert.ok(b.includes('<article class="card themed">'), 'the card template');
    assert.ok(b.includes('<h1 class="page-title">Latest News</h1>'), 'the rest stays');
    const href = unent(b.match(/<link rel="stylesheet" href="([^"]+)">/)[1]);
    assert.match(href, /^\/static\/site\.[0-9a-f]{16}\.css$/);
    assert.notEqual(href, unent(defaultHref), 'the hash follows the file');
    const css = await get(href, { srv: s });
    assert.equal(css.body, 'body { background: papayawhip; }\n');
    assert.match(css.headers['cache-control'], /immutable/);
    const logo = await get('/static/logo.svg', { srv: s });
    assert.equal(logo.status, 200);
    assert.equal(logo.headers['content-type'], 'image/svg+xml');
    assert.equal((await get('/static/favicon.svg', { srv: s })).status, 200, 'embedded files remain');
    // a template that does not compile: the default one, and an error logged
    const about = await get('/about', { srv: s });
    assert.equal(about.status, 200);
    assert.ok(about.body.includes('<h1 class="page-title">About tidings</h1>'));
    assert.match(s.stderr(), /about\.html.*unclosed section 'broken'; using the default template/);
    for (const p of ['/static/../templates/layout.html', '/static/%2e%2e%2fsite.css', '/static/.x'])
      assert.equal((await get(p, { srv: s })).status, 404, p);
  } finally { await stopServe(s); }
});

maybe('no page carries inline script or style; the stylesheet covers the new pages', async () => {
  await get('/about');
  assert.ok(seen.size >= 20, `pages seen: ${seen.size}`);
  for (const [p, body] of seen) {
    const scripts = body.match(/<script[^>]*>/gi) || [];
    for (const tag of scripts)
      assert.equal(tag, '<script type="application/ld+json">', `${p} has ${tag}`);
    assert.ok(!/ style=/i.test(body), `${p} has style=`);
    assert.ok(!/<style/i.test(body), `${p} has <style`);
    assert.ok(!/ on[a-z]+=/i.test(body.replace(/<script type="application\/ld\+json">[\s\S]*?<\/script>/g, '')), `${p} has an event handler`);
  }
  const href = unent((await get('/')).body.match(/<link rel="stylesheet" href="([^"]+)">/)[1]);
  const css = (await get(href)).body;
  for (const sel of ['.search-form', '.most-read', '.tags', '.results', 'mark', '.error-page', 'table.sources', '.vh'])
    assert.ok(css.includes(sel), sel);
  assert.match(css, /prefers-color-scheme: dark/);
});
