// The shape every real-n8n tier runner shares (`test:browser`, `test:queue`): build, make sure
// what the tier needs is installed (n8n in the e2e cache, Debian packages), then run the tier's
// test files, or the ones named on the command line, with node's test runner, one at a time.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

import { repoRoot } from './e2e/install-n8n.mjs';

/**
 * `tier`: the npm script's name (log prefix); `folder`: the tests under test/; `setupLabel` and
 * `setup(log)`: what is installed before the tests; `timeoutMs`: the whole test run's bound.
 * Exits the process with the test runner's status.
 */
export async function runTier({ tier, folder, setupLabel, setup, timeoutMs }) {
	const t0 = Date.now();
	const secs = () => `${Math.round((Date.now() - t0) / 1000)} s`;
	const log = (message) => console.log(`[${tier}] ${message}`);

	log('build');
	const build = spawnSync('npm', ['run', '--silent', 'build'], {
		cwd: repoRoot,
		stdio: 'inherit',
		timeout: 10 * 60_000,
	});
	if (build.status !== 0) {
		console.error(`[${tier}] build failed (${build.status ?? build.signal})`);
		process.exit(build.status || 1);
	}

	try {
		log(`${setupLabel} (${secs()})`);
		await setup(log);
	} catch (error) {
		console.error(`[${tier}] setup failed: ${error.message}`);
		process.exit(1);
	}

	const only = process.argv.slice(2);
	const files = only.length
		? only
		: readdirSync(path.join(repoRoot, 'test', folder))
				.filter((name) => name.endsWith('.test.mjs'))
				.sort()
				.map((name) => path.join('test', folder, name));

	log(`tests (${secs()}): ${files.join(' ')}`);
	const result = spawnSync(
		process.execPath,
		[
			'--test',
			`--test-timeout=${timeoutMs}`,
			'--test-concurrency=1',
			'--test-reporter=spec',
			...files,
		],
		{ cwd: repoRoot, stdio: 'inherit', timeout: timeoutMs + 60_000, killSignal: 'SIGKILL' },
	);
	log(`finished in ${secs()} (exit ${result.status ?? result.signal})`);
	process.exit(result.status ?? 1);
}
