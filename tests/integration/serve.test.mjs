// serve.test.mjs - `tidings serve` as a real process on 127.0.0.1 (port 0):
// security and cache headers, 304s, gzip (whole and spliced pages) decoded
// with node's zlib and with curl --compressed, HEAD, 405, 400s, view counts
// (browsers count, bots and HEAD do not), views written at SIGTERM and read
// back after a restart, and a bounded 10-second load on 64 keep-alive
// connections with zero errors.
//
// Run: node --test tests/integration/serve.test.mjs (after make). The binary
// is ./tidings, or $TIDINGS_BIN.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import zlib from 'node:zlib';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { ROOT, hasServe, maybe, runCli, startServe, stopServe, httpRequest } from './lib.mjs';

const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0';
const BOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const CSP = "default-src 'self'; img-src 'self' https: data:; media-src 'self' https:; " +
  "style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; " +
  "form-action 'self'; frame-ancestors 'none'";

let tmp, db, server, port, articleId;

const run = (args) => runCli(args, { db, cwd: tmp });

// Raw request: no decoding. Resolves {status, headers, body: Buffer}.
const request = (p, { method = 'GET', headers = {}, agent = false, to = port } = {}) =>
  httpRequest(to, p, { method, headers, agent, raw: true });

const viewsIn = (html) => {
  const m = String(html).match(/class="views">(\d+) Views?</);
  assert.ok(m, 'views in page');
  return Number(m[1]);
};

before(async () => {
  if (!hasServe()) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-serve-'));
  db = path.join(tmp, 'site.db');
  run(['import', path.join(ROOT, 'examples/sources.opml')]);
  run(['fetch']);
  server = await startServe({ db, cwd: tmp, fetch: true });
  port = server.port;
  const front = await request('/');
  // articles are linked as /a/{id}-{slug}; articleId keeps "{id}-{slug}"
  const m = String(front.body).match(/href="\/a\/(\d+-[a-z0-9-]+)"/);
  assert.ok(m, 'front page links an article');
  articleId = m[1];
});

after(async () => {
  if (server) await stopServe(server);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

maybe('every response carries the security headers; pages carry cache headers', async () => {
  for (const p of ['/', `/a/${articleId}`, '/robots.txt', '/healthz', '/metrics', '/no-such-page',
    '/feed.xml', '/atom.xml', '/feed.json', '/api/v1/articles', '/api/v1/nope']) {
    const r = await request(p);
    // machine-readable data may be read by other sites' scripts; pages not
    const data = /^\/(feed|atom|api)/.test(p);
    assert.equal(r.headers['access-control-allow-origin'], data ? '*' : undefined, p);
    assert.equal(r.headers['content-security-policy'], CSP, p);
    assert.equal(r.headers['x-content-type-options'], 'nosniff', p);
    assert.equal(r.headers['referrer-policy'], 'strict-origin-when-cross-origin', p);
    assert.equal(r.headers['vary'], 'Accept-Encoding', p);
    assert.ok(r.headers['cache-control'], p);
  }
  const front = await request('/');
  assert.equal(front.status, 200);
  assert.match(front.headers['content-type'], /^text\/html; charset=utf-8/);
  assert.equal(front.headers['cache-control'], 'public, max-age=60');
  assert.match(front.headers.etag, /^"[0-9a-f]{16}"$/);
  assert.ok(front.headers['last-modified']);
  const art = await request(`/a/${articleId}`, { headers: { 'user-agent': BOT } });
  assert.equal(art.headers['cache-control'], 'no-cache');
  assert.match(art.headers.etag, /^"[0-9a-f]{16}"$/);
  assert.equal((await request('/no-such-page')).status, 404);
  assert.equal((await request('/no-such-page')).headers['cache-control'], 'no-store');
  const robots = await request('/robots.txt');
  assert.equal(String(robots.body), `User-agent: *\nAllow: /\nSitemap: http://127.0.0.1:${port}/sitemap.xml\n`);
  const health = await request('/healthz');
  assert.equal(health.status, 200);
  assert.equal(String(health.body), 'ok\n');
  const metrics = String((await request('/metrics')).body);
  assert.match(metrics, /^tidings_http_requests_total\{code="200"\} \d+$/m);
  assert.match(metrics, /^tidings_cache_hits_total \d+$/m);
  assert.match(metrics, /^tidings_articles [1-9]\d*$/m);
  assert.match(metrics, /^tidings_sources 14$/m);
  assert.match(metrics, /^tidings_views_pending \d+$/m);
});

maybe('conditional requests answer 304', async () => {
  const a = await request('/');
  const b = await request('/', { headers: { 'if-none-match': a.headers.etag } });
  assert.equal(b.status, 304);
  assert.equal(b.body.length, 0);
  assert.equal(b.headers.etag, a.headers.etag);
  const c = await request('/', { headers: { 'if-modified-since': a.headers['last-modified'] } });
  assert.equal(c.status, 304);
  const d = await request('/', { headers: { 'if-modified-since': 'Sun, 06 Nov 1994 08:49:37 GMT' } });
  assert.equal(d.status, 200);
  const e = await request('/', { headers: { 'if-none-match': '"nope"' } });
  assert.equal(e.status, 200);
  // a bot revalidating an article whose count did not move
  const p = `/a/${articleId}`;
  const f = await request(p, { headers: { 'user-agent': BOT } });
  const g = await request(p, { headers: { 'user-agent': BOT, 'if-none-match': f.headers.etag } });
  assert.equal(g.status, 304);
});

maybe('gzip decodes to exactly the plain page (whole and spliced)', async () => {
  const plain = await request('/');
  const gz = await request('/', { headers: { 'accept-encoding': 'gzip, deflate, br' } });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.notEqual(gz.headers.etag, plain.headers.etag);
  assert.ok(gz.body.length < plain.body.length);
  assert.deepEqual(zlib.gunzipSync(gz.body), plain.body);
  // the article page: bots do not move the count, so bytes must match
  const p = `/a/${articleId}`;
  const ap = await request(p, { headers: { 'user-agent': BOT } });
  const az = await request(p, { headers: { 'user-agent': BOT, 'accept-encoding': 'gzip' } });
  assert.equal(az.headers['content-encoding'], 'gzip');
  assert.deepEqual(zlib.gunzipSync(az.body), ap.body);
  // a browser's gzip page shows its own view
  const before = viewsIn(ap.body);
  const bz = await request(p, { headers: { 'user-agent': BROWSER, 'accept-encoding': 'gzip' } });
  assert.equal(viewsIn(zlib.gunzipSync(bz.body)), before + 1);
  // curl decodes the same bytes (curl's own User-Agent is not counted)
  let curl = null;
  try { curl = execFileSync('curl', ['-s', '--compressed', `http://127.0.0.1:${port}${p}`], { timeout: 10000 }); } catch { /* no curl */ }
  if (curl) {
    const now = await request(p, { headers: { 'user-agent': BOT } });
    assert.deepEqual(curl, now.body);
    const curlFront = execFileSync('curl', ['-s', '--compressed', `http://127.0.0.1:${port}/`], { timeout: 10000 });
    assert.deepEqual(curlFront, plain.body);
  }
});

maybe('HEAD, 405 and 400', async () => {
  const get = await request('/');
  const head = await request('/', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  assert.equal(head.headers['content-length'], String(get.body.length));
  for (const m of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
    const r = await request('/', { method: m });
    assert.equal(r.status, 405, m);
    assert.equal(r.headers.allow, 'GET, HEAD', m);
  }
  assert.equal((await request('/' + 'a'.repeat(3000))).status, 400);
  const many = '/?' + Array.from({ length: 50 }, (_, i) => `p${i}=1`).join('&');
  assert.equal((await request(many)).status, 400);
  assert.equal((await request('/?q=' + 'x'.repeat(1500))).status, 400);
  assert.equal((await request('/a%00b')).status, 400);
  // absurdly long: refused by the library (414/431) or 400, never a crash
  const huge = await request('/' + 'b'.repeat(100000)).catch(() => ({ status: 0 }));
  assert.ok(huge.status === 0 || (huge.status >= 400 && huge.status < 500), String(huge.status));
  assert.equal((await request('/healthz')).status, 200);
});

maybe('view counts: one per browser GET, none for bots or HEAD', async () => {
  const p = `/a/${articleId}`;
  const start = viewsIn((await request(p, { headers: { 'user-agent': BOT } })).body);
  for (let i = 1; i <= 3; i++) {
    const r = await request(p, { headers: { 'user-agent': BROWSER } });
    assert.equal(viewsIn(r.body), start + i);
  }
  await request(p, { method: 'HEAD', headers: { 'user-agent': BROWSER } });
  for (const ua of [BOT, 'curl/8.0', 'facebookexternalhit/1.1', 'Twitterbot/1.0']) {
    const r = await request(p, { headers: { 'user-agent': ua } });
    assert.equal(viewsIn(r.body), start + 3, ua);
  }
  const none = await request(p);
  assert.equal(viewsIn(none.body), start + 3);
  // the bare id and a wrong slug redirect to the slugged URL, uncounted
  for (const other of [`/a/${parseInt(articleId, 10)}`, `/a/${parseInt(articleId, 10)}-any-slug`]) {
    const redir = await request(other, { headers: { 'user-agent': BROWSER } });
    assert.equal(redir.status, 301, other);
    assert.equal(redir.headers.location, p);
  }
  assert.equal(viewsIn((await request(p)).body), start + 3);
});

maybe('SIGTERM writes the pending views; a restart shows them', async () => {
  const p = `/a/${articleId}`;
  const r = await request(p, { headers: { 'user-agent': BROWSER } });
  const count = viewsIn(r.body);
  const code = await stopServe(server);
  server = null;
  assert.equal(code, 0);
  assert.ok(!fs.existsSync(db + '-wal') || fs.statSync(db + '-wal').size === 0, 'WAL checkpointed');
  server = await startServe({ db, cwd: tmp });
  port = server.port;
  const again = await request(p, { headers: { 'user-agent': BOT } });
  assert.equal(viewsIn(again.body), count);
});

maybe('10 s of load on 64 keep-alive connections: no errors', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const paths = ['/', `/a/${articleId}`, '/robots.txt'];
  const deadline = Date.now() + 10000;
  let ok = 0, bad = 0, errors = 0;
  const worker = async (w) => {
    for (let i = 0; Date.now() < deadline && i < 1e7; i++) {
      const headers = { 'user-agent': w % 2 ? BROWSER : BOT };
      if (i % 2) headers['accept-encoding'] = 'gzip';
      try {
        const r = await request(paths[(w + i) % paths.length], { headers, agent });
        if (r.status === 200) ok++; else bad++;
        if (r.headers['content-encoding'] === 'gzip') zlib.gunzipSync(r.body);
      } catch { errors++; }
    }
  };
  await Promise.all(Array.from({ length: 64 }, (_, w) => worker(w)));
  agent.destroy();
  console.log(`# load: ${ok} ok, ${bad} non-200, ${errors} errors in 10 s`);
  assert.equal(errors, 0);
  assert.equal(bad, 0);
  assert.ok(ok > 1000, `only ${ok} requests`);
  assert.equal((await request('/healthz')).status, 200);
});
