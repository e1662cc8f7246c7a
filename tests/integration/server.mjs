// server.mjs - fixture HTTP server for fetch tests; misbehaves on purpose.
//
//   node tests/integration/server.mjs [--port N] [--host H]
//     prints "listening PORT" on stdout once ready (port 0: pick one).
//   import { start } from './server.mjs';
//     const srv = await start({ port: 0 }); ... await srv.close();
//
// Node built-ins only. Every route also takes ?delay=MS (wait before
// answering, max 60000) so tests can hold requests open to observe
// concurrency.
//
// Routes
//   /feed/NAME                 a file from fixtures/ (type from content)
//   /etag/NAME                 same, with ETag + Last-Modified; 304 on a
//                              matching If-None-Match / If-Modified-Since
//                              (?bare304=1: the 304 omits the validators)
//   /redirect/CODE/N/PATH      N hops of CODE (301 302 303 307 308), then
//                              /PATH; /redirect/301,302,308/PATH: one hop per
//                              listed code. Location is relative unless
//                              ?abs=1. The query string is passed along.
//   /redirect-to?url=U&code=C  one redirect to any URL (other schemes too)
//   /redirect-nolocation?code=C   a 3xx without Location
//   /loop                      301 to itself, forever
//   /status/CODE[?retry-after=V]  that status, Retry-After sent verbatim
//   /slow[?interval=MS&bytes=N]   drips a byte every 500 ms
//   /big?mb=12[&nolen=1][&gzip=1] oversized body, with or without
//                              Content-Length; gzip=1 sends it compressed
//                              (small on the wire, big once decoded)
//   /gzip/NAME /deflate/NAME /br/NAME  encoded whatever the client asked
//   /charset[?header=CS&decl=CS&quote=1]  latin-1 bytes; the Content-Type
//                              charset (default ISO-8859-1) differs from the
//                              XML declaration (default UTF-8)
//   /html-with-feed            an HTML page linking feeds (rel=alternate)
//   /many/I                    a small distinct feed per I; for even I a
//                              matching If-None-Match gets 304
//   /with-headers?h=Name:%20Value&h=...  a small feed plus those headers
//   /drop                      closes the connection without answering
//   /cut                       sends headers and half a body, then closes
//   /_log                      JSON request log [{method, path, host,
//                              headers, t}] (DELETE /_log or /_reset clears
//                              log and stats)
//   /_stats                    {requests, inflight, max_concurrent,
//                              by_host: {HOST: {requests, max_concurrent}}}
//   Requests to /_* are neither logged nor counted.

import http from 'node:http';
import zlib from 'node:zlib';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const LAST_MODIFIED = 'Sat, 06 Jan 2024 01:10:00 GMT';
const MAX_LOG = 20000;

function feedType(name, body) {
  if (name.endsWith('.json')) return 'application/feed+json';
  if (name.endsWith('.html') || name.endsWith('.htm')) return 'text/html; charset=utf-8';
  const head = body.subarray(0, 512).toString('latin1');
  if (head.includes('<feed')) return 'application/atom+xml';
  if (head.includes('<rdf:RDF')) return 'application/rdf+xml';
  return 'application/rss+xml';
}

function manyFeed(i) {
  const base = Date.UTC(2024, 0, 1) + (i % 1000) * 60000;
  let items = '';
  for (let k = 0; k < 3; k++) {
    const d = new Date(base - k * 3600000).toUTCString();
    items += `<item><title>Item ${k} of source ${i}</title>` +
      `<link>http://many.example/${i}/${k}</link>` +
      `<guid>http://many.example/${i}/${k}</guid>` +
      `<pubDate>${d}</pubDate><description>Story ${k} from source ${i}.</description></item>`;
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>` +
    `<title>Source ${i}</title><link>http://many.example/${i}/</link>` +
    `<description>Generated source ${i}</description>${items}</channel></rss>\n`;
}

function charsetBody(decl) {
  const s = `<?xml version="1.0" encoding="${decl}"?>\n<rss version="2.0"><channel>` +
    '<title>Caf\u00e9 cr\u00e8me \u00e0 la gare</title><link>http://latin.example/</link>' +
    '<description>Nouvelles fran\u00e7aises</description>' +
    '<item><title>Le march\u00e9 de No\u00ebl ouvre \u00e0 Orl\u00e9ans</title>' +
    '<link>http://latin.example/noel</link><guid>http://latin.example/noel</guid>' +
    '<pubDate>Sat, 06 Jan 2024 01:10:00 GMT</pubDate></item></channel></rss>\n';
  return Buffer.from(s, 'latin1');
}

function etagMatches(header, etag) {
  if (!header) return false;
  const strip = (t) => t.trim().replace(/^W\//, '');
  return header.split(',').some((t) => t.trim() === '*' || strip(t) === strip(etag));
}

function safeName(name) {
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) && !name.includes('..');
}

const bigCache = new Map();

export async function start({ port = 0, host = '127.0.0.1', fixtures = path.join(HERE, 'fixtures') } = {}) {
  let log = [];
  let stats;
  const resetStats = () => {
    stats = { requests: 0, inflight: 0, max_concurrent: 0, by_host: {} };
  };
  resetStats();
  const inflightByHost = new Map();

  function readFixture(name) {
    if (!safeName(name)) return null;
    try {
      return fs.readFileSync(path.join(fixtures, name));
    } catch {
      return null;
    }
  }

  function send(res, status, headers, body) {
    res.writeHead(status, headers);
    res.end(body);
  }

  function notFound(res) {
    send(res, 404, { 'Content-Type': 'text/plain' }, 'not found\n');
  }

  async function route(req, res, url) {
    const p = url.pathname;
    const q = url.searchParams;
    const parts = p.split('/').filter((x) => x !== '');

    if (parts[0] === 'feed' && parts.length === 2) {
      const body = readFixture(parts[1]);
      if (!body) return notFound(res);
      return send(res, 200, { 'Content-Type': feedType(parts[1], body) }, body);
    }

    if (parts[0] === 'etag' && parts.length === 2) {
      const body = readFixture(parts[1]);
      if (!body) return notFound(res);
      const etag = '"' + crypto.createHash('sha1').update(body).digest('hex').slice(0, 16) + '"';
      const inm = req.headers['if-none-match'];
      const ims = req.headers['if-modified-since'];
      let notModified = false;
      if (inm !== undefined) notModified = etagMatches(inm, etag);
      else if (ims !== undefined) {
        const t = Date.parse(ims);
        notModified = !Number.isNaN(t) && t >= Date.parse(LAST_MODIFIED);
      }
      if (notModified) {
        const h = q.get('bare304') ? {} : { ETag: etag, 'Last-Modified': LAST_MODIFIED };
        return send(res, 304, h, '');
      }
      return send(res, 200, {
        'Content-Type': feedType(parts[1], body),
        ETag: etag,
        'Last-Modified': LAST_MODIFIED,
      }, body);
    }

    if (parts[0] === 'redirect' && parts.length >= 2) {
      const codes = parts[1].split(',').map(Number);
      if (!codes.every((c) => [301, 302, 303, 307, 308].includes(c))) {
        return send(res, 400, { 'Content-Type': 'text/plain' }, 'bad code\n');
      }
      let n = 1;
      let rest = parts.slice(2);
      if (codes.length === 1 && rest.length && /^\d+$/.test(rest[0])) {
        n = Number(rest[0]);
        rest = rest.slice(1);
      }
      if (n < 1) return send(res, 400, { 'Content-Type': 'text/plain' }, 'bad count\n');
      let next;
      if (codes.length > 1) next = `/redirect/${codes.slice(1).join(',')}/${rest.join('/')}`;
      else if (n > 1) next = `/redirect/${codes[0]}/${n - 1}/${rest.join('/')}`;
      else next = '/' + rest.join('/');
      if (url.search) next += url.search;
      if (q.get('abs')) next = `http://${req.headers.host}${next}`;
      return send(res, codes[0], { Location: next, 'Content-Type': 'text/plain' }, `moved to ${next}\n`);
    }

    if (p === '/redirect-to') {
      const code = Number(q.get('code') || 302);
      return send(res, code, { Location: q.get('url') || '/', 'Content-Type': 'text/plain' }, 'moved\n');
    }

    if (p === '/redirect-nolocation') {
      return send(res, Number(q.get('code') || 301), { 'Content-Type': 'text/plain' }, 'moved somewhere\n');
    }

    if (p === '/loop') {
      return send(res, 301, { Location: '/loop' }, '');
    }

    if (parts[0] === 'status' && parts.length === 2 && /^\d{3}$/.test(parts[1])) {
      const code = Number(parts[1]);
      if (code < 200 || code > 599) return send(res, 400, {}, 'bad status\n');
      const h = { 'Content-Type': 'text/plain' };
      if (q.has('retry-after')) h['Retry-After'] = q.get('retry-after');
      return send(res, code, h, code === 304 || code === 204 ? '' : `status ${code}\n`);
    }

    if (p === '/slow') {
      const interval = Math.max(10, Number(q.get('interval') || 500));
      const body = readFixture('rss2.xml');
      const total = Math.min(Number(q.get('bytes') || body.length), body.length);
      res.writeHead(200, { 'Content-Type': 'application/rss+xml' });
      let i = 0;
      const timer = setInterval(() => {
        if (i >= total) {
          clearInterval(timer);
          res.end();
          return;
        }
        res.write(body.subarray(i, i + 1));
        i++;
      }, interval);
      res.on('close', () => clearInterval(timer));
      return;
    }

    if (p === '/big') {
      const mb = Math.min(Math.max(Number(q.get('mb') || 12), 0), 1024);
      const size = Math.floor(mb * 1024 * 1024);
      if (q.get('gzip')) {
        let z = bigCache.get(size);
        if (!z) {
          z = zlib.gzipSync(Buffer.alloc(size, 0x20));
          bigCache.set(size, z);
        }
        return send(res, 200, {
          'Content-Type': 'application/rss+xml',
          'Content-Encoding': 'gzip',
          'Content-Length': z.length,
        }, z);
      }
      const h = { 'Content-Type': 'application/rss+xml' };
      if (!q.get('nolen')) h['Content-Length'] = size;
      res.writeHead(200, h);
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      let closed = false;
      res.on('close', () => { closed = true; });
      const pump = () => {
        while (!closed && sent < size) {
          const n = Math.min(chunk.length, size - sent);
          sent += n;
          if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
            res.once('drain', pump);
            return;
          }
        }
        if (!closed) res.end();
      };
      pump();
      return;
    }

    if (['gzip', 'deflate', 'br'].includes(parts[0]) && parts.length === 2) {
      const body = readFixture(parts[1]);
      if (!body) return notFound(res);
      const enc = parts[0];
      const z = enc === 'gzip' ? zlib.gzipSync(body)
        : enc === 'deflate' ? zlib.deflateSync(body)
          : zlib.brotliCompressSync(body);
      return send(res, 200, {
        'Content-Type': feedType(parts[1], body),
        'Content-Encoding': enc,
        Vary: 'Accept-Encoding',
      }, z);
    }

    if (p === '/charset') {
      let cs = q.get('header') || 'ISO-8859-1';
      if (q.get('quote')) cs = `"${cs}"`;
      return send(res, 200, {
        'Content-Type': `application/rss+xml; charset=${cs}`,
      }, charsetBody(q.get('decl') || 'UTF-8'));
    }

    if (p === '/html-with-feed') {
      const body = readFixture('page.html');
      return send(res, 200, { 'Content-Type': 'text/html; charset=utf-8' }, body);
    }

    if (parts[0] === 'many' && parts.length === 2 && /^\d{1,6}$/.test(parts[1])) {
      const i = Number(parts[1]);
      const etag = `"many-${i}-v1"`;
      if (i % 2 === 0 && etagMatches(req.headers['if-none-match'], etag)) {
        return send(res, 304, { ETag: etag }, '');
      }
      return send(res, 200, {
        'Content-Type': 'application/rss+xml; charset=utf-8',
        ETag: etag,
        'Last-Modified': LAST_MODIFIED,
      }, manyFeed(i));
    }

    if (p === '/with-headers') {
      const h = {};
      for (const line of q.getAll('h')) {
        const c = line.indexOf(':');
        if (c <= 0) return send(res, 400, {}, 'bad header\n');
        h[line.slice(0, c).trim()] = line.slice(c + 1).trim();
      }
      if (!h['Content-Type'] && !h['content-type']) h['Content-Type'] = 'application/rss+xml';
      try {
        return send(res, 200, h, readFixture('rss2.xml'));
      } catch {
        return send(res, 400, {}, 'invalid header\n');
      }
    }

    if (p === '/drop') {
      req.socket.destroy();
      return;
    }

    if (p === '/cut') {
      const body = readFixture('rss2.xml');
      res.writeHead(200, { 'Content-Type': 'application/rss+xml', 'Content-Length': body.length });
      res.write(body.subarray(0, body.length >> 1), () => req.socket.destroy());
      return;
    }

    return notFound(res);
  }

  const server = http.createServer((req, res) => {
    let url;
    try {
      url = new URL(req.url, 'http://localhost');
    } catch {
      return send(res, 400, {}, 'bad request\n');
    }
    const p = url.pathname;

    if (p === '/_log') {
      if (req.method === 'DELETE') {
        log = [];
        resetStats();
        return send(res, 204, {}, '');
      }
      return send(res, 200, { 'Content-Type': 'application/json' }, JSON.stringify(log));
    }
    if (p === '/_reset') {
      log = [];
      resetStats();
      return send(res, 204, {}, '');
    }
    if (p === '/_stats') {
      return send(res, 200, { 'Content-Type': 'application/json' }, JSON.stringify(stats));
    }

    const hostKey = req.headers.host || '';
    log.push({ method: req.method, path: req.url, host: hostKey, headers: req.headers, t: Date.now() });
    if (log.length > MAX_LOG) log.splice(0, log.length - MAX_LOG);
    stats.requests++;
    stats.inflight++;
    stats.max_concurrent = Math.max(stats.max_concurrent, stats.inflight);
    const hs = stats.by_host[hostKey] || (stats.by_host[hostKey] = { requests: 0, max_concurrent: 0 });
    hs.requests++;
    const cur = (inflightByHost.get(hostKey) || 0) + 1;
    inflightByHost.set(hostKey, cur);
    hs.max_concurrent = Math.max(hs.max_concurrent, cur);
    const myStats = stats;
    let done = false;
    res.on('close', () => {
      if (done) return;
      done = true;
      myStats.inflight--;
      inflightByHost.set(hostKey, inflightByHost.get(hostKey) - 1);
    });

    const delay = Math.min(Number(url.searchParams.get('delay') || 0), 60000);
    const go = () => {
      route(req, res, url).catch(() => {
        if (!res.headersSent) send(res, 500, {}, 'fixture server error\n');
        else res.destroy();
      });
    };
    if (delay > 0) setTimeout(go, delay);
    else go();
  });
  server.keepAliveTimeout = 30000;

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const actual = server.address().port;
  return {
    port: actual,
    url: `http://${host}:${actual}`,
    server,
    log: () => log,
    stats: () => stats,
    reset: () => { log = []; resetStats(); },
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

const isMain = process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (isMain) {
  let port = 0;
  let host = '127.0.0.1';
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--port') port = Number(args[++i]);
    else if (args[i] === '--host') host = args[++i];
    else {
      process.stderr.write(`usage: server.mjs [--port N] [--host H]\n`);
      process.exit(2);
    }
  }
  const srv = await start({ port, host });
  process.stdout.write(`listening ${srv.port}\n`);
  const stop = () => srv.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
