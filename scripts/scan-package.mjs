#!/usr/bin/env node
// Runs n8n's community-package scanner rules (@n8n/scan-community-package) offline: over the
// tarball `npm pack` produces and over the source tree, the two legs the published scanner runs.
// The published CLI also downloads the package and checks its npm provenance; both need the public
// registry and a published version, so they run only after `npm publish` (see README).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import {
	analyzePackage,
	SOURCE_FILE_PATTERNS,
} from '@n8n/scan-community-package/scanner/scanner.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(path.join(tmpdir(), 'dnsfilter-scan-'));
try {
	execFileSync('npm', ['pack', '--silent', '--pack-destination', work], {
		cwd: root,
		stdio: ['ignore', 'ignore', 'inherit'],
	});
	const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
	execFileSync('tar', ['-xzf', path.join(work, tarball), '-C', work]);
	const packageDir = path.join(work, 'package');

	const legs = [
		[
			'packed tarball (dist/**/*.js, package.json)',
			await analyzePackage(packageDir, ['**/*.js', 'package.json']),
		],
		[
			'source (package.json, nodes/, credentials/)',
			await analyzePackage(root, SOURCE_FILE_PATTERNS),
		],
	];
	let failed = false;
	for (const [name, result] of legs) {
		console.log(
			`${result.passed ? 'passed' : 'FAILED'}: ${name}${result.message ? ` — ${result.message}` : ''}`,
		);
		if (!result.passed) {
			failed = true;
			if (result.details) console.log(result.details);
		}
	}
	process.exitCode = failed ? 1 : 0;
} finally {
	rmSync(work, { recursive: true, force: true });
}
