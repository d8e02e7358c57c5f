#!/usr/bin/env node
// Replaces the DNSFilter document the node is generated from and regenerates. The new document
// (a URL or a file) is checked first: when a name saved workflows hold would break, the diff is
// printed, nothing is written and the exit code is 1.
//
//   npm run spec:update -- <url or file> [--spec <document to replace>] [--out <dir>] [--readme <file>|--no-readme] [--lock <file>] [--aliases <file>]
//
// The replaced document is the one the generator reads: --spec, else DNSFILTER_OPENAPI, else
// ../shared/dnsfilter/openapi.json (the project's input, outside the repository).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { DEFAULT_OUT_DIR, DEFAULT_README, run } from './generate.mjs';
import { diffDocuments, formatDiff } from './spec-diff.mjs';
import { DEFAULT_ALIASES_PATH, DEFAULT_LOCK_PATH } from './generator/storedNames.mjs';
import { DEFAULT_SPEC_PATH } from './generator/spec.mjs';

async function readSource(source) {
	if (/^https?:\/\//i.test(source)) {
		const response = await fetch(source);
		if (!response.ok) throw new Error(`Could not download ${source}: HTTP ${response.status}`);
		return await response.text();
	}
	return readFileSync(path.resolve(source), 'utf8');
}

/** Parses the new document and checks it is an OpenAPI document with paths, before anything is replaced. */
export function parseDocument(text, source) {
	let document;
	try {
		document = JSON.parse(text);
	} catch (error) {
		throw new Error(`${source} is not JSON: ${error.message}`);
	}
	if (
		typeof document?.openapi !== 'string' ||
		!document.paths ||
		typeof document.paths !== 'object'
	) {
		throw new Error(`${source} is not an OpenAPI document (it needs "openapi" and "paths")`);
	}
	return document;
}

export async function updateSpec({ source, specPath, outDir, readme, lockPath, aliasesPath }) {
	const text = await readSource(source);
	parseDocument(text, source);
	const staging = mkdtempSync(path.join(os.tmpdir(), 'dnsfilter-spec-update-'));
	try {
		const staged = path.join(staging, 'openapi.json');
		writeFileSync(staged, text);
		const diff = diffDocuments({ fromPath: specPath, toPath: staged, lockPath, aliasesPath });
		const report = formatDiff({ ...diff, toPath: source });
		if (diff.breaks.length) return { updated: false, diff, report };
		writeFileSync(specPath, text);
		const result = run({ specPath, outDir, readme, lockPath, aliasesPath });
		return { updated: true, diff, report, result };
	} finally {
		rmSync(staging, { recursive: true, force: true });
	}
}

function parseArgs(argv) {
	const args = {
		specPath: process.env.DNSFILTER_OPENAPI || DEFAULT_SPEC_PATH,
		outDir: DEFAULT_OUT_DIR,
		readme: DEFAULT_README,
		lockPath: DEFAULT_LOCK_PATH,
		aliasesPath: DEFAULT_ALIASES_PATH,
	};
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === '--spec') args.specPath = path.resolve(argv[++i]);
		else if (arg === '--out') args.outDir = path.resolve(argv[++i]);
		else if (arg === '--readme') args.readme = path.resolve(argv[++i]);
		else if (arg === '--no-readme') args.readme = undefined;
		else if (arg === '--lock') args.lockPath = path.resolve(argv[++i]);
		else if (arg === '--aliases') args.aliasesPath = path.resolve(argv[++i]);
		else if (arg.startsWith('--')) throw new Error(`Unknown option ${arg}`);
		else args.source = arg;
	}
	if (!args.source)
		throw new Error(
			'Usage: npm run spec:update -- <url or file> [--spec <document to replace>] [--out <dir>] [--no-readme] [--lock <file>] [--aliases <file>]',
		);
	return args;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const outcome = await updateSpec(parseArgs(process.argv.slice(2)));
	process.stdout.write(outcome.report);
	if (outcome.updated) {
		console.log(
			`\nReplaced the document and generated ${outcome.result.model.operations.length} operations. Run npm test and commit the generated files and the lock.`,
		);
	} else {
		console.error(
			'\nNothing was replaced: resolve the breaks above first (scripts/generator/stored-names.aliases.json, or a new node version).',
		);
		process.exitCode = 1;
	}
}
