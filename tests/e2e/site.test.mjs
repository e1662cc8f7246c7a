// site.test.mjs - the public site in headless Chromium: `tidings serve` on
// the bundled sample sources (examples/, read over file://), driven by
// playwright-core with Debian's chromium. What a reader sees: the front
// page newest first, the article page's elements in order, the view count
// (one per page load, none for a bot), pagination both ways, search, source
// and tag pages, the out-feeds (read back with `tidings parse`), no console
// errors and no CSP violations anywhere, and a layout that fits phone and
// desktop widths (screenshots in tests/e2e/artifacts/, or $E2E_ARTIFACTS).
//
// Nothing leaves the machine: every request to a host other than the site
// is answered by the test itself (a 1x1 image), and Chromium resolves no
// names.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { ROOT, runCli, startServe, stopServe } from '../integration/lib.mjs';
import { CHROMIUM } from './sanitize-lib.mjs';

const ART = process.env.E2E_ARTIFACTS || path.join(ROOT, 'tests/e2e/artifacts');
// A reader's browser (not "HeadlessChrome", which counts as a bot).
const READER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
const BOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
// 1x1 transparent PNG for off-site images
const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

let tmp, db, server, base, browser;
const problems = []; // console errors, page errors, CSP violations: "url: text"
const visited = new Set();

const run = (args) => runCli(args, { db, cwd: tmp });

// A browser context with a user agent and a viewport; every page of it
// reports problems and never reaches beyond the site.
async function context(ua = READER, viewport = DESKTOP) {
  const ctx = await browser.newContext({ userAgent: ua, viewport, isMobile: viewport === PHONE, hasTouch: viewport === PHONE });
  await ctx.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.origin === base) return route.continue();
    return route.fulfill({ status: 200, contentType: 'image/png', body: PIXEL });
  });
  ctx.on('page', (page) => watch(page));
  return ctx;
}

function watch(page) {
  page.on('console', (m) => {
    if (page.url().includes('/no-such')) return; // the 404 page's own status
    if (m.type() === 'error' || /Content[- ]Security[- ]Policy/i.test(m.text()))
      problems.push(`${page.url()}: console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${page.url()}: page error: ${e.message}`));
  page.on('response', (r) => {
    if (r.url().startsWith(base) && r.status() >= 400 && !r.url().includes('/no-such'))
      problems.push(`${page.url()}: ${r.status()} for ${r.url()}`);
  });
}

// Go to a site path; resolve to the page after load, and record it.
async function open(page, p) {
  const r = await page.goto(base + p, { waitUntil: 'load' });
  visited.add(new URL(page.url()).pathname + new URL(page.url()).search);
  return r;
}

// The list cards of the current page: [{href, datetime}].
const cardsOf = (page) => page.$$eval('article.card', (els) => els.map((e) => ({
  href: e.querySelector('h2 a, h3 a')?.getAttribute('href'),
  datetime: e.querySelector('time')?.getAttribute('datetime'),
  source: e.querySelector('.source')?.textContent,
})));

const viewsOf = async (page) => {
  const t = (await page.textContent('.views')).trim();
  const m = t.match(/^(\d+) Views?$/);
  assert.ok(m, `views label: ${t}`);
  return Number(m[1]);
};

async function shoot(ctxPage, name) {
  fs.mkdirSync(ART, { recursive: true });
  await ctxPage.screenshot({ path: path.join(ART, `${name}.png`), fullPage: true });
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-e2e-site-'));
  db = path.join(tmp, 'site.db');
  run(['import', path.join(ROOT, 'examples/sources.opml')]);
  run(['fetch']);
  server = await startServe({ db, cwd: tmp });
  base = server.base;
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1', '--dns-prefetch-disable'],
  });
});

after(async () => {
  if (browser) await browser.close();
  await stopServe(server);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('front page: Latest News, the sample articles newest first', async () => {
  const ctx = await context();
  const page = await ctx.newPage();
  await open(page, '/');
  assert.equal((await page.textContent('h1')).trim(), 'Latest News');
  const list = await cardsOf(page);
  const total = JSON.parse(run(['sources', '--json'])).reduce((s, x) => s + x.articles, 0);
  assert.ok(total > 30, `sample articles: ${total}`);
  assert.equal(list.length, 30);
  for (let i = 1; i < list.length; i++)
    assert.ok(list[i - 1].datetime >= list[i].datetime, `newest first at ${i}`);
  assert.ok(list.every((c) => /^\/a\/\d+-/.test(c.href) && c.source));
  await ctx.close();
});

test('article page: every element in order; views count readers, not bots', async () => {
  const ctx = await context();
  const page = await ctx.newPage();
  await open(page, '/');
  const first = (await cardsOf(page))[0];
  await page.click(`article.card a[href="${first.href}"] >> nth=-1`);
  await page.waitForLoadState('load');
  visited.add(new URL(page.url()).pathname);
  assert.equal(new URL(page.url()).pathname, first.href);
  // the elements, in document order
  const order = await page.evaluate(() => {
    const q = (s) => document.querySelector(s);
    const attribution = [...document.querySelectorAll('p')].find((p) => /^This post appeared first on /.test(p.textContent));
    const other = [...document.querySelectorAll('h2')].find((h) => h.textContent.trim() === 'Other news');
    const label = [...document.querySelectorAll('main a')].find((a) => a.textContent.trim() === 'Latest News' && a.getAttribute('href') === '/');
    const els = [label, q('main time[datetime]'), q('main .views'), q('main h1'), q('main .story-body'), attribution, other];
    const names = ['label', 'time', 'views', 'title', 'body', 'attribution', 'other news'];
    const missing = names.filter((n, i) => !els[i]);
    if (missing.length) return { missing };
    for (let i = 1; i < els.length; i++)
      if (!(els[i - 1].compareDocumentPosition(els[i]) & Node.DOCUMENT_POSITION_FOLLOWING))
        return { wrong: `${names[i - 1]} before ${names[i]}` };
    return {
      ok: true,
      attribution: attribution.textContent.trim(),
      link: attribution.querySelector('a')?.href,
      time: q('main time[datetime]').getAttribute('datetime'),
      date: q('main time[datetime]').textContent.trim(),
      others: other.parentElement.querySelectorAll('li a').length,
    };
  });
  assert.ok(order.ok, JSON.stringify(order));
  assert.match(order.attribution, /^This post appeared first on [A-Z0-9 ,.'&-]+$/);
  assert.match(order.link, /^https?:\/\//);
  assert.match(order.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.match(order.date, /^\d\d-\d\d-\d{4} \d\d:\d\d$/);
  assert.ok(order.others > 0);

  // views: +1 per reader's page load, nothing for a bot
  const v1 = await viewsOf(page);
  await open(page, first.href);
  const v2 = await viewsOf(page);
  assert.equal(v2, v1 + 1);
  const botCtx = await context(BOT);
  const bot = await botCtx.newPage();
  await open(bot, first.href);
  await open(bot, first.href);
  await botCtx.close();
  await open(page, first.href);
  assert.equal(await viewsOf(page), v2 + 1, 'bot loads were not counted');
  await ctx.close();
});

test('pagination: Older then Newer, no article twice, back where we started', async () => {
  const ctx = await context();
  const page = await ctx.newPage();
  await open(page, '/');
  const p1 = (await cardsOf(page)).map((c) => c.href);
  await page.click('a[rel="next"]');
  await page.waitForLoadState('load');
  visited.add(new URL(page.url()).pathname + new URL(page.url()).search);
  const p2 = (await cardsOf(page)).map((c) => c.href);
  assert.ok(p2.length > 0);
  assert.ok(p2.every((h) => !p1.includes(h)), 'the older page shows other articles');
  await page.click('a[rel="prev"]');
  await page.waitForLoadState('load');
  const back = (await cardsOf(page)).map((c) => c.href);
  assert.deepEqual(back, p1);
  await ctx.close();
});

test('search: the header form finds an article and marks the words', async () => {
  const ctx = await context();
  const page = await ctx.newPage();
  await open(page, '/');
  const input = page.locator('header form[role="search"] input[name="q"], header form input[type="search"]').first();
  assert.ok(await input.count(), 'a search form in the header');
  // a word from the newest title
  const title = (await page.textContent('article.card h2')).trim();
  const word = title.split(/\W+/).filter((w) => w.length >= 5)[0] || title.split(/\s+/)[0];
  await input.fill(word);
  await input.press('Enter');
  await page.waitForLoadState('load');
  visited.add(new URL(page.url()).pathname + new URL(page.url()).search);
  assert.equal(new URL(page.url()).pathname, '/search');
  assert.equal(new URL(page.url()).searchParams.get('q'), word);
  const results = await page.$$eval('main .results li a[href^="/a/"]', (as) => as.length);
  assert.ok(results > 0, `results for ${word}`);
  assert.ok(await page.locator('main mark').count() > 0, 'matches are marked');
  // hostile queries are pages, not errors
  for (const q of ['"', 'AND OR NOT', "'; DROP TABLE articles; --", '<script>alert(1)</script>', 'title:*']) {
    const r = await open(page, '/search?q=' + encodeURIComponent(q));
    assert.equal(r.status(), 200, q);
    assert.equal(await page.locator('main script').count(), 0);
  }
  await ctx.close();
});

test('source and tag pages list their own articles', async () => {
  const ctx = await context();
  const page = await ctx.newPage();
  await open(page, '/about');
  const sources = await page.$$eval('main a[href^="/s/"]', (as) => as.map((a) => a.getAttribute('href')));
  assert.ok(sources.length >= 10, `source links on /about: ${sources.length}`);
  await open(page, sources[0].replace(/\/(feed\.xml|atom\.xml|feed\.json)$/, ''));
  const name = (await page.textContent('main h1')).trim();
  const list = await cardsOf(page);
  assert.ok(list.length > 0);
  assert.ok(list.every((c) => c.source === name), `every card from ${name}`);

  const tags = await page.evaluate(() => [...document.querySelectorAll('a[href^="/t/"]')].map((a) => a.getAttribute('href')));
  let tagHref = tags.find((h) => !/\.(xml|json)$/.test(h));
  if (!tagHref) {
    await open(page, '/about');
    tagHref = (await page.$$eval('main a[href^="/t/"]', (as) => as.map((a) => a.getAttribute('href')))).find((h) => !/\.(xml|json)$/.test(h));
  }
  assert.ok(tagHref, 'a tag link');
  await open(page, tagHref);
  assert.ok((await cardsOf(page)).length > 0, `articles tagged ${tagHref}`);
  await ctx.close();
});

test('out-feeds: RSS, Atom and JSON Feed read back with tidings parse', async () => {
  for (const p of ['/feed.xml', '/atom.xml', '/feed.json']) {
    const r = await fetch(base + p, { headers: { 'user-agent': READER } });
    assert.equal(r.status, 200, p);
    const file = path.join(tmp, 'out' + path.extname(p));
    fs.writeFileSync(file, Buffer.from(await r.arrayBuffer()));
    const parsed = JSON.parse(runCli(['parse', file], { timeout: 20000 }));
    assert.ok(parsed.items.length > 0, `${p}: items`);
    for (const it of parsed.items) {
      assert.ok(it.title, `${p}: item title`);
      assert.ok(String(it.url).startsWith(base + '/a/') || String(it.url).startsWith('http'), `${p}: item url ${it.url}`);
    }
  }
});

test('layout fits phone and desktop widths (screenshots saved)', async () => {
  const pages = ['/', [...visited].find((p) => p.startsWith('/a/')) || '/', '/search?q=harbor', '/about'];
  for (const [label, vp] of [['phone', PHONE], ['desktop', DESKTOP]]) {
    const ctx = await context(READER, vp);
    const page = await ctx.newPage();
    for (const p of pages) {
      await open(page, p);
      const { sw, iw } = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, iw: window.innerWidth }));
      assert.ok(sw <= iw + 1, `${label} ${p}: page ${sw}px wider than the viewport ${iw}px`);
      const name = p === '/' ? 'front' : p.split(/[/?]/)[1];
      await shoot(page, `${label}-${name}`);
    }
    await ctx.close();
  }
});

test('no console errors and no CSP violations on any page visited', async () => {
  // also the error page and a page of every kind not visited yet
  const ctx = await context();
  const page = await ctx.newPage();
  await open(page, '/no-such-page');
  assert.equal(await page.locator('main').count(), 1, 'the 404 page uses the layout');
  await ctx.close();
  assert.ok(visited.size >= 8, `pages visited: ${visited.size}`);
  assert.deepEqual(problems, []);
});
