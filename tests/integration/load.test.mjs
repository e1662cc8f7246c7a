// load.test.mjs - `tidings serve` under a bounded load while fetch rounds
// store new articles: 256 keep-alive connections (64 when the binary is the
// sanitizer build) over every kind of page - front page and older pages,
// article pages and /a/ID redirects, source and tag pages, search, feeds,
// the API, the machine routes - half of them asking for gzip, with a
// browser User-Agent (article pages count views). Asserts zero errors
// (every answer 2xx or 3xx, no socket error), that new articles dropped the
// page cache during the run, that the server's RSS does not grow after the
// warm-up, and a clean SIGTERM exit.
//
// The sources: the bundled samples (file://, fetched once before the
// server starts) and 40 feeds served here on 127.0.0.1 that gain a new item
// every 2 s and answer after 100 ms, added after that first fetch, so the
// server's scheduler fetches them as soon as it starts (2 fetches per host:
// a round of 2-5 s) and again 10 s later (fetch_min_interval).
//
// The warm-up lasts until that first round has committed under load (the
// page cache dropped and refilled, the ingest path used once); then 7 s
// are measured. Growth is the mean RSS of the last third of those samples
// against the first third. The page cache is limited to 4 MiB (--cache-mb)
// so that it is full by then: growth after it is a leak, not the cache
// filling. Bounded: 11-15 s of load, about 16 s in all.
//
// Run: node --test tests/integration/load.test.mjs (after make). The binary
// is ./tidings, or $TIDINGS_BIN.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = process.env.TIDINGS_BIN || path.join(ROOT, 'tidings');
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0';

let hasServe = false;
try {
  execFileSync(BIN, ['serve', '--help'], { stdio: 'ignore', timeout: 10000 });
  hasServe = true;
} catch { /* not wired yet */ }
const maybe = hasServe ? test : (name, fn) => test(name, { skip: `${BIN} has no serve command` }, fn);

// The sanitizer build (make SAN=address,undefined) is several times slower
// and its allocator keeps freed memory in a quarantine: fewer connections,
// a bounded quarantine, a looser bound on growth.
let SAN = false;
try {
  SAN = fs.readFileSync(BIN).includes('__asan_init');
} catch { /* no binary: the tests skip */ }
const CONNECTIONS = SAN ? 64 : 256;
// The warm-up lasts until the server's first fetch round - started when the
// load starts - has committed its articles (at most WARMUP_MAX_MS), so that
// what is measured after it includes a page cache dropped and refilled
// under load; then MEASURE_MS more.
const WARMUP_MAX_MS = 8000;
const MEASURE_MS = 7000;
const MAX_GROWTH_MB = SAN ? 10 : 3;
const FEEDS = 40;
const FEED_DELAY_MS = 100;

let tmp, db, feeds, feedPort, child, port;
let urls = [];
const kinds = new Map(); // kind -> [path]
const kindOf = new Map(); // path -> kind

function run(args, env = {}) {
  return execFileSync(BIN, ['--db', db, ...args], {
    cwd: tmp, timeout: 60000, encoding: 'utf8', env: { ...process.env, ...env },
  });
}

// ---- the feeds: a new item every 2 s, answered after a delay ----
function startFeeds() {
  const t0 = Date.now();
  let n = 0;
  const words = 'harbor council river market storm festival budget school bridge train museum'.split(' ');
  const server = http.createServer((req, res) => {
    const m = /^\/f\/(\d+)$/.exec(req.url);
    if (!m) { res.writeHead(404); res.end(); return; }
    n++;
    const i = Number(m[1]);
    setTimeout(() => {
      const newest = Math.floor((Date.now() - t0) / 2000) + 5;
      let items = '';
      for (let k = newest; k > newest - 5; k--) {
        const w = words[(i + k) % words.length];
        const when = new Date(t0 + (k - 5) * 2000 - 3600000).toUTCString();
        items += `<item><title>The ${w} story ${i}-${k}</title>` +
          `<link>https://load-${i}.invalid/${k}</link><guid>load-${i}-${k}</guid>` +
          `<pubDate>${when}</pubDate><category>${w}</category><description>&lt;p&gt;` +
          `${`The ${w} of source ${i} reports item ${k}. `.repeat(20)}&lt;/p&gt;</description></item>\n`;
      }
      res.writeHead(200, { 'Content-Type': 'application/rss+xml' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>` +
        `<title>Load ${i}</title><link>https://load-${i}.invalid/</link>` +
        `<description>load test</description>\n${items}</channel></rss>\n`);
    }, FEED_DELAY_MS);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({
      server, port: server.address().port, requests: () => n,
    }));
  });
}

function startServer() {
  const env = { ...process.env, TIDINGS_FETCH_MIN_INTERVAL: '10' };
  if (SAN) {
    env.ASAN_OPTIONS = [process.env.ASAN_OPTIONS, 'quarantine_size_mb=8'].filter(Boolean).join(':');
  }
  const c = spawn(BIN, ['--db', db, 'serve', '--listen', '127.0.0.1:0', '--cache-mb', '4'],
    { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'], env });
  let err = '';
  c.stderr.on('data', (d) => { err += d; });
  return new Promise((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`no listening line; stderr: ${err}`)), 15000);
    c.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on http:\/\/127\.0\.0\.1:(\d+)\n/);
      if (m) { clearTimeout(t); resolve({ c, port: Number(m[1]), stderr: () => err }); }
    });
    c.on('exit', (code) => { clearTimeout(t); reject(new Error(`exited ${code}: ${err}`)); });
  });
}

// GET p; resolves {status, body (string), gzip}. agent: keep-alive or none.
function get(p, { agent = false, gzip = false } = {}) {
  return new Promise((resolve, reject) => {
    const headers = { 'user-agent': BROWSER };
    if (gzip) headers['accept-encoding'] = 'gzip';
    const req = http.request({ host: '127.0.0.1', port, path: p, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers,
        body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(15000, () => req.destroy(new Error(`timeout: ${p}`)));
    req.end();
  });
}

function rssMB(pid) {
  const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB$/m);
  return m ? Number(m[1]) / 1024 : NaN;
}

const metric = (text, name) => {
  const m = text.match(new RegExp(`^${name} (\\d+)$`, 'm'));
  return m ? Number(m[1]) : NaN;
};

function add(kind, p) {
  if (!kinds.has(kind)) kinds.set(kind, []);
  const v = kinds.get(kind);
  if (!v.includes(p)) v.push(p);
}

const hrefs = (html, re) => [...html.matchAll(re)].map((m) => m[1].replace(/&#61;/g, '=').replace(/&amp;/g, '&'));

before(async () => {
  if (!hasServe) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-load-'));
  db = path.join(tmp, 'site.db');
  feeds = await startFeeds();
  feedPort = feeds.port;
  run(['import', path.join(ROOT, 'examples/sources.opml')]);
  run(['fetch'], { TIDINGS_FETCH_MIN_INTERVAL: '10' });
  // the fixture feeds, due at once: the server's first round fetches them
  let opml = '<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0"><head><title>load</title></head><body>\n';
  for (let i = 0; i < FEEDS; i++)
    opml += `<outline type="rss" text="Load ${i}" xmlUrl="http://127.0.0.1:${feedPort}/f/${i}"/>\n`;
  fs.writeFileSync(path.join(tmp, 'load.opml'), opml + '</body></opml>\n');
  run(['import', path.join(tmp, 'load.opml')]);
  ({ c: child, port } = await startServer());

  // every kind of page, from the site's own links
  let front = (await get('/')).body;
  add('front', '/');
  for (let i = 0; i < 3; i++) {
    for (const a of hrefs(front, /href="(\/a\/\d+[^"]*)"/g)) add('article', a);
    const older = hrefs(front, /href="(\/\?before=[^"]+)"/g)[0];
    if (!older) break;
    add('front', older);
    front = (await get(older)).body;
  }
  for (const a of (kinds.get('article') || []).slice(0, 20)) {
    const page = (await get(a)).body;
    for (const s of hrefs(page, /href="(\/s\/\d+[^"]*)"/g)) add('source', s);
    for (const t of hrefs(page, /href="(\/t\/[^"]+)"/g)) add('tag', t);
  }
  for (const a of (kinds.get('article') || []).slice(0, 30)) add('redirect', a.replace(/^(\/a\/\d+).*/, '$1'));
  for (const f of ['/feed.xml', '/atom.xml', '/feed.json']) add('feed', f);
  for (const s of (kinds.get('source') || []).slice(0, 5)) add('feed', `${s.split('?')[0]}/feed.xml`);
  const words = ['harbor', 'council', 'river', 'market', 'storm', 'ferry', 'festival', 'budget', 'school', 'museum'];
  for (const w of words) {
    add('search', `/search?q=${w}`);
    add('api-search', `/api/v1/search?q=${w}`);
    for (const v of words.slice(0, 3)) add('search', `/search?q=${w}+${v}`);
  }
  add('api', '/api/v1/articles');
  add('api', '/api/v1/articles?limit=5');
  add('api', '/api/v1/sources');
  for (const a of (kinds.get('article') || []).slice(0, 20)) add('api', `/api/v1/articles/${a.match(/^\/a\/(\d+)/)[1]}`);
  for (const p of ['/robots.txt', '/healthz', '/metrics', '/sitemap.xml', '/about']) add('machine', p);
  const css = hrefs(front, /href="(\/static\/[^"]+)"/g)[0];
  if (css) add('machine', css);

  // a kind that does not answer yet (being written) is left out; the
  // front page, articles and machine routes must answer
  for (const [kind, list] of kinds) {
    const r = await get(list[0]);
    if (r.status >= 400) {
      assert.ok(!['front', 'article', 'redirect'].includes(kind), `${kind} ${list[0]} answers ${r.status}`);
      console.log(`# load: leaving out ${kind} (${list[0]} answers ${r.status})`);
      kinds.delete(kind);
      continue;
    }
    // weights: articles and the front page most, then lists
    const w = { article: 6, front: 4, source: 2, tag: 2, api: 2 }[kind] || 1;
    for (const p of list) {
      kindOf.set(p, kind);
      for (let k = 0; k < w; k++) urls.push(p);
    }
  }
});

after(async () => {
  if (child && child.exitCode === null) {
    await new Promise((resolve) => {
      const t = setTimeout(() => { child.kill('SIGKILL'); resolve(); }, 20000);
      child.removeAllListeners('exit');
      child.on('exit', () => { clearTimeout(t); resolve(); });
      child.kill('SIGTERM');
    });
  }
  if (feeds) await new Promise((r) => feeds.server.close(r));
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

maybe(`${CONNECTIONS} keep-alive connections during fetch rounds: no errors, no memory growth`, { timeout: 60000 }, async () => {
  assert.ok(kinds.get('article')?.length >= 10, 'articles to load');
  const m0 = (await get('/metrics')).body;
  const rounds0 = metric(m0, 'tidings_fetch_rounds_total');
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const t0 = Date.now();
  let end = t0 + WARMUP_MAX_MS + MEASURE_MS;
  let warm = 0; // ms since t0 when the warm-up ended
  const errors = [];
  const byStatus = new Map();
  let requests = 0;
  const rnd = (n) => Math.floor(Math.random() * n);
  const samples = []; // [ms since t0, RSS MB]
  const sampler = setInterval(() => samples.push([Date.now() - t0, rssMB(child.pid)]), 250);
  // the warm-up ends 500 ms after the first round has committed
  const watcher = setInterval(async () => {
    if (warm) return;
    const m = await get('/metrics').catch(() => ({ body: '' }));
    if (metric(m.body, 'tidings_fetch_rounds_total') > rounds0 && !warm) {
      warm = Date.now() - t0 + 500;
      end = t0 + warm + MEASURE_MS;
      clearInterval(watcher);
    }
  }, 200);
  const feedsBefore = feeds.requests();

  async function loop() {
    while (Date.now() < end) {
      const p = urls[rnd(urls.length)];
      try {
        const r = await get(p, { agent, gzip: rnd(2) === 1 });
        requests++;
        const key = `${kindOf.get(p)} ${r.status}`;
        byStatus.set(key, (byStatus.get(key) || 0) + 1);
        if (r.status >= 400) errors.push(`${r.status} ${p}`);
      } catch (e) {
        errors.push(`${e.message} ${p}`);
      }
    }
  }
  await Promise.all(Array.from({ length: CONNECTIONS }, loop));
  const elapsed = Date.now() - t0;
  clearInterval(sampler);
  clearInterval(watcher);
  agent.destroy();
  samples.push([elapsed, rssMB(child.pid)]);

  const m1 = (await get('/metrics')).body;
  const fetched = feeds.requests() - feedsBefore;
  const newArticles = metric(m1, 'tidings_fetch_new_articles_total') - metric(m0, 'tidings_fetch_new_articles_total');
  const stale = metric(m1, 'tidings_cache_stale_total') - metric(m0, 'tidings_cache_stale_total');
  const rounds = metric(m1, 'tidings_fetch_rounds_total') - rounds0;
  // growth: the mean RSS of the last third of the measured samples against
  // the first third (a trend, not the allocator's ups and downs)
  const measured = samples.filter(([t]) => warm && t >= warm).map(([, r]) => r);
  const third = Math.max(1, Math.floor(measured.length / 3));
  const mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;
  const base = mean(measured.slice(0, third));
  const growth = mean(measured.slice(-third)) - base;
  const statuses = [...byStatus].sort().map(([k, n]) => `${k}: ${n}`).join(', ');
  console.log(`# load: ${requests} requests in ${(elapsed / 1000).toFixed(1)} s (${Math.round(requests * 1000 / elapsed)}/s)` +
    ` on ${CONNECTIONS} connections over ${urls.length} paths of ${kinds.size} kinds; ${statuses};` +
    ` ${errors.length} errors; ${fetched} feed fetches, ${rounds} rounds, ${newArticles} new articles,` +
    ` ${stale} stale pages dropped; RSS ${samples[0][1].toFixed(1)} MB, ${base.toFixed(1)} MB after the` +
    ` warm-up (${(warm / 1000).toFixed(1)} s), growth ${growth.toFixed(1)} MB in the ${((elapsed - warm) / 1000).toFixed(1)} s` +
    ` after${SAN ? ' (sanitizer build)' : ''}; per second:` +
    samples.filter((x, i) => i % 4 === 3).map(([, r]) => ` ${r.toFixed(1)}`).join(''));

  assert.deepEqual(errors.slice(0, 10), [], `${errors.length} errors`);
  assert.ok(warm > 0, `the first fetch round did not complete within ${WARMUP_MAX_MS / 1000} s`);
  assert.ok(requests >= (SAN ? 500 : 2000), `only ${requests} requests`);
  assert.ok(fetched > 0, 'the fixture feeds were fetched during the run');
  assert.ok(newArticles > 0, 'new articles were stored during the run');
  assert.ok(stale > 0, 'the page cache was dropped during the run');
  assert.ok(growth < MAX_GROWTH_MB, `RSS grew ${growth.toFixed(1)} MB after the warm-up (limit ${MAX_GROWTH_MB})`);

  // a clean shutdown, perhaps in the middle of the next round
  const code = await new Promise((resolve) => {
    const t = setTimeout(() => { child.kill('SIGKILL'); resolve(-1); }, 20000);
    child.removeAllListeners('exit');
    child.on('exit', (c) => { clearTimeout(t); resolve(c); });
    child.kill('SIGTERM');
  });
  assert.equal(code, 0, 'exit status after SIGTERM');
});
