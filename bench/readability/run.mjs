// run.mjs OUTDIR URL PAGE_DIR... - Readability.js (npm @mozilla/readability
// on jsdom) over every PAGE_DIR/source.html in one node process. Writes the
// article HTML to OUTDIR/<page>.html and prints "pages N seconds S" where S
// covers parsing and extraction only (node start-up and module loading are
// excluded). Used by bench/extract.sh as the reference extractor.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { JSDOM, VirtualConsole } from 'jsdom';
import { Readability } from '@mozilla/readability';

const [outdir, url, ...dirs] = process.argv.slice(2);
const quiet = new VirtualConsole(); // jsdom's CSS parse errors are noise
let total = 0n;
for (const dir of dirs) {
	const html = readFileSync(`${dir}/source.html`, 'utf8');
	const t0 = process.hrtime.bigint();
	let content = '';
	try {
		const dom = new JSDOM(html, { url, virtualConsole: quiet });
		const art = new Readability(dom.window.document).parse();
		content = art && art.content ? art.content : '';
		dom.window.close();
	} catch (e) {
		content = '';
	}
	total += process.hrtime.bigint() - t0;
	writeFileSync(`${outdir}/${basename(dir)}.html`, content);
}
console.log(`pages ${dirs.length} seconds ${(Number(total) / 1e9).toFixed(3)}`);
