// benign.test.mjs - rich, harmless article markup survives `tidings
// sanitize`: the elements a news article needs are kept (counted in the
// DOM Chromium builds from the output) and the reader sees the same text.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { articlePage, launchBrowser, sanitize, startServer } from './sanitize-lib.mjs';

const BASE = 'https://news.example/2024/03/budget.html';

// A feed item as a real CMS would publish it: classes, ids, styles,
// wrappers, lazy images, share widgets and a tracking pixel around the
// content.
const ARTICLE = `
<div class="entry-content" id="post-42" style="font-size:16px">
<h1 class="title">Budget passes after all-night session</h1>
<p class="lead"><strong>Lawmakers</strong> approved the <em>2024 budget</em> early on
Friday, ending a <a href="/tags/politics" class="tag">three-week standoff</a>.
Read the <a href="https://gov.example/budget.pdf" target="_blank">full text (PDF)</a>.</p>
<h2 id="what">What changes</h2>
<ul class="list">
  <li>Schools get <b>4%</b> more.</li>
  <li>Transit fares stay flat<ul><li>for students, fares drop</li></ul></li>
  <li>A new <abbr title="Value Added Tax">VAT</abbr> band of 7&nbsp;%</li>
</ul>
<ol start="2" reversed><li>Second point</li><li>First point</li></ol>
<blockquote cite="https://gov.example/speech"><p>&ldquo;This is a budget for everyone,&rdquo; the minister said.</p></blockquote>
<p>She quoted <q>the people&rsquo;s will</q> and cited <cite>The Charter</cite>.</p>
<figure class="wp-block-image">
  <picture>
    <source srcset="/img/vote.avif 1x, /img/vote@2x.avif 2x" type="image/avif">
    <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="/img/vote.jpg" alt="The vote in the chamber" width="800" height="450" class="lazyload">
  </picture>
  <figcaption>The final vote, 61&ndash;39. <small>Photo: Parliament</small></figcaption>
</figure>
<table class="data">
  <caption>Spending by area</caption>
  <thead><tr><th scope="col">Area</th><th scope="col">2023</th><th scope="col">2024</th></tr></thead>
  <tbody>
    <tr><td>Schools</td><td>10.0</td><td>10.4</td></tr>
    <tr><td>Transit</td><td>5.0</td><td>5.0</td></tr>
  </tbody>
  <tfoot><tr><td colspan="3">Figures in billions</td></tr></tfoot>
</table>
<h3>How it was counted</h3>
<pre><code>total = sum(area.spend for area in budget)
print(total)</code></pre>
<p>Run <kbd>make</kbd> to rebuild; H<sub>2</sub>O and x<sup>2</sup> render fine.</p>
<dl><dt>Quorum</dt><dd>Half the members plus one.</dd></dl>
<figure><video src="/media/session.mp4" poster="/media/poster.jpg" width="640" height="360" autoplay>
  <track src="/media/session.vtt" kind="captions" srclang="en" label="English"></video>
<figcaption>Highlights of the session.</figcaption></figure>
<p><audio controls src="/media/interview.mp3"></audio></p>
<p>Updated <time datetime="2024-03-01T06:00:00Z">March 1</time>. <del>Earlier figure: 58&ndash;42.</del> <ins>Corrected.</ins></p>
<hr>
<p>Contact <a href="mailto:desk@news.example">the desk</a>.</p>
<div class="sharedaddy"><a href="https://social.example/share?u=x"><img src="https://social.example/icon.png" width="16" height="16" alt="Share"></a></div>
<img src="https://pixel.wp.com/g.gif?blog=1" width="1" height="1" alt="">
<script>trackPageView();</script>
</div>`;

// What a reader must find in the page, in this order.
const TEXT = [
  'Budget passes after all-night session',
  'Lawmakers approved the 2024 budget early on Friday, ending a three-week standoff. Read the full text (PDF).',
  'What changes',
  'Schools get 4% more.',
  'Transit fares stay flat',
  'for students, fares drop',
  'A new VAT band of 7\u00a0%',
  'Second point',
  '\u201cThis is a budget for everyone,\u201d the minister said.',
  'She quoted the people\u2019s will and cited The Charter.', // q's quotes are CSS
  'The final vote, 61\u201339. Photo: Parliament',
  'Spending by area',
  'Schools\t10.0\t10.4',
  'Figures in billions',
  'How it was counted',
  'total = sum(area.spend for area in budget)\nprint(total)',
  'Run make to rebuild; H2O and x2 render fine.',
  'Quorum',
  'Half the members plus one.',
  'Highlights of the session.',
  'Updated March 1. Earlier figure: 58\u201342. Corrected.',
  'Contact the desk.',
];

// Elements the sanitized article must contain, with their counts.
const COUNTS = {
  h2: 2, h3: 1, p: 7, strong: 1, em: 1, b: 1, a: 4, ul: 2, ol: 1, li: 6,
  abbr: 1, blockquote: 1, q: 1, cite: 1, figure: 2, figcaption: 2,
  picture: 1, source: 1, img: 2, small: 1, table: 1, caption: 1,
  thead: 1, tbody: 1, tfoot: 1, tr: 4, th: 3, td: 7, pre: 1, code: 1,
  kbd: 1, sub: 1, sup: 1, dl: 1, dt: 1, dd: 1, video: 1, track: 1,
  audio: 1, time: 1, del: 1, ins: 1, hr: 1, div: 1,
};

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

test('a rich article keeps its structure, text, media and links', async () => {
  const out = sanitize(Buffer.from(ARTICLE, 'utf8'), BASE);
  // the output is a fixed point
  assert.equal(sanitize(Buffer.from(out, 'utf8'), BASE), out);

  server.pages.set('/article', articlePage('Budget', [out]));
  const page = await chrome.context.newPage();
  await page.route('**/*', (route) =>
    route.request().url().startsWith(server.origin) ? route.continue() : route.abort());
  await page.goto(`${server.origin}/article`, { waitUntil: 'load' });
  const got = await page.evaluate((tags) => {
    const c = document.querySelector('div.content');
    const counts = {};
    for (const t of tags) counts[t] = c.querySelectorAll(t).length;
    const all = new Set(Array.from(c.querySelectorAll('*'), (e) => e.tagName.toLowerCase()));
    const attrs = new Set();
    for (const e of c.querySelectorAll('*')) for (const a of e.attributes) attrs.add(a.name);
    return {
      counts,
      tags: [...all].sort(),
      attrs: [...attrs].sort(),
      text: c.innerText,
      links: Array.from(c.querySelectorAll('a'), (a) => [a.getAttribute('href'), a.rel]),
      imgs: Array.from(c.querySelectorAll('img'), (i) => [i.getAttribute('src'), i.loading, i.alt, i.getAttribute('width'), i.getAttribute('height')]),
      srcset: c.querySelector('source')?.getAttribute('srcset'),
      video: (() => { const v = c.querySelector('video'); return v && [v.getAttribute('src'), v.getAttribute('poster'), v.controls, v.autoplay]; })(),
      audio: c.querySelector('audio')?.controls,
    };
  }, Object.keys(COUNTS));
  await page.close();

  assert.deepEqual(got.counts, COUNTS);
  // nothing else
  assert.deepEqual(got.tags.filter((t) => !(t in COUNTS)), []);
  assert.deepEqual(got.attrs.filter((a) => !['href', 'rel', 'title', 'src', 'srcset', 'alt',
    'width', 'height', 'loading', 'cite', 'start', 'reversed', 'type', 'scope', 'colspan',
    'poster', 'controls', 'kind', 'srclang', 'label', 'datetime'].includes(a)), []);

  // the text a reader sees, block by block, in order
  const text = got.text.replace(/[ \t]*\n[ \t]*/g, '\n');
  let at = 0;
  for (const want of TEXT) {
    const i = text.indexOf(want, at);
    assert.ok(i >= 0, `missing or out of order: ${JSON.stringify(want)}\nin:\n${text}`);
    at = i + want.length;
  }
  for (const gone of ['trackPageView', 'Share']) assert.ok(!text.includes(gone), gone);

  // links resolved against the base, with rel; mailto kept
  assert.deepEqual(got.links, [
    ['https://news.example/tags/politics', 'noopener noreferrer nofollow'],
    ['https://gov.example/budget.pdf', 'noopener noreferrer nofollow'],
    ['mailto:desk@news.example', 'noopener noreferrer nofollow'],
    ['https://social.example/share?u=x', 'noopener noreferrer nofollow'],
  ]);
  // lazy image promoted, resolved, dimensions kept; tracking pixel gone
  assert.deepEqual(got.imgs[0], ['https://news.example/img/vote.jpg', 'lazy', 'The vote in the chamber', '800', '450']);
  assert.equal(got.imgs[1][0], 'https://social.example/icon.png');
  assert.ok(!got.imgs.some(([s]) => s.includes('pixel.wp.com')));
  assert.equal(got.srcset, 'https://news.example/img/vote.avif 1x, https://news.example/img/vote@2x.avif 2x');
  assert.deepEqual(got.video, ['https://news.example/media/session.mp4', 'https://news.example/media/poster.jpg', true, false]);
  assert.equal(got.audio, true);
});
