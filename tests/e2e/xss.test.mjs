// xss.test.mjs - no known XSS technique survives `tidings sanitize`.
//
// Every vector of xss-vectors.txt is sanitized by the real binary (once
// without and once with --base-url), embedded in an article page with no
// CSP, served from 127.0.0.1 and loaded in headless Chromium. The test
// fails when anything runs: alert/confirm/prompt/print (overridden before
// any page script), a dialog, a JavaScript error, a request to the canary
// URL, a popup or a navigation away. Every element is then hovered,
// clicked, focused and sent the events handlers listen to, and links are
// really clicked with the mouse (bounded), to trigger what is left.
//
// It also checks the sanitizer's model of the browser: the DOM Chromium
// builds from each output, serialized back (innerHTML) and sanitized
// again, must give the same bytes; any difference would be a place where
// the browser parses the output into another tree (mutation XSS).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { articlePage, launchBrowser, sanitizeAll, startServer } from './sanitize-lib.mjs';

const BATCH = 40;          // vectors per page
const MAX_ELEMENTS = 3000; // elements poked per page
const MAX_MOUSE = 30;      // real mouse clicks per page
const BASE = 'https://news.example/2024/01/story.html';

// Parse the vector file into Buffers (escapes described in its header).
function loadVectors(canary) {
  const file = path.join(import.meta.dirname, 'xss-vectors.txt');
  const out = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line === '' || line === '#' || line.startsWith('# ')) continue;
    const parts = [];
    const re = /\{(NL|CR|TAB|FF|VT|NUL|CANARY|X:[0-9A-Fa-f]{2}|U:[0-9A-Fa-f]{4,6})\}/g;
    let last = 0;
    let m;
    while ((m = re.exec(line))) {
      parts.push(Buffer.from(line.slice(last, m.index), 'utf8'));
      const t = m[1];
      const simple = { NL: '\n', CR: '\r', TAB: '\t', FF: '\f', VT: '\v', NUL: '\0' };
      if (t in simple) parts.push(Buffer.from(simple[t], 'latin1'));
      else if (t === 'CANARY') parts.push(Buffer.from(canary, 'utf8'));
      else if (t.startsWith('X:')) parts.push(Buffer.from([parseInt(t.slice(2), 16)]));
      else parts.push(Buffer.from(String.fromCodePoint(parseInt(t.slice(2), 16)), 'utf8'));
      last = re.lastIndex;
    }
    parts.push(Buffer.from(line.slice(last), 'utf8'));
    out.push({ source: line, bytes: Buffer.concat(parts) });
  }
  return out;
}

// Undo the differences between our escaping and Chromium's serializer
// (&quot; vs ", &nbsp; vs U+00A0, boolean attributes written as ="").
function canon(html) {
  return html.replace(/&quot;/g, '"').replace(/&nbsp;/g, '\u00a0')
    .replace(/ (controls|reversed|open|default)=""/g, ' $1');
}

let server;
let chrome;

before(async () => {
  server = await startServer();
  chrome = await launchBrowser();
});

after(async () => {
  await chrome?.close();
  await server?.close();
});

// Load bodies in one page, poke everything, return what ran.
async function runPage(name, bodies) {
  const url = `${server.origin}/${name}`;
  server.pages.set(`/${name}`, articlePage('Story', bodies));
  const canaryBefore = server.canary.length;
  const hits = [];
  const page = await chrome.context.newPage();
  await page.route('**/*', async (route) => {
    const req = route.request();
    if (req.url().startsWith(server.origin)) return route.continue();
    // nothing leaves the machine; clicked links go nowhere
    if (req.isNavigationRequest()) return route.fulfill({ status: 204 });
    return route.abort();
  });
  await page.addInitScript(() => {
    window.__hits = [];
    for (const f of ['alert', 'confirm', 'prompt', 'print']) {
      window[f] = (...a) => { window.__hits.push(`${f}(${a.join(',')})`); };
    }
  });
  page.on('dialog', (d) => { hits.push(`dialog ${d.type()}: ${d.message()}`); d.dismiss().catch(() => {}); });
  page.on('pageerror', (e) => hits.push(`script error: ${e.message}`));
  page.on('popup', (p) => hits.push(`popup ${p.url()}`));
  page.on('framenavigated', (f) => {
    if (f === page.mainFrame() && f.url().split('#')[0] !== url) hits.push(`navigated to ${f.url()}`);
  });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForTimeout(100);

  // the browser's reading of each body, before anything is clicked
  const dom = await page.evaluate(() =>
    Array.from(document.querySelectorAll('div.content'), (d) => d.innerHTML));

  // synthetic events on every element, focus, activation
  await page.evaluate((max) => {
    const types = ['mouseover', 'mouseenter', 'mousemove', 'mousedown', 'mouseup',
      'click', 'dblclick', 'auxclick', 'contextmenu', 'focus', 'focusin', 'blur',
      'pointerover', 'pointerenter', 'pointerdown', 'pointerup', 'keydown',
      'keypress', 'keyup', 'input', 'change', 'wheel', 'scroll', 'dragstart',
      'drag', 'drop', 'copy', 'cut', 'paste', 'toggle', 'error', 'load',
      'animationstart', 'transitionend', 'beforeinput', 'select', 'submit',
      'invalid', 'play', 'canplay', 'loadstart'];
    const els = Array.from(document.querySelectorAll('div.content *')).slice(0, max);
    for (const el of els) {
      for (const t of types) {
        try { el.dispatchEvent(new Event(t, { bubbles: true, cancelable: true })); } catch {}
      }
      try { el.focus(); } catch {}
      try { if (el.tagName === 'SUMMARY') el.click(); } catch {}
      try { if (el.tagName === 'A' || el.tagName === 'AREA') el.click(); } catch {}
      try { if (el.form && el.form.requestSubmit) el.form.requestSubmit(); } catch {}
    }
  }, MAX_ELEMENTS);

  // real pointer: hover and click links, images and other targets
  const nTargets = await page.evaluate((max) => {
    window.__targets = Array.from(document.querySelectorAll(
      'div.content a, div.content img, div.content summary, div.content video, div.content td')).slice(0, max);
    return window.__targets.length;
  }, MAX_MOUSE);
  for (let t = 0; t < nTargets; t++) {
    try {
      const box = await page.evaluate((k) => {
        const el = window.__targets[k];
        el.scrollIntoView({ block: 'center' });
        const r = el.getBoundingClientRect();
        return { x: r.x + r.width / 2, y: r.y + r.height / 2, ok: r.width >= 1 && r.height >= 1 };
      }, t);
      if (!box.ok) continue;
      await page.mouse.move(box.x, box.y);
      await page.mouse.click(box.x, box.y);
    } catch {}
  }
  await page.keyboard.press('Tab');
  await page.waitForTimeout(300);

  try {
    hits.push(...await page.evaluate(() => window.__hits));
  } catch (e) {
    hits.push(`page lost: ${e.message}`);
  }
  if (page.url().split('#')[0] !== url) hits.push(`left the page for ${page.url()}`);
  for (const c of server.canary.slice(canaryBefore)) hits.push(`canary request ${c}`);
  await page.close();
  server.pages.delete(`/${name}`);
  return { hits, dom };
}

test('the harness detects script that runs', async () => {
  const canary = `${server.origin}/pwned`;
  const raw = [
    '<img src=x onerror=alert(1)>',
    '<a href="javascript:alert(1)">x</a>',
    '<div onmouseover="alert(1)">x</div>',
    `<script>fetch('${canary}')</script>`,
    '<details open ontoggle=alert(1)><summary>x</summary></details>',
    `<div style="background:url('${canary}')">x</div>`,
  ];
  for (const [i, v] of raw.entries()) {
    const { hits } = await runPage(`control-${i}`, [v]);
    assert.ok(hits.length > 0, `unsanitized control vector not detected: ${v}`);
  }
});

for (const base of [null, BASE]) {
  test(`no vector executes (${base ? 'with' : 'without'} --base-url)`, async () => {
    const canary = `${server.origin}/pwned`;
    const vectors = loadVectors(canary);
    assert.ok(vectors.length >= 300, `only ${vectors.length} vectors`);
    const outs = await sanitizeAll(vectors.map((v) => v.bytes), base);
    const failures = [];
    const mutations = [];
    for (let i = 0; i < vectors.length; i += BATCH) {
      const idx = [...Array(Math.min(BATCH, vectors.length - i)).keys()].map((k) => i + k);
      const { hits, dom } = await runPage(`batch-${base ? 'b' : 'n'}-${i}`, idx.map((k) => outs[k]));
      // the browser's tree is ours: its serialization equals our output up
      // to escaping style, or else sanitizes back to the same bytes
      const differ = dom.map((h, j) => j).filter((j) => canon(dom[j]) !== canon(outs[idx[j]]));
      const again = await sanitizeAll(differ.map((j) => Buffer.from(dom[j], 'utf8')), base);
      again.forEach((a, n) => {
        const j = differ[n];
        const k = idx[j];
        if (a !== outs[k]) {
          mutations.push(`vector ${k + 1}: ${vectors[k].source}\n  ours:    ${outs[k]}\n` +
            `  browser: ${dom[j]}\n  again:   ${a}`);
        }
      });
      if (hits.length === 0) continue;
      // find the culprit(s) one by one
      const before = failures.length;
      for (const k of idx) {
        const one = await runPage(`single-${k}`, [outs[k]]);
        if (one.hits.length) {
          failures.push(`vector ${k + 1}: ${vectors[k].source}\n  output: ${outs[k]}\n` +
            `  ran: ${one.hits.join('; ')}`);
        }
      }
      if (failures.length === before) {
        failures.push(`batch at ${i}: ${hits.join('; ')} (no single vector reproduces)`);
      }
    }
    assert.deepEqual(failures, [], `script ran:\n${failures.join('\n')}`);
    assert.deepEqual(mutations, [], `browser tree differs:\n${mutations.join('\n')}`);
  });
}
