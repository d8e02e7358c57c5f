#!/usr/bin/env node
// `npm run test:e2e`: build, install (or reuse) the matrix's Node + n8n pairs in the cache, then
// run test/e2e/*.test.mjs with node's test runner once per entry (DNSFILTER_E2E_TARGET tells the
// harness which). Entries: all of MATRIX, or $DNSFILTER_E2E_MATRIX (n8n versions, comma
// separated). Arguments are test files, run on the first selected entry only unless
// $DNSFILTER_E2E_MATRIX is set. Without them, the rows of the entries that ran are rewritten in
// docs/compatibility.json and the README table (under CI=true a difference fails the run: commit them).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import {
	MATRIX,
	ensureN8n,
	entryPaths,
	repoRoot,
	selectedEntries,
	cacheDir,
} from './install-n8n.mjs';
import { COMPAT_FILE, renderReadme } from './compatibility.mjs';

const t0 = Date.now();
const secs = (from = t0) => Math.round((Date.now() - from) / 1000);

/** On 1.x the tier runs what does not depend on 2.x-only features (MCP, the 2.x editor). */
const PORTABLE_TESTS = [
	'examples-static',
	'examples',
	'credential-test',
	'install-paths',
	'stop-during-wait',
];

const only = process.argv.slice(2);
const entries =
	only.length && !process.env.DNSFILTER_E2E_MATRIX
		? selectedEntries(MATRIX[0].n8n)
		: selectedEntries(process.env.DNSFILTER_E2E_MATRIX || 'all');

function testFiles(entry) {
	if (only.length) return only;
	const all = readdirSync(path.join(repoRoot, 'test', 'e2e'))
		.filter((name) => name.endsWith('.test.mjs'))
		.sort();
	const chosen =
		entry === MATRIX[0]
			? all
			: all.filter((name) => PORTABLE_TESTS.includes(name.replace(/\.test\.mjs$/, '')));
	return chosen.map((name) => path.join('test', 'e2e', name));
}

console.log(
	`[test:e2e] build; matrix: ${entries.map((e) => `n8n ${e.n8n} on Node ${e.node}`).join(', ')}`,
);
const build = spawnSync('npm', ['run', '--silent', 'build'], {
	cwd: repoRoot,
	stdio: 'inherit',
	timeout: 10 * 60_000,
});
if (build.status !== 0) {
	console.error(`[test:e2e] build failed (${build.status ?? build.signal})`);
	process.exit(build.status || 1);
}

// Installs are mostly download and disk: all entries install side by side, before any test runs.
console.log(`[test:e2e] n8n installs (${secs()} s)`);
const installStarted = Date.now();
try {
	await Promise.all(entries.map((entry) => ensureN8n(entry)));
} catch (error) {
	console.error(`[test:e2e] could not install n8n: ${error.message}`);
	process.exit(1);
}
const installSeconds = secs(installStarted);

const timeoutMs = Number(process.env.DNSFILTER_E2E_TEST_TIMEOUT_MS || 20 * 60_000);
const results = [];
for (const entry of entries) {
	const files = testFiles(entry);
	const started = Date.now();
	const reportFile = path.join(cacheDir, `report-${entry.n8n}.json`);
	mkdirSync(cacheDir, { recursive: true });
	console.log(
		`[test:e2e] n8n ${entry.n8n} on Node ${entry.node} (${secs()} s): ${files.join(' ')}`,
	);
	const result = spawnSync(
		process.execPath,
		[
			'--test',
			`--test-timeout=${timeoutMs}`,
			'--test-concurrency=1',
			'--test-reporter=spec',
			'--test-reporter-destination=stdout',
			'--test-reporter=./scripts/e2e/entry-reporter.mjs',
			`--test-reporter-destination=${reportFile}`,
			...files,
		],
		{
			cwd: repoRoot,
			stdio: 'inherit',
			timeout: timeoutMs + 60_000,
			killSignal: 'SIGKILL',
			env: { ...process.env, DNSFILTER_E2E_TARGET: entry.n8n },
		},
	);
	let report = { passed: [], failed: [] };
	try {
		report = JSON.parse(readFileSync(reportFile, 'utf8'));
	} catch {}
	const workflowPackage = JSON.parse(
		readFileSync(
			path.join(entryPaths(entry).n8nDir, 'node_modules', 'n8n-workflow', 'package.json'),
			'utf8',
		),
	);
	results.push({
		entry,
		status: result.status,
		seconds: secs(started),
		report,
		n8nWorkflow: workflowPackage.version,
	});
	console.log(
		`[test:e2e] n8n ${entry.n8n}: exit ${result.status ?? result.signal} in ${secs(started)} s`,
	);
}

const failed = results.filter((r) => r.status !== 0);
console.log(`[test:e2e] finished in ${secs()} s (installs ${installSeconds} s)`);
for (const r of results) {
	console.log(
		`  n8n ${r.entry.n8n} (n8n-workflow ${r.n8nWorkflow}) on Node ${r.entry.node}: ${r.status === 0 ? 'pass' : 'FAIL'} — ${r.report.passed.length} passed, ${r.report.failed.length} failed, ${r.seconds} s`,
	);
}

if (!only.length) {
	const file = path.join(repoRoot, COMPAT_FILE);
	let before = '';
	try {
		before = readFileSync(file, 'utf8');
	} catch {}
	// Rows of the entries that ran replace theirs; the others keep what their last run wrote.
	const previous = before ? JSON.parse(before).entries : [];
	const ran = new Map(
		results.map(({ entry, status, report, n8nWorkflow }) => [
			entry.n8n,
			{
				n8n: entry.n8n,
				n8nWorkflow,
				node: entry.node,
				installPaths: report.installPaths ?? [],
				// Outcomes only, no test counts: adding a test file must not change the table.
				result: status === 0 ? 'pass' : 'fail',
			},
		]),
	);
	const rows = MATRIX.map(
		(e) => ran.get(e.n8n) ?? previous.find((p) => p.n8n === e.n8n && p.node === e.node),
	);
	if (rows.every(Boolean)) {
		const compat = {
			note: 'Written by `npm run test:e2e` from what the matrix ran; the README table is rendered from it.',
			entries: rows,
		};
		const text = JSON.stringify(compat, null, 2) + '\n';
		if (text !== before) writeFileSync(file, text);
		const readmeChanged = renderReadme(compat);
		if (text !== before || readmeChanged) {
			console.log(
				`[test:e2e] the compatibility table changed: ${COMPAT_FILE} and README.md rewritten; commit them`,
			);
			if (process.env.CI === 'true' && !failed.length) process.exit(1);
		}
	} else {
		console.log(
			`[test:e2e] ${COMPAT_FILE} not written: run the whole matrix once (entries without a result: ${MATRIX.filter(
				(e, i) => !rows[i],
			)
				.map((e) => e.n8n)
				.join(', ')})`,
		);
	}
}
process.exit(failed.length ? 1 : 0);
