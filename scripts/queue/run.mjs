#!/usr/bin/env node
// `npm run test:queue`: build, install (or reuse) Node 24 + n8n 2.41.1 in the e2e cache, install
// Debian's redis-server and postgresql when missing, then run test/queue/*.test.mjs. The tests start
// and stop their own Redis, Postgres, n8n main and workers on 127.0.0.1.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

import { ensureN8n, repoRoot } from '../e2e/install-n8n.mjs';
import { ensureServicePackages } from './services.mjs';

const t0 = Date.now();
const secs = () => `${Math.round((Date.now() - t0) / 1000)} s`;

console.log('[test:queue] build');
const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: repoRoot, stdio: 'inherit', timeout: 10 * 60_000 });
if (build.status !== 0) {
	console.error(`[test:queue] build failed (${build.status ?? build.signal})`);
	process.exit(build.status || 1);
}

console.log(`[test:queue] n8n, redis-server, postgresql (${secs()})`);
try {
	await ensureN8n();
	ensureServicePackages();
} catch (error) {
	console.error(`[test:queue] setup failed: ${error.message}`);
	process.exit(1);
}

const only = process.argv.slice(2);
const files = only.length
	? only
	: readdirSync(path.join(repoRoot, 'test', 'queue'))
			.filter((name) => name.endsWith('.test.mjs'))
			.sort()
			.map((name) => path.join('test', 'queue', name));

console.log(`[test:queue] tests (${secs()}): ${files.join(' ')}`);
const timeoutMs = Number(process.env.DNSFILTER_QUEUE_TEST_TIMEOUT_MS || 25 * 60_000);
const result = spawnSync(
	process.execPath,
	['--test', `--test-timeout=${timeoutMs}`, '--test-concurrency=1', '--test-reporter=spec', ...files],
	{ cwd: repoRoot, stdio: 'inherit', timeout: timeoutMs + 60_000, killSignal: 'SIGKILL' },
);
console.log(`[test:queue] finished in ${secs()} (exit ${result.status ?? result.signal})`);
process.exit(result.status ?? 1);
