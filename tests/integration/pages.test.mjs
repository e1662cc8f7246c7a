// pages.test.mjs - the templated pages of `tidings serve`: the front page
// (newest first, keyset pagination down and back up), the article page
// (every element in order, head tags, redirects to the slugged URL, view
// count, summary-mode sources, "Other news"), 404s, the stylesheet under
// /static/, and no inline script or style anywhere (JSON-LD data blocks
// aside). site.test.mjs covers the other pages.
//
// Run: node --test tests/integration/pages.test.mjs (after make). The binary
// is ./tidings, or $TIDINGS_BIN.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, hasServe, maybe, runCli, startServe, stopServe, httpRequest } from './lib.mjs';

const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0';
const BOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

let tmp, db, server;
const seen = new Map(); // every HTML page fetched: path -> body

const run = (args) => runCli(args, { db, cwd: tmp });

// GET p as `ua`; HTML bodies are kept in `seen`.
async function get(p, ua = BOT) {
  const r = await httpRequest(server.port, p, { userAgent: ua });
  if (/text\/html/.test(r.headers['content-type'] || '')) seen.set(p, r.body);
  return r;
}

// The article cards of a list page: [{href, id, datetime, source}].
function cards(html) {
  const out = [];
  const re = /<article class="card">[\s\S]*?<a href="(\/a\/(\d+)[^"]*)">[\s\S]*?<span class="source">([^<]*)<\/span> <time datetime="([^"]+)">/g;
  for (let m; (m = re.exec(html)) && out.length < 1000;)
    out.push({ href: m[1], id: Number(m[2]), source: m[3], datetime: m[4] });
  return out;
}

// Assert that the needles occur in html in this order.
function inOrder(html, needles, what) {
  let at = 0;
  for (const n of needles) {
    const i = html.indexOf(n, at);
    assert.ok(i >= 0, `${what}: missing or out of order: ${n}`);
    at = i + n.length;
  }
}

const viewsIn = (html) => {
  const m = String(html).match(/class="views">(\d+) Views?</);
  assert.ok(m, 'views in page');
  return Number(m[1]);
};

before(async () => {
  if (!hasServe()) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-pages-'));
  db = path.join(tmp, 'site.db');
  // a summary-mode source with one article, newer than every sample
  const when = new Date(Date.now() + 3600 * 1000).toUTCString();
  fs.writeFileSync(path.join(tmp, 'briefs.xml'), `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Bay Briefs</title><link>https://briefs.example/</link>
<description>Summaries only.</description>
<item><title>Ferry timetable changes for winter</title>
<link>https://briefs.example/2026/ferry-winter</link><guid isPermaLink="false">briefs-ferry</guid>
<pubDate>${when}</pubDate>
<description>Ferries will run every forty minutes from December.</description></item>
</channel></rss>
`);
  run(['import', path.join(ROOT, 'examples/sources.opml')]);
  run(['add', 'file://' + path.join(tmp, 'briefs.xml'), '--mode', 'summary']);
  run(['fetch']);
  server = await startServe({ db, cwd: tmp });
});

after(async () => {
  await stopServe(server);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

maybe('front page: Latest News, newest first, cards with source and time', async () => {
  const r = await get('/');
  assert.equal(r.status, 200);
  assert.match(r.body, /^<!doctype html>\n<html lang="en">/);
  inOrder(r.body, ['<header', '<nav', '<main', '<h1 class="page-title">Latest News</h1>', '</main>', '<footer'], 'front');
  const list = cards(r.body);
  assert.equal(list.length, 30);
  for (let i = 1; i < list.length; i++)
    assert.ok(list[i - 1].datetime >= list[i].datetime, `newest first at ${i}`);
  for (const c of list) {
    assert.match(c.href, /^\/a\/\d+(-[a-z0-9]+)+$/);
    assert.ok(c.source.length > 0);
  }
  assert.match(r.body, /<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ">\d\d-\d\d-\d{4} \d\d:\d\d<\/time>/);
  assert.match(r.body, /<p class="summary">/);
  // images are lazy and have alt text
  for (const m of r.body.matchAll(/<img [^>]*>/g)) {
    assert.match(m[0], /loading="lazy"/);
    assert.match(m[0], /alt="[^"]+"/);
    assert.match(m[0], /src="https?:/);
  }
  assert.ok(r.body.includes('rel="next"'), 'an Older link');
  assert.ok(!r.body.includes('rel="prev"'), 'no Latest link on the first page');
});

maybe('front page: keyset pagination walks every article once, in order', async () => {
  let p = '/';
  const ids = new Set();
  let last = null, pages = 0, lastPage = null;
  for (; p && pages < 50; pages++) {
    const r = await get(p);
    assert.equal(r.status, 200, p);
    const list = cards(r.body);
    assert.ok(list.length > 0 && list.length <= 30, p);
    for (const c of list) {
      assert.ok(!ids.has(c.id), `article ${c.id} twice`);
      ids.add(c.id);
      if (last) assert.ok(last >= c.datetime, `order across pages at ${p}`);
      last = c.datetime;
    }
    if (pages > 0) assert.match(r.body, /<a class="newer" href="\/\?after&#61;-?\d+-\d+" rel="prev">Newer<\/a>/);
    else assert.ok(!r.body.includes('class="newer"'), 'no Newer link on the first page');
    const m = r.body.match(/<a class="older" href="([^"]+)" rel="next">Older<\/a>/);
    if (!m) lastPage = p;
    p = m ? m[1].replace(/&#61;/g, '=') : null;
    if (p) assert.match(p, /^\/\?before=-?\d+-\d+$/);
  }
  assert.ok(pages >= 3, `pages: ${pages}`);
  assert.equal(p, null, 'the walk ends');
  const total = JSON.parse(run(['sources', '--json'])).reduce((s, x) => s + x.articles, 0);
  assert.equal(ids.size, total);
  // and back up with the Newer links: every article once, the newest page
  // ends the walk with a link to "/"
  const up = new Set();
  let newestFirst = null;
  p = lastPage;
  for (pages = 0; p && pages < 50; pages++) {
    const r = await get(p);
    assert.equal(r.status, 200, p);
    const list = cards(r.body);
    for (const c of list) {
      assert.ok(!up.has(c.id), `article ${c.id} twice going up`);
      up.add(c.id);
    }
    newestFirst = list[0];
    const m = r.body.match(/<a class="newer" href="([^"]+)" rel="prev">(Newer|Latest)<\/a>/);
    assert.ok(m, `a Newer or Latest link on ${p}`);
    if (m[2] === 'Latest') { assert.equal(m[1], '/'); p = null; break; }
    p = m[1].replace(/&#61;/g, '=');
    assert.match(p, /^\/\?after=-?\d+-\d+$/);
  }
  assert.equal(p, null, 'the walk up ends at a Latest link');
  assert.equal(up.size, total);
  assert.equal(newestFirst.id, cards((await get('/')).body)[0].id);
  // bad cursors are 400s, a cursor past the end is an empty page
  for (const bad of ['abc', '12', '12-', '-5', '1-0', '1-x', '9'.repeat(60) + '-1'])
    assert.equal((await get('/?before=' + bad)).status, 400, bad);
  const end = await get('/?before=1-1');
  assert.equal(end.status, 200);
  assert.equal(cards(end.body).length, 0);
  assert.match(end.body, /No news yet\./);
});

maybe('article page: every element, in order; head tags; other news', async () => {
  const front = await get('/');
  const list = cards(front.body);
  const card = list.find((c) => c.source !== 'Bay Briefs');
  const r = await get(card.href);
  assert.equal(r.status, 200);
  const b = r.body;
  const source = card.source;
  inOrder(b, [
    '<html lang="en">',
    '<title>', '</title>',
    '<meta name="description" content="',
    '<link rel="canonical" href="https://',
    '<meta property="og:url" content="https://',
    '<meta property="og:title" content="',
    '<meta property="og:type" content="article">',
    '<meta property="og:site_name" content="',
    '<meta name="twitter:card" content="summary',
    '<link rel="stylesheet" href="/static/site.',
    '</head>',
    '<main',
    '<a href="/">Latest News</a>',
    '<time datetime="' + card.datetime + '">',
    'class="views">',
    '<h1 class="story-title">',
    '<div class="story-body">',
    '</div>',
    'This post appeared first on <a href="https://',
    source.toUpperCase().replace(/'/g, '&#39;') + '</a>',
    'Other news',
    '</main>',
  ], card.href);
  assert.match(b, /class="views">\d+ Views?<\/span>/);
  // the canonical URL is the attribution link
  const canon = b.match(/<link rel="canonical" href="([^"]+)">/)[1];
  assert.ok(b.includes(`This post appeared first on <a href="${canon}">`));
  // other news: 1 to 6 other articles, first from another source
  const aside = b.slice(b.indexOf('Other news'));
  const others = [...aside.matchAll(/<li><a href="(\/a\/\d+[^"]*)">[\s\S]*?<span class="source">([^<]*)</g)];
  assert.ok(others.length >= 1 && others.length <= 6, String(others.length));
  assert.ok(!others.some((o) => o[1] === card.href), 'not this article');
  assert.notEqual(others[0][2], source);
});

maybe('article page: og:image when the article has an image', async () => {
  let found = null;
  let p = '/';
  for (let i = 0; p && i < 20 && !found; i++) {
    const r = await get(p);
    const m = r.body.match(/<article class="card">\s*<a class="card-image" href="([^"]+)"[^>]*><img src="([^"]+)"/);
    if (m) found = { href: m[1], img: m[2] };
    const o = r.body.match(/<a class="older" href="([^"]+)"/);
    p = o ? o[1].replace(/&#61;/g, '=') : null;
  }
  if (!found) return; // the sample feeds carry no lead image
  const a = await get(found.href);
  assert.ok(a.body.includes(`<meta property="og:image" content="${found.img}">`));
  assert.ok(a.body.includes('<meta name="twitter:card" content="summary_large_image">'));
});

maybe('article URLs: /a/{id} and wrong slugs answer 301 to the slugged URL; 404s', async () => {
  const card = cards((await get('/')).body)[0];
  const r = await get(`/a/${card.id}`);
  assert.equal(r.status, 301);
  assert.equal(r.headers.location, card.href);
  const w = await get(`/a/${card.id}-not-the-slug`);
  assert.equal(w.status, 301);
  assert.equal(w.headers.location, card.href);
  assert.equal((await get(card.href)).status, 200);
  for (const p of ['/a/99999999', '/a/0', '/a/abc', '/a/', '/a/12x', '/a/' + '9'.repeat(30)])
    assert.equal((await get(p)).status, 404, p);
  const nf = await get('/a/99999999-nothing');
  assert.equal(nf.status, 404);
  assert.equal(nf.headers['cache-control'], 'no-store');
});

maybe('article page: the view count rises by one per browser GET', async () => {
  const card = cards((await get('/')).body)[3];
  const start = viewsIn((await get(card.href, BOT)).body);
  for (let i = 1; i <= 3; i++)
    assert.equal(viewsIn((await get(card.href, BROWSER)).body), start + i);
  assert.equal(viewsIn((await get(card.href, BOT)).body), start + 3);
  assert.match((await get(card.href, BOT)).body, new RegExp(`class="views">${start + 3} Views?<`));
});

maybe('summary-mode source: the excerpt and a link to read the rest', async () => {
  const card = cards((await get('/')).body).find((c) => c.source === 'Bay Briefs');
  assert.ok(card, 'the summary-mode article is on the front page');
  const b = (await get(card.href)).body;
  inOrder(b, [
    '<a href="/">Latest News</a>', 'class="views">',
    '<h1 class="story-title">Ferry timetable changes for winter</h1>',
    'Ferries will run every forty minutes from December.',
    '<a href="https://briefs.example/2026/ferry-winter">Read the full story at Bay Briefs</a>',
    'This post appeared first on <a href="https://briefs.example/2026/ferry-winter">BAY BRIEFS</a>',
  ], card.href);
  assert.ok(!b.includes('<div class="story-body">'), 'no full body');
});

maybe('the stylesheet is served from /static/ with a long cache lifetime', async () => {
  const page = (await get('/')).body;
  const href = page.match(/<link rel="stylesheet" href="([^"]+)">/)[1].replace(/&#61;/g, '=');
  assert.match(href, /^\/static\/site\.[0-9a-f]{16}\.css$/);
  const css = await get(href);
  assert.equal(css.status, 200);
  assert.match(css.headers['content-type'], /^text\/css/);
  assert.match(css.headers['cache-control'], /max-age=31536000/);
  assert.match(css.body, /prefers-color-scheme: dark/);
  assert.match(css.body, /:focus-visible/);
  // the plain name, or an outdated hash: the current file, cached briefly
  for (const p of ['/static/site.css', '/static/site.0123456789abcdef.css']) {
    const r = await get(p);
    assert.equal(r.status, 200, p);
    assert.equal(r.body, css.body, p);
    assert.equal(r.headers['cache-control'], 'public, max-age=3600', p);
  }
  const icon = (await get('/')).body.match(/<link rel="icon" href="([^"]+)"/)[1];
  assert.match(icon, /^\/static\/favicon\.[0-9a-f]{16}\.svg$/);
  assert.match((await get(icon)).headers['cache-control'], /immutable/);
  for (const p of ['/static/nope.css', '/static/../templates/layout.html', '/static/', '/static/%2e%2e',
    '/static/nope.0123456789abcdef.css', '/static/site.0123456789abcdeg.css', '/static/.0123456789abcdef.css'])
    assert.equal((await get(p)).status, 404, p);
});

maybe('no page carries inline script or style', async () => {
  await get('/');
  assert.ok(seen.size >= 5, `pages seen: ${seen.size}`);
  for (const [p, body] of seen) {
    // the only script element allowed is article pages' JSON-LD data block
    const scripts = body.match(/<script[^>]*>/gi) || [];
    for (const tag of scripts)
      assert.equal(tag, '<script type="application/ld+json">', `${p} has ${tag}`);
    assert.ok(scripts.length <= 1, `${p}: ${scripts.length} script elements`);
    assert.ok(!/ style=/i.test(body), `${p} has style=`);
    assert.ok(!/<style/i.test(body), `${p} has <style`);
  }
});
