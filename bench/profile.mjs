#!/usr/bin/env node
// Where one engine side's CPU goes: runs bench/client.mjs against a local server with the measured
// part CPU-profiled (warm-up and module loading left out), then sums self time by package
// (n8n-core, n8n-workflow, axios, this package, node internals …) and by function. Diagnosis only;
// not part of `npm run bench`; the profile stays in bench/.tmp/profiles/ for Chrome DevTools.
//   node bench/profile.mjs requests|returnAll node|httpRequest [count]
//   PROFILE_CONCURRENCY=5 sets the node's Items in Parallel; PROFILE_TOP=100 lists more functions.
//   PROFILE_WARMUP=0 profiles a cold start (default: 200 requests first).
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

import { benchDir, benchEnv, root, tmpDir } from './lib.mjs';
import { findN8nModules } from './n8n-install.mjs';
import { startPagedServer, startRecordServer } from './servers.mjs';

const [scenario = 'requests', side = 'node', countArg] = process.argv.slice(2);
const count = Number(countArg ?? (scenario === 'requests' ? 3000 : 50_000));
const profileDir = path.join(tmpDir, 'profiles', `${scenario}-${side}`);
rmSync(profileDir, { recursive: true, force: true });
mkdirSync(profileDir, { recursive: true });

const server =
	scenario === 'requests' ? await startRecordServer() : await startPagedServer({ total: count });
const profileFile = path.join(profileDir, `${scenario}-${side}.cpuprofile`);
const options = {
	scenario,
	side,
	url: server.url,
	count,
	concurrency: process.env.PROFILE_CONCURRENCY
		? Number(process.env.PROFILE_CONCURRENCY)
		: undefined,
	warmup: Number(process.env.PROFILE_WARMUP ?? 200),
	n8nModules: findN8nModules(),
	profile: profileFile,
};
const code = await new Promise((resolve) => {
	const proc = spawn(
		process.execPath,
		['--expose-gc', path.join(benchDir, 'client.mjs'), JSON.stringify(options)],
		{
			cwd: root,
			env: benchEnv(),
			stdio: ['ignore', 'inherit', 'inherit'],
		},
	);
	proc.on('close', resolve);
});
await server.close();
if (code !== 0) process.exit(code ?? 1);

const profile = JSON.parse(readFileSync(profileFile, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map();
for (let i = 0; i < profile.samples.length; i++)
	selfUs.set(
		profile.samples[i],
		(selfUs.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0),
	);
const packageOf = (url) => {
	if (!url) return '(native / gc / idle)';
	if (url.startsWith('node:')) return 'node internals';
	const modules = url.lastIndexOf('node_modules/');
	if (modules >= 0) {
		const rest = url.slice(modules + 'node_modules/'.length).split('/');
		return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
	}
	if (url.includes('/dist/')) return 'this package (dist)';
	if (url.includes('/bench/') || url.includes('/test/')) return 'bench harness';
	return url;
};
const byPackage = new Map();
const byFunction = new Map();
let total = 0;
for (const [id, us] of selfUs) {
	const { callFrame } = byId.get(id);
	total += us;
	const pkg = packageOf(callFrame.url);
	byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
	const fn = `${callFrame.functionName || '(anonymous)'}  ${pkg}:${path.basename(callFrame.url || '')}:${callFrame.lineNumber + 1}`;
	byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
}
const top = (map, n) =>
	[...map]
		.sort((a, b) => b[1] - a[1])
		.slice(0, n)
		.map(
			([name, us]) =>
				`${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${name}`,
		)
		.join('\n');
console.log(
	`\n${scenario} / ${side}: ${(total / 1000).toFixed(0)} ms of samples (the measured part only)\n\nBy package:\n${top(byPackage, 15)}\n\nBy function (self time):\n${top(byFunction, Number(process.env.PROFILE_TOP ?? 30))}`,
);
