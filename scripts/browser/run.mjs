#!/usr/bin/env node
// `npm run test:browser`: build, install (or reuse) Node 24 + n8n in the end-to-end cache, make
// sure Debian's Chromium is there, then run test/browser/*.test.mjs with node's test runner.
// Arguments are passed on as test files.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

import { ensureN8n, repoRoot } from '../e2e/install-n8n.mjs';
import { ensureChromium } from './chromium.mjs';

const t0 = Date.now();
const secs = () => `${Math.round((Date.now() - t0) / 1000)} s`;

console.log('[test:browser] build');
const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: repoRoot, stdio: 'inherit', timeout: 10 * 60_000 });
if (build.status !== 0) {
	console.error(`[test:browser] build failed (${build.status ?? build.signal})`);
	process.exit(build.status || 1);
}

try {
	console.log(`[test:browser] n8n (${secs()})`);
	await ensureN8n();
	console.log(`[test:browser] chromium (${secs()})`);
	console.log(`[test:browser] using ${ensureChromium()}`);
} catch (error) {
	console.error(`[test:browser] setup failed: ${error.message}`);
	process.exit(1);
}

const only = process.argv.slice(2);
const files = only.length
	? only
	: readdirSync(path.join(repoRoot, 'test', 'browser'))
			.filter((name) => name.endsWith('.test.mjs'))
			.sort()
			.map((name) => path.join('test', 'browser', name));

console.log(`[test:browser] tests (${secs()}): ${files.join(' ')}`);
const timeoutMs = Number(process.env.DNSFILTER_BROWSER_TEST_TIMEOUT_MS || 12 * 60_000);
const result = spawnSync(
	process.execPath,
	['--test', `--test-timeout=${timeoutMs}`, '--test-concurrency=1', '--test-reporter=spec', ...files],
	{ cwd: repoRoot, stdio: 'inherit', timeout: timeoutMs + 60_000, killSignal: 'SIGKILL' },
);
console.log(`[test:browser] finished in ${secs()} (exit ${result.status ?? result.signal})`);
process.exit(result.status ?? 1);
