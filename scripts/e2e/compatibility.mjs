#!/usr/bin/env node
// The README's compatibility table, rendered from docs/compatibility.json (which a full run of
// `npm run test:e2e` writes from what the matrix ran). `node scripts/e2e/compatibility.mjs`
// rewrites the table between the markers; `--check` exits 1 when the README is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const COMPAT_FILE = 'docs/compatibility.json';
export const START =
	'<!-- compatibility-table:start (generated from docs/compatibility.json by `npm run test:e2e`) -->';
export const END = '<!-- compatibility-table:end -->';

const PATH_LABELS = {
	editor: 'n8n UI (Settings → Community Nodes)',
	manual: 'manual `npm install` in `~/.n8n/nodes`',
};

function mark(result) {
	return result === 'pass' ? '✅' : '❌';
}

export function renderTable(compat) {
	const lines = [
		'| n8n | its n8n-workflow | Node.js | install paths | end-to-end tests |',
		'|---|---|---|---|---|',
	];
	for (const e of compat.entries) {
		const paths = e.installPaths.length
			? e.installPaths.map((p) => `${mark(p.result)} ${PATH_LABELS[p.path] ?? p.path}`).join('<br>')
			: 'not run';
		const tests = e.result === 'pass' ? '✅ all pass' : '❌ failures';
		lines.push(`| ${e.n8n} | ${e.n8nWorkflow} | ${e.node} | ${paths} | ${tests} |`);
	}
	return lines.join('\n');
}

/** The README with the table replaced; throws when the markers are missing. */
export function readmeWithTable(readme, compat) {
	const start = readme.indexOf(START);
	const end = readme.indexOf(END);
	if (start < 0 || end < start) throw new Error(`README.md lacks the markers ${START} … ${END}`);
	return `${readme.slice(0, start + START.length)}\n${renderTable(compat)}\n${readme.slice(end)}`;
}

export function loadCompat() {
	return JSON.parse(readFileSync(path.join(root, COMPAT_FILE), 'utf8'));
}

/** Rewrites README.md's table from `compat`; returns whether the file changed. */
export function renderReadme(compat = loadCompat()) {
	const file = path.join(root, 'README.md');
	const before = readFileSync(file, 'utf8');
	const after = readmeWithTable(before, compat);
	if (after !== before) writeFileSync(file, after);
	return after !== before;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	if (process.argv.includes('--check')) {
		const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
		if (readmeWithTable(readme, loadCompat()) !== readme) {
			console.error(
				'README.md compatibility table differs from docs/compatibility.json: run node scripts/e2e/compatibility.mjs',
			);
			process.exit(1);
		}
		console.log('README.md compatibility table matches docs/compatibility.json');
	} else {
		console.log(
			renderReadme() ? 'README.md table rewritten' : 'README.md table already up to date',
		);
	}
}
