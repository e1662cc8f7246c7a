// sanitize-lib.mjs - helpers for the sanitizer end-to-end tests: the real binary, a
// loopback HTTP server and headless Chromium (Debian's, via playwright-core).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const BIN = process.env.TIDINGS_BIN || path.join(ROOT, 'tidings');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

// Run `tidings sanitize [--base-url URL] -` on bytes; returns the output
// as a string (throws on a non-zero exit).
export function sanitize(input, baseUrl) {
  const args = ['sanitize'];
  if (baseUrl) args.push('--base-url', baseUrl);
  args.push('-');
  const r = spawnSync(BIN, args, { input, timeout: 20000, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    throw new Error(`tidings sanitize exited ${r.status}: ${r.stderr}`);
  }
  return r.stdout.toString('utf8');
}

// sanitize() for many inputs, several processes at a time (start-up of the
// binary dominates); resolves to the outputs in order.
export async function sanitizeAll(inputs, baseUrl, parallel = 16) {
  const out = new Array(inputs.length);
  let next = 0;
  const one = (input) => new Promise((ok, fail) => {
    const args = ['sanitize'];
    if (baseUrl) args.push('--base-url', baseUrl);
    args.push('-');
    const p = spawn(BIN, args);
    const chunks = [];
    const err = [];
    const timer = setTimeout(() => p.kill('SIGKILL'), 20000);
    p.stdout.on('data', (c) => chunks.push(c));
    p.stderr.on('data', (c) => err.push(c));
    p.on('error', fail);
    p.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) fail(new Error(`tidings sanitize exited ${code}: ${Buffer.concat(err)}`));
      else ok(Buffer.concat(chunks).toString('utf8'));
    });
    p.stdin.on('error', () => {});
    p.stdin.end(input);
  });
  const worker = async () => {
    while (next < inputs.length) {
      const i = next++;
      out[i] = await one(inputs[i]);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return out;
}

// A node:http server on 127.0.0.1 serving pages from a Map (path -> HTML)
// and recording every request whose path starts with /pwned (the canary).
export async function startServer() {
  const pages = new Map();
  const canary = [];
  const server = http.createServer((req, res) => {
    if (req.url.startsWith('/pwned')) {
      canary.push(req.url);
      res.writeHead(204);
      res.end();
      return;
    }
    const page = pages.get(req.url.split('?')[0]);
    if (page !== undefined) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page);
      return;
    }
    // links followed by clicks: 204 keeps the browser on the page
    res.writeHead(req.headers['sec-fetch-dest'] === 'document' ? 204 : 404);
    res.end();
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    pages,
    canary,
    close: () => new Promise((ok) => server.close(ok)),
  };
}

// Launch Debian's Chromium headless with a fresh profile (a persistent
// context on a new temporary --user-data-dir); pages come from
// `context.newPage()`.
export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
      '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
      // belt and braces: no name resolves, so nothing can leave the machine
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
      '--dns-prefetch-disable',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

// The article page a sanitized body is shown in: the site's own layout
// around it, no script of its own and deliberately no CSP, so the
// sanitizer alone has to hold.
export function articlePage(title, bodies) {
  const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const parts = bodies.map((b, i) =>
    `<article class="post" data-i="${i}"><h1>${esc(title)} ${i}</h1>` +
    `<p class="meta">12 Views</p><div class="content">${b}</div>` +
    `<p class="attribution">This post appeared first on ` +
    `<a href="https://news.example/">Example News</a></p></article>\n`);
  return '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">' +
    `<title>${esc(title)}</title></head><body><header><a href="/">tidings` +
    `</a></header><main>\n${parts.join('')}</main><footer>footer</footer>` +
    '</body></html>\n';
}
