#!/usr/bin/env node
// Fails (exit 1) when nodes/DnsFilter/generated/ or the operations table (docs/operations.md) differ from what
// the generator produces now, or when the stored-names lock lacks names the generator would add:
// regenerates into a temp dir and compares bytes. A stored name that would break fails too.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
	DEFAULT_OUT_DIR,
	DEFAULT_README,
	LOCATOR_REPORT,
	generate,
	StoredNamesError,
	writeOutput,
} from './generate.mjs';
import { DEFAULT_LOCK_PATH, lockText } from './generator/storedNames.mjs';

function listFiles(dir, prefix = '') {
	if (!existsSync(dir)) return [];
	const out = [];
	for (const name of readdirSync(dir).sort()) {
		const full = path.join(dir, name);
		const relative = prefix ? `${prefix}/${name}` : name;
		if (statSync(full).isDirectory()) out.push(...listFiles(full, relative));
		else out.push(relative);
	}
	return out;
}

const specArg = process.argv[2];
const readmeText = existsSync(DEFAULT_README) ? readFileSync(DEFAULT_README, 'utf8') : undefined;
let generated;
try {
	generated = generate({
		...(specArg
			? { specPath: path.resolve(specArg) }
			: process.env.DNSFILTER_OPENAPI
				? { specPath: process.env.DNSFILTER_OPENAPI }
				: {}),
		readmeText,
	});
} catch (error) {
	if (!(error instanceof StoredNamesError)) throw error;
	console.error(error.message);
	process.exit(1);
}
const { files, readme, lock, locatorReport } = generated;
const temp = mkdtempSync(path.join(os.tmpdir(), 'dnsfilter-generated-'));
try {
	writeOutput(temp, files);
	const expected = listFiles(temp);
	const actual = listFiles(DEFAULT_OUT_DIR);
	const problems = [];
	for (const file of expected) {
		const committed = path.join(DEFAULT_OUT_DIR, file);
		if (!existsSync(committed)) problems.push(`missing: nodes/DnsFilter/generated/${file}`);
		else if (!readFileSync(committed).equals(readFileSync(path.join(temp, file))))
			problems.push(`differs: nodes/DnsFilter/generated/${file}`);
	}
	for (const file of actual)
		if (!expected.includes(file)) problems.push(`stale: nodes/DnsFilter/generated/${file}`);
	if (readmeText !== undefined && readme !== readmeText)
		problems.push('differs: docs/operations.md (operations table)');
	if (!existsSync(LOCATOR_REPORT) || readFileSync(LOCATOR_REPORT, 'utf8') !== locatorReport.text)
		problems.push('differs: docs/locators.md (record pickers)');
	if (!existsSync(DEFAULT_LOCK_PATH) || readFileSync(DEFAULT_LOCK_PATH, 'utf8') !== lockText(lock))
		problems.push('differs: scripts/generator/stored-names.lock.json');
	if (problems.length) {
		console.error(
			`Generated files are out of date; run \`npm run generate\`:\n  ${problems.join('\n  ')}`,
		);
		process.exitCode = 1;
	} else {
		console.log(`Generated files are up to date (${expected.length} files).`);
	}
} finally {
	rmSync(temp, { recursive: true, force: true });
}
