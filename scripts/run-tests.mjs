#!/usr/bin/env node
// `npm test`: builds, then runs every test/*.test.mjs with node's test runner against dist/.
// n8n-core writes an instance config on first use; keep it inside the project, not in $HOME.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const userFolder = path.join(root, 'test', '.tmp', 'n8n');
mkdirSync(userFolder, { recursive: true });

const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const only = process.argv.slice(2);
const files = only.length
	? only
	: readdirSync(path.join(root, 'test'))
			.filter((name) => name.endsWith('.test.mjs'))
			.sort()
			.map((name) => path.join('test', name));

const result = spawnSync(
	process.execPath,
	['--test', '--test-timeout=600000', '--test-concurrency=2', ...files],
	{
		cwd: root,
		stdio: 'inherit',
		env: {
			...process.env,
			N8N_USER_FOLDER: userFolder,
			N8N_ENCRYPTION_KEY: 'dnsfilter-node-tests-only',
			N8N_DIAGNOSTICS_ENABLED: 'false',
		},
	},
);
process.exit(result.status ?? 1);
