// lib.mjs - helpers shared by the node tests that drive the real binary:
// where it is (ROOT, BIN), whether it has a `serve` command yet (hasServe,
// maybe), running its CLI (runCli, runCliAsync), starting and stopping
// `tidings serve` on a free port of 127.0.0.1 (startServe, stopServe), and
// plain HTTP requests to it (httpRequest).
//
// Used by tests/integration/*.test.mjs and tests/e2e/site.test.mjs. Plain
// node: no npm packages.
import { test } from 'node:test';
import http from 'node:http';
import path from 'node:path';
import { spawn, execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

// The repository root, and the binary under test: $TIDINGS_BIN or ./tidings.
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = process.env.TIDINGS_BIN || path.join(ROOT, 'tidings');

let serveKnown = null;

// True when BIN answers `serve --help` (checked once, on first call).
export function hasServe() {
  if (serveKnown === null) {
    try {
      execFileSync(BIN, ['serve', '--help'], { stdio: 'ignore', timeout: 10000 });
      serveKnown = true;
    } catch { serveKnown = false; /* not wired yet */ }
  }
  return serveKnown;
}

// test(name, fn), or the same test skipped (loudly) when BIN has no serve
// command.
export function maybe(name, fn) {
  return hasServe() ? test(name, fn) : test(name, { skip: `${BIN} has no serve command` }, fn);
}

// The argument list and options for one CLI run (see runCli).
function cliCall(args, { db, cwd, env, timeout = 60000 }) {
  const argv = db === undefined ? args : ['--db', db, ...args];
  const opts = { cwd, timeout, encoding: 'utf8' };
  if (env) opts.env = { ...process.env, ...env };
  return [argv, opts];
}

// Run `tidings [--db DB] ARGS...` and return its stdout (a string); throws
// on a non-zero exit or after `timeout` ms. Options: db (omit for commands
// that take none), cwd, env (added to process.env), timeout (60 s).
// stderr goes to the test's own stderr.
export function runCli(args, opts = {}) {
  return execFileSync(BIN, ...cliCall(args, opts));
}

// runCli without blocking the event loop (needed when the binary talks to
// a server living in the test process itself); resolves to stdout.
export async function runCliAsync(args, opts = {}) {
  const { stdout } = await promisify(execFile)(BIN, ...cliCall(args, opts));
  return stdout;
}

// Start `tidings --db DB serve --listen 127.0.0.1:0 [--no-fetch] ARGS...`
// and wait for its "listening on http://127.0.0.1:PORT" line.
// Options: db, cwd, env (added to process.env), fetch (false: pass
// --no-fetch), args (more serve arguments), timeout (ms to wait for the
// line, 15 s).
// Resolves {child, port, base: 'http://127.0.0.1:PORT', stderr()}, where
// stderr() is all the server wrote there so far; rejects (with that
// stderr) when the line does not come in time or the server exits first.
export function startServe({ db, cwd, env, fetch = false, args = [], timeout = 15000 } = {}) {
  const argv = ['--db', db, 'serve', '--listen', '127.0.0.1:0', ...(fetch ? [] : ['--no-fetch']), ...args];
  const opts = { cwd, stdio: ['ignore', 'pipe', 'pipe'] };
  if (env) opts.env = { ...process.env, ...env };
  const child = spawn(BIN, argv, opts);
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  return new Promise((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`no listening line; stderr: ${err}`)), timeout);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on http:\/\/127\.0\.0\.1:(\d+)\n/);
      if (m) {
        clearTimeout(t);
        const port = Number(m[1]);
        resolve({ child, port, base: `http://127.0.0.1:${port}`, stderr: () => err });
      }
    });
    child.on('exit', (code) => { clearTimeout(t); reject(new Error(`exited ${code}: ${err}`)); });
  });
}

// Stop a server from startServe (null or undefined: nothing to do) with
// `signal` (SIGTERM), then SIGKILL if it has not exited after `killAfter`
// ms (20 s). Resolves to its exit code, or -1 when it had to be killed.
export function stopServe(server, { signal = 'SIGTERM', killAfter = 20000 } = {}) {
  if (!server) return Promise.resolve(undefined);
  const { child } = server;
  return new Promise((resolve) => {
    const t = setTimeout(() => { child.kill('SIGKILL'); resolve(-1); }, killAfter);
    child.removeAllListeners('exit');
    child.on('exit', (code) => { clearTimeout(t); resolve(code); });
    child.kill(signal);
  });
}

// One HTTP request to 127.0.0.1:port, no redirects followed, no body sent.
// Options: method ('GET'; 'HEAD' etc. too), userAgent (sent as
// User-Agent unless headers has one), headers, agent (false: a fresh
// connection), timeout (ms of socket idleness, 10 s), raw (true: the body
// as a Buffer, no decoding of any kind).
// Resolves {status, headers, body}: body is a UTF-8 string unless raw.
export function httpRequest(port, p, { method = 'GET', userAgent, headers = {}, agent = false,
  timeout = 10000, raw = false } = {}) {
  const hdrs = userAgent === undefined ? headers : { 'user-agent': userAgent, ...headers };
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: p, method, headers: hdrs, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode, headers: res.headers, body: raw ? body : body.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(timeout, () => req.destroy(new Error('timeout')));
    req.end();
  });
}
