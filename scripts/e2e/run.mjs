#!/usr/bin/env node
// `npm run test:e2e`: build, install (or reuse) Node 24 + n8n in the cache, then run
// test/e2e/*.test.mjs with node's test runner. Arguments are passed on as test files.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

import { ensureN8n, repoRoot } from './install-n8n.mjs';

const t0 = Date.now();
const secs = () => `${Math.round((Date.now() - t0) / 1000)} s`;

console.log('[test:e2e] build');
const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: repoRoot, stdio: 'inherit', timeout: 10 * 60_000 });
if (build.status !== 0) {
	console.error(`[test:e2e] build failed (${build.status ?? build.signal})`);
	process.exit(build.status || 1);
}

console.log(`[test:e2e] n8n (${secs()})`);
try {
	await ensureN8n();
} catch (error) {
	console.error(`[test:e2e] could not install n8n: ${error.message}`);
	process.exit(1);
}

const only = process.argv.slice(2);
const files = only.length
	? only
	: readdirSync(path.join(repoRoot, 'test', 'e2e'))
			.filter((name) => name.endsWith('.test.mjs'))
			.sort()
			.map((name) => path.join('test', 'e2e', name));

console.log(`[test:e2e] tests (${secs()}): ${files.join(' ')}`);
const timeoutMs = Number(process.env.DNSFILTER_E2E_TEST_TIMEOUT_MS || 20 * 60_000);
const result = spawnSync(
	process.execPath,
	['--test', `--test-timeout=${timeoutMs}`, '--test-concurrency=1', '--test-reporter=spec', ...files],
	{ cwd: repoRoot, stdio: 'inherit', timeout: timeoutMs + 60_000, killSignal: 'SIGKILL' },
);
console.log(`[test:e2e] finished in ${secs()} (exit ${result.status ?? result.signal})`);
process.exit(result.status ?? 1);
