// fetch.test.mjs - the fixture server misbehaves exactly as the fetch tests
// (tests/unit/test_fetch.c) and the CLI integration tests expect.
// Run: node --test tests/integration/fetch.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import zlib from 'node:zlib';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { start } from './server.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const fixture = (n) => fs.readFileSync(path.join(HERE, 'fixtures', n));

let srv;
before(async () => { srv = await start({ port: 0 }); });
after(async () => { await srv.close(); });

// Raw GET: no redirect following, no decoding. Resolves {status, headers,
// body: Buffer}.
function get(p, headers = {}, host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port: srv.port, path: p, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(20000, () => req.destroy(new Error('timeout')));
  });
}

test('CLI mode prints "listening PORT" and serves', async () => {
  const child = spawn(process.execPath, [path.join(HERE, 'server.mjs'), '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise((resolve, reject) => {
      let out = '';
      const t = setTimeout(() => reject(new Error('no listening line')), 10000);
      child.stdout.on('data', (d) => {
        out += d;
        const m = out.match(/^listening (\d+)\n/);
        if (m) { clearTimeout(t); resolve(Number(m[1])); }
      });
    });
    assert.ok(port > 0);
    const body = await new Promise((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/feed/rss2.xml', agent: false }, (res) => {
        let s = '';
        res.on('data', (c) => { s += c; });
        res.on('end', () => resolve(s));
      }).on('error', reject);
    });
    assert.match(body, /<rss/);
  } finally {
    child.kill('SIGTERM');
  }
});

test('/feed serves fixtures with a feed content type', async () => {
  const r = await get('/feed/rss2.xml');
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'application/rss+xml');
  assert.deepEqual(r.body, fixture('rss2.xml'));
  assert.equal((await get('/feed/atom.xml')).headers['content-type'], 'application/atom+xml');
  assert.equal((await get('/feed/feed.json')).headers['content-type'], 'application/feed+json');
  assert.equal((await get('/feed/nope.xml')).status, 404);
  assert.equal((await get('/feed/..%2Fserver.mjs')).status, 404);
});

test('/etag answers 304 to matching validators', async () => {
  const a = await get('/etag/atom.xml');
  assert.equal(a.status, 200);
  const etag = a.headers.etag;
  const lm = a.headers['last-modified'];
  assert.ok(etag && lm);
  const b = await get('/etag/atom.xml', { 'If-None-Match': etag });
  assert.equal(b.status, 304);
  assert.equal(b.headers.etag, etag);
  assert.equal(b.body.length, 0);
  assert.equal((await get('/etag/atom.xml', { 'If-None-Match': `W/${etag}, "other"` })).status, 304);
  assert.equal((await get('/etag/atom.xml', { 'If-None-Match': '"stale"' })).status, 200);
  assert.equal((await get('/etag/atom.xml', { 'If-Modified-Since': lm })).status, 304);
  assert.equal((await get('/etag/atom.xml', { 'If-Modified-Since': 'Mon, 01 Jan 2001 00:00:00 GMT' })).status, 200);
  const bare = await get('/etag/atom.xml?bare304=1', { 'If-None-Match': etag });
  assert.equal(bare.status, 304);
  assert.equal(bare.headers.etag, undefined);
});

test('/redirect chains hop by hop', async () => {
  let r = await get('/redirect/301/3/feed/atom.xml');
  assert.equal(r.status, 301);
  assert.equal(r.headers.location, '/redirect/301/2/feed/atom.xml');
  r = await get('/redirect/301/1/feed/atom.xml');
  assert.equal(r.headers.location, '/feed/atom.xml');
  r = await get('/redirect/301,302,308/feed/atom.xml');
  assert.equal(r.status, 301);
  assert.equal(r.headers.location, '/redirect/302,308/feed/atom.xml');
  r = await get('/redirect/308/feed/atom.xml?abs=1');
  assert.equal(r.status, 308);
  assert.equal(r.headers.location, `http://127.0.0.1:${srv.port}/feed/atom.xml?abs=1`);
  assert.equal((await get('/redirect/302/0/feed/atom.xml')).status, 400);
  assert.equal((await get('/redirect/305/feed/atom.xml')).status, 400);
  r = await get('/redirect-to?url=ftp://example.org/x&code=307');
  assert.equal(r.status, 307);
  assert.equal(r.headers.location, 'ftp://example.org/x');
  r = await get('/redirect-nolocation?code=308');
  assert.equal(r.status, 308);
  assert.equal(r.headers.location, undefined);
  r = await get('/loop');
  assert.equal(r.headers.location, '/loop');
});

test('/status sends the status and Retry-After verbatim', async () => {
  for (const code of [404, 410, 500]) assert.equal((await get(`/status/${code}`)).status, code);
  let r = await get('/status/503?retry-after=120');
  assert.equal(r.status, 503);
  assert.equal(r.headers['retry-after'], '120');
  r = await get('/status/429?retry-after=Wed,%2021%20Oct%202037%2007:28:00%20GMT');
  assert.equal(r.status, 429);
  assert.equal(r.headers['retry-after'], 'Wed, 21 Oct 2037 07:28:00 GMT');
});

test('/slow drips one byte at a time', async () => {
  const t0 = Date.now();
  const r = await get('/slow?interval=20&bytes=10');
  assert.equal(r.status, 200);
  assert.equal(r.body.length, 10);
  assert.ok(Date.now() - t0 >= 150);
});

test('/big with and without Content-Length, and compressed', async () => {
  let r = await get('/big?mb=0.5');
  assert.equal(r.headers['content-length'], String(512 * 1024));
  assert.equal(r.body.length, 512 * 1024);
  r = await get('/big?mb=0.5&nolen=1');
  assert.equal(r.headers['content-length'], undefined);
  assert.equal(r.headers['transfer-encoding'], 'chunked');
  assert.equal(r.body.length, 512 * 1024);
  r = await get('/big?mb=2&gzip=1');
  assert.equal(r.headers['content-encoding'], 'gzip');
  assert.ok(r.body.length < 64 * 1024);
  assert.equal(zlib.gunzipSync(r.body).length, 2 * 1024 * 1024);
});

test('/gzip, /deflate, /br encode regardless of Accept-Encoding', async () => {
  const want = fixture('rss2.xml');
  let r = await get('/gzip/rss2.xml');
  assert.equal(r.headers['content-encoding'], 'gzip');
  assert.deepEqual(zlib.gunzipSync(r.body), want);
  r = await get('/deflate/rss2.xml');
  assert.deepEqual(zlib.inflateSync(r.body), want);
  r = await get('/br/rss2.xml');
  assert.deepEqual(zlib.brotliDecompressSync(r.body), want);
});

test('/charset: latin-1 bytes, header and declaration disagree', async () => {
  let r = await get('/charset');
  assert.equal(r.headers['content-type'], 'application/rss+xml; charset=ISO-8859-1');
  assert.match(r.body.toString('latin1'), /encoding="UTF-8"/);
  assert.ok(r.body.includes(0xe9)); // é as one latin-1 byte
  r = await get('/charset?header=windows-1252&decl=ISO-8859-1&quote=1');
  assert.equal(r.headers['content-type'], 'application/rss+xml; charset="windows-1252"');
  assert.match(r.body.toString('latin1'), /encoding="ISO-8859-1"/);
});

test('/html-with-feed links its feeds', async () => {
  const r = await get('/html-with-feed');
  assert.match(r.headers['content-type'], /^text\/html/);
  assert.match(r.body.toString(), /<link rel="alternate" type="application\/rss\+xml"[^>]*href="\/feed\/rss2.xml"/);
});

test('/many: distinct feeds, 304 for even ids with a matching ETag', async () => {
  const a = await get('/many/7');
  const b = await get('/many/8');
  assert.equal(a.status, 200);
  assert.notDeepEqual(a.body, b.body);
  assert.match(a.body.toString(), /Source 7/);
  assert.equal((await get('/many/8', { 'If-None-Match': b.headers.etag })).status, 304);
  assert.equal((await get('/many/7', { 'If-None-Match': a.headers.etag })).status, 200);
  assert.equal((await get('/many/1999', { 'If-None-Match': '"many-1999-v1"' })).status, 200);
  assert.equal((await get('/many/1998', { 'If-None-Match': '"many-1998-v1"' })).status, 304);
});

test('/with-headers adds response headers', async () => {
  const r = await get('/with-headers?h=Cache-Control:%20max-age%3D600&h=X-Test:%20yes');
  assert.equal(r.headers['cache-control'], 'max-age=600');
  assert.equal(r.headers['x-test'], 'yes');
  assert.equal((await get('/with-headers?h=nocolon')).status, 400);
});

test('/drop and /cut break the connection', async () => {
  await assert.rejects(get('/drop'));
  await assert.rejects(get('/cut'));
});

test('/_log records requests and /_stats concurrency per host', async () => {
  await get('/_reset');
  await get('/feed/rss2.xml', { 'User-Agent': 'probe/1', 'If-None-Match': '"x"' });
  const log = JSON.parse((await get('/_log')).body);
  assert.equal(log.length, 1);
  assert.equal(log[0].method, 'GET');
  assert.equal(log[0].path, '/feed/rss2.xml');
  assert.equal(log[0].headers['user-agent'], 'probe/1');
  assert.equal(log[0].headers['if-none-match'], '"x"');

  await get('/_reset');
  await Promise.all([
    get('/many/1?delay=200'), get('/many/2?delay=200'), get('/many/3?delay=200'),
    get('/many/4?delay=200', {}, 'localhost'),
  ]);
  const st = JSON.parse((await get('/_stats')).body);
  assert.equal(st.requests, 4);
  assert.equal(st.inflight, 0);
  assert.equal(st.max_concurrent, 4);
  assert.equal(st.by_host[`127.0.0.1:${srv.port}`].max_concurrent, 3);
  assert.equal(st.by_host[`localhost:${srv.port}`].max_concurrent, 1);

  const del = await new Promise((resolve, reject) => {
    http.request({ host: '127.0.0.1', port: srv.port, path: '/_log', method: 'DELETE', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    }).on('error', reject).end();
  });
  assert.equal(del, 204);
  assert.equal(JSON.parse((await get('/_log')).body).length, 0);
});
