// cli.test.mjs - the real binary against the fixture server on 127.0.0.1:
// sources, fetch rounds, conditional GET, redirects, errors and back-off,
// discovery, OPML, revisions, exit codes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { start } from './server.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'tidings');
let srv, base, tmp;

function run(args, opts = {}) {
  return new Promise((resolve) => {
    execFile(BIN, args, { cwd: tmp, timeout: 60000, env: { ...process.env, ...(opts.env || {}) } },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
      });
  });
}

// A fresh database in the temp dir; returns a runner bound to it.
function db(name) {
  const file = path.join(tmp, name + '.db');
  return (...args) => run(['--db', file, ...args]);
}

function opml(name, urls) {
  const file = path.join(tmp, name + '.opml');
  const outlines = urls.map((u) => `<outline type="rss" text="${u.replace(/&/g, '&amp;')}" xmlUrl="${u.replace(/&/g, '&amp;')}"/>`).join('\n');
  fs.writeFileSync(file, `<?xml version="1.0"?>\n<opml version="2.0"><head><title>t</title></head><body>\n${outlines}\n</body></opml>\n`);
  return file;
}

async function sources(t) {
  const r = await t('sources', '--json');
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

async function serverLog() {
  return new Promise((resolve, reject) => {
    http.get(`${base}/_log`, (res) => {
      let b = '';
      res.on('data', (d) => (b += d));
      res.on('end', () => resolve(JSON.parse(b)));
    }).on('error', reject);
  });
}

before(async () => {
  srv = await start({ port: 0 });
  base = `http://127.0.0.1:${srv.port}`;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-cli-'));
});

after(async () => {
  await srv.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('samples: import, fetch, list, search, export round trip', async () => {
  const t = db('samples');
  let r = await t('import', path.join(ROOT, 'examples/sources.opml'));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /imported 14 sources/);
  r = await t('fetch');
  assert.equal(r.code, 0, r.stderr);
  const m = r.stdout.match(/fetched 14 sources: 14 ok, 0 not modified, 0 failed; (\d+) new/);
  assert.ok(m, r.stdout);
  assert.ok(Number(m[1]) >= 80, r.stdout);
  const list = await sources(t);
  assert.equal(list.length, 14);
  for (const s of list) {
    assert.ok(s.articles > 0, `${s.url} has articles`);
    assert.equal(s.last_error, null);
    assert.ok(s.title, 'title taken from the feed');
    assert.ok(s.tags, 'OPML folders become tags');
    assert.match(String(s.last_new_item), /^\d{4}-/, 'the round that stored articles is recorded');
  }
  // a second round stores nothing new, and leaves last_new_item alone
  r = await t('fetch', '--force');
  assert.match(r.stdout, /; 0 new articles, 0 updated/);
  const again = await sources(t);
  for (const s of again)
    assert.equal(s.last_new_item, list.find((x) => x.id === s.id).last_new_item);
  r = await t('search', 'bridge', '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.ok(JSON.parse(r.stdout).length > 0);
  // export then import elsewhere gives the same sources
  r = await t('export');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /<opml version="2.0">/);
  const exported = path.join(tmp, 'exported.opml');
  fs.writeFileSync(exported, r.stdout);
  const t2 = db('samples-copy');
  r = await t2('import', exported);
  assert.match(r.stdout, /imported 14 sources/);
  const a = list.map((s) => s.url).sort();
  const b = (await sources(t2)).map((s) => s.url).sort();
  assert.deepEqual(b, a);
  r = await t2('import', exported);
  assert.match(r.stdout, /imported 0 sources \(14 already present\)/);
});

test('a changed item becomes a revision, not a new article', async () => {
  const dir = fs.mkdtempSync(path.join(tmp, 'upd-'));
  const feed = path.join(dir, 'sports.xml');
  fs.copyFileSync(path.join(ROOT, 'examples/feeds/riverside-sports-daily.xml'), feed);
  const t = db('update');
  let r = await t('add', feed);
  assert.equal(r.code, 0, r.stderr);
  r = await t('fetch');
  assert.match(r.stdout, /8 new articles, 0 updated/);
  fs.copyFileSync(path.join(ROOT, 'examples/updates/riverside-sports-daily.xml'), feed);
  r = await t('fetch', '--force');
  assert.match(r.stdout, /1 new article, 1 updated/);
  const [s] = await sources(t);
  assert.equal(s.articles, 9);
});

test('conditional GET: ETag and Last-Modified sent, 304 costs nothing', async () => {
  const t = db('etag');
  let r = await t('import', opml('etag', [`${base}/etag/rss2.xml`]));
  assert.equal(r.code, 0, r.stderr);
  r = await t('fetch');
  assert.match(r.stdout, /1 ok, 0 not modified.*2 new articles/);
  let [s] = await sources(t);
  assert.ok(s.etag);
  assert.ok(s.last_modified);
  r = await t('fetch', '--force');
  assert.match(r.stdout, /0 ok, 1 not modified, 0 failed; 0 new/);
  const log = (await serverLog()).filter((e) => e.path.startsWith('/etag/rss2.xml'));
  const last = log[log.length - 1];
  assert.equal(last.headers['if-none-match'], s.etag);
  assert.equal(last.headers['if-modified-since'], s.last_modified);
  assert.match(last.headers['user-agent'], /^tidings\/\d/);
  [s] = await sources(t);
  assert.equal(s.last_status, 304);
  assert.equal(s.error_count, 0);
});

test('a feed\'s ttl still holds on rounds answered 304', async () => {
  // items ten minutes apart would give a short cadence; <ttl>120</ttl> asks
  // for two hours, and the hint must survive a 304 (no feed to read it from)
  const t = db('ttl');
  await t('import', opml('ttl', [`${base}/etag/cli-ttl.xml`]));
  let r = await t('fetch');
  assert.match(r.stdout, /1 ok/);
  r = await t('fetch', '--force');
  assert.match(r.stdout, /1 not modified/);
  const [s] = await sources(t);
  const now = Math.floor(Date.now() / 1000);
  assert.ok(Date.parse(s.next_fetch) / 1000 >= now + 120 * 60 - 5, `next fetch ${s.next_fetch} honours ttl`);
});

test('301/308 chains move the source; 302/307 do not', async () => {
  const t = db('redirects');
  const perm = `${base}/redirect/301,308/feed/rss2.xml`;
  const temp = `${base}/redirect/302/1/feed/atom.xml`;
  const mixed = `${base}/redirect/301,307/feed/rss2.xml?mixed=1`;
  await t('import', opml('redirects', [perm, temp, mixed]));
  const r = await t('fetch');
  assert.match(r.stdout, /3 ok/);
  const byOld = Object.fromEntries((await sources(t)).map((s) => [s.id, s]));
  assert.equal(byOld[1].url, `${base}/feed/rss2.xml`);
  assert.equal(byOld[2].url, temp);
  assert.equal(byOld[3].url, mixed);
});

test('errors are stored per source, back off, and 410 disables', async () => {
  const t = db('errors');
  const now = Math.floor(Date.now() / 1000);
  await t('import', opml('errors', [
    `${base}/status/404`, `${base}/status/410`, `${base}/status/500`,
    `${base}/status/429?retry-after=7200`, `${base}/status/503?retry-after=120`,
    `${base}/big?mb=12`, `${base}/drop`,
  ]));
  let r = await t('fetch');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /7 failed/);
  const s = Object.fromEntries((await sources(t)).map((x) => [x.id, x]));
  const next = (x) => Date.parse(x.next_fetch) / 1000;
  assert.equal(s[1].last_status, 404);
  assert.match(s[1].last_error, /404/);
  assert.equal(s[1].error_count, 1);
  assert.equal(s[1].disabled, false);
  assert.equal(s[2].disabled, true);
  assert.ok(next(s[4]) >= now + 7200, 'Retry-After honoured');
  assert.ok(next(s[5]) >= now + 120, 'Retry-After honoured');
  assert.match(s[6].last_error, /larger than/);
  assert.ok(s[7].last_error);
  // the failing ones fail again with a longer back-off; 410 is not fetched
  const before404 = next(s[1]) - now;
  r = await t('fetch', '--force');
  assert.match(r.stdout, /fetched 6 sources/);
  const s2 = Object.fromEntries((await sources(t)).map((x) => [x.id, x]));
  assert.equal(s2[1].error_count, 2);
  assert.ok(next(s2[1]) - Math.floor(Date.now() / 1000) > before404, 'exponential back-off');
});

test('gzip bodies and HTTP charsets', async () => {
  const t = db('enc');
  await t('import', opml('enc', [`${base}/gzip/rss2.xml`, `${base}/charset`]));
  const r = await t('fetch');
  assert.match(r.stdout, /2 ok/, r.stdout + r.stderr);
  const s = await sources(t);
  assert.equal(s[0].articles, 2);
  assert.ok(s[1].articles >= 1);
  assert.ok(!/\uFFFD|Ã/.test(s[1].title || ''), `title decoded: ${s[1].title}`);
});

test('add discovers the feed of an HTML page', async () => {
  const t = db('discover');
  let r = await t('add', `${base}/feed/cli-one-feed.html`, '--tag', 'local');
  assert.equal(r.code, 0, r.stderr);
  let [s] = await sources(t);
  assert.equal(s.url, `${base}/feed/rss2.xml`);
  assert.equal(s.title, 'Harbour Town Gazette');
  assert.equal(s.tags, 'local');
  r = await t('add', `${base}/feed/rss2.xml`);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /already source 1/);
  // a page linking two different feeds: list them, add nothing
  r = await t('add', `${base}/html-with-feed`);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /several feeds.*feed\/rss2\.xml.*feed\/atom\.xml/);
  // a page with no feed at all
  r = await t('add', `${base}/status/404`);
  assert.equal(r.code, 1);
});

test('add tries common feed paths when a page links none', async () => {
  const feed = fs.readFileSync(path.join(ROOT, 'tests/integration/fixtures/rss2.xml'));
  const s = http.createServer((req, res) => {
    if (req.url === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<!doctype html><title>x</title><p>no links here</p>');
    } else if (req.url === '/rss.xml') {
      res.writeHead(200, { 'Content-Type': 'application/rss+xml' });
      res.end(feed);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  try {
    const t = db('common');
    const r = await t('add', `http://127.0.0.1:${s.address().port}/`);
    assert.equal(r.code, 0, r.stderr);
    const [src] = await sources(t);
    assert.equal(src.url, `http://127.0.0.1:${s.address().port}/rss.xml`);
  } finally {
    s.close();
  }
});

test('remove, and exit codes', async () => {
  const t = db('misc');
  await t('add', path.join(ROOT, 'examples/feeds/touchline.json'));
  await t('fetch');
  let r = await t('remove', '1');
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await sources(t)).length, 0);
  r = await t('remove', '1');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^tidings: remove: no source 1\n$/);
  assert.equal((await run(['frobnicate'])).code, 2);
  assert.equal((await run(['parse'])).code, 2);
  assert.equal((await run(['parse', '--bogus', 'x'])).code, 2);
  r = await run(['parse', path.join(tmp, 'missing.xml')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^tidings: parse: .*missing\.xml: No such file/);
  fs.writeFileSync(path.join(tmp, 'page.html'), '<!doctype html><html><body><p>hi</p></body></html>');
  r = await run(['parse', path.join(tmp, 'page.html')]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr.split('\n').length, 2, 'one line');
  r = await run(['--config', path.join(tmp, 'nope.conf'), 'sources']);
  assert.equal(r.code, 2);
  fs.writeFileSync(path.join(tmp, 'bad.conf'), 'fetch_per_host = lots\n');
  r = await run(['--config', path.join(tmp, 'bad.conf'), 'sources']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bad\.conf:1: fetch_per_host/);
  for (const cmd of ['add', 'remove', 'sources', 'fetch', 'import', 'export', 'parse', 'sanitize', 'extract', 'search', 'backup', 'reprocess', 'serve']) {
    r = await run([cmd, '--help']);
    assert.equal(r.code, 0, cmd);
    assert.match(r.stdout, /^usage: tidings /, cmd);
  }
});

test('backup copies a database in use', async () => {
  const t = db('backup');
  await t('add', path.join(ROOT, 'examples/feeds/touchline.json'));
  await t('fetch');
  const copy = path.join(tmp, 'copy.db');
  let r = await t('backup', copy);
  assert.equal(r.code, 0, r.stderr);
  r = await run(['--db', copy, 'sources', '--json']);
  assert.equal(JSON.parse(r.stdout)[0].articles, 6);
  r = await t('backup', copy);
  assert.equal(r.code, 1, 'refuses to overwrite');
});

test('full text: extract and auto fetch article pages; summary does not', async () => {
  const feedUrl = `${base}/feed/cli-summary.xml`;
  const pageHits = async () => (await serverLog()).filter((e) => e.path === '/feed/cli-article.html').length;
  for (const mode of ['extract', 'auto', 'summary', 'feed']) {
    const t = db(`fulltext-${mode}`);
    const before = await pageHits();
    let r = await t('add', feedUrl, '--mode', mode);
    assert.equal(r.code, 0, r.stderr);
    r = await t('fetch');
    assert.match(r.stdout, /2 new articles/, r.stdout);
    const fetched = (await pageHits()) - before;
    r = await t('search', 'Penrose logbooks', '--json');
    assert.equal(r.code, 0, r.stderr);
    const hits = JSON.parse(r.stdout);
    if (mode === 'extract' || mode === 'auto') {
      assert.equal(fetched, 1, `${mode}: the article page is fetched once`);
      assert.equal(hits.length, 1, `${mode}: the full text is searchable`);
    } else {
      assert.equal(fetched, 0, `${mode}: no page fetch`);
      assert.equal(hits.length, 0);
    }
    // a second round fetches no page again (done), and the missing page
    // is retried later, not at once
    const missBefore = (await serverLog()).filter((e) => e.path === '/feed/cli-missing.html').length;
    r = await t('fetch', '--force');
    assert.equal(await pageHits() - before, fetched);
    const missAfter = (await serverLog()).filter((e) => e.path === '/feed/cli-missing.html').length;
    assert.equal(missAfter, missBefore, 'a failed page waits for its back-off');
  }
});

test('reprocess redoes bodies; --extract queues pages again', async () => {
  const t = db('reprocess');
  let r = await t('add', `${base}/feed/cli-summary.xml`, '--mode', 'extract');
  assert.equal(r.code, 0, r.stderr);
  r = await t('fetch');
  assert.match(r.stdout, /fetched 2 article pages/);
  r = await t('reprocess');
  assert.equal(r.code, 0, r.stderr);
  // one body came from its page; the other's page is missing, so it shows
  // the feed's text (re-sanitized) while it waits for a retry
  assert.match(r.stdout, /^reprocessed 1 article\n$/);
  r = await t('reprocess', '--extract');
  assert.match(r.stdout, /^reprocessed 2 articles\n$/);
  const hits = (await serverLog()).filter((e) => e.path === '/feed/cli-article.html').length;
  r = await t('fetch');
  assert.match(r.stdout, /fetched 0 sources.*\nfetched 1 article page for/);
  assert.equal((await serverLog()).filter((e) => e.path === '/feed/cli-article.html').length, hits + 1);
  r = await t('search', 'Penrose', '--json');
  assert.equal(JSON.parse(r.stdout).length, 1);
});
