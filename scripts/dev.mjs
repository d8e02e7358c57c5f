#!/usr/bin/env node
// `npm run dev`: the local loop. n8n (the end-to-end tier's 2.41.1, installed into its cache if
// missing) with this package installed from the checkout's dist/, copied again and hot-reloaded
// whenever `tsc --watch` rebuilds it, against the DNSFilter stand-in on 127.0.0.1 (sample API keys,
// networks and query logs), with a "DNSFilter account" credential for it and the examples imported.
// The user folder is <tmp>/dnsfilter-dev, rebuilt on every start; Ctrl-C stops all.
//   DEV_PORT=5678 sets n8n's port.
import { spawn, spawnSync } from 'node:child_process';
import {
	copyFileSync,
	cpSync,
	existsSync,
	mkdirSync,
	readdirSync,
	rmSync,
	statSync,
	watch,
	writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
	CREDENTIAL_NAME,
	CREDENTIAL_TYPE,
	loadExample,
	makeFakeJwt,
	n8nBin,
	n8nEnv,
	nodeBin,
	PACKAGE_NAME,
	repoRoot,
} from './e2e/harness.mjs';
import { freePort } from '../test/support/free-port.mjs';
import { startStandIn } from '../test/e2e/standin.mjs';

const run = (cmd, args, options = {}) => {
	const result = spawnSync(cmd, args, { cwd: repoRoot, stdio: 'inherit', ...options });
	if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${result.status}`);
};

if (!existsSync(nodeBin) || !existsSync(n8nBin)) {
	console.log('dev: installing n8n into the end-to-end cache (once, a few minutes)…');
	run(process.execPath, ['scripts/e2e/install-n8n.mjs']);
}
run('npm', ['run', 'build', '--silent']);

// Outside the checkout: n8n scans its custom folder, and a link back into the repository (which
// holds node_modules and this folder) would send it round in circles.
const userFolder = path.join(os.tmpdir(), 'dnsfilter-dev');
rmSync(userFolder, { recursive: true, force: true });
// Installed where n8n keeps community packages, so its node types are the ones the examples and
// saved workflows name (n8n-nodes-dnsfilter.*; a custom folder would name them CUSTOM.*). A real
// folder, not a link: n8n's hot reload watches the package folder and does not follow links.
const packageDir = path.join(userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME);
mkdirSync(packageDir, { recursive: true });
copyFileSync(path.join(repoRoot, 'package.json'), path.join(packageDir, 'package.json'));
const distDir = path.join(repoRoot, 'dist');
cpSync(distDir, path.join(packageDir, 'dist'), { recursive: true });
// A key the stand-in accepts; it expires in a day, like a short-lived test key.
const apiKey = makeFakeJwt({ sub: 'dev-user', exp: Math.floor(Date.now() / 1000) + 86_400 });
const standIn = await startStandIn({ apiKey });
const port = Number(process.env.DEV_PORT ?? 5678);
const env = {
	...n8nEnv({ userFolder, port, brokerPort: await freePort() }),
	N8N_DEV_RELOAD: 'true',
	N8N_LOG_LEVEL: 'info',
};
const n8n = (args) =>
	run(nodeBin, [n8nBin, ...args], { cwd: userFolder, env, stdio: ['ignore', 'ignore', 'inherit'] });

const credentialId = 'dnsfilterDevCred01';
const credentialsFile = path.join(userFolder, 'credentials.json');
writeFileSync(
	credentialsFile,
	JSON.stringify([
		{
			id: credentialId,
			name: CREDENTIAL_NAME,
			type: CREDENTIAL_TYPE,
			data: { apiKey, baseUrl: standIn.url },
		},
	]),
);
n8n(['import:credentials', `--input=${credentialsFile}`]);
const workflows = path.join(userFolder, 'examples');
mkdirSync(workflows);
readdirSync(path.join(repoRoot, 'examples'))
	.filter((file) => file.endsWith('.json'))
	.forEach((file, i) =>
		writeFileSync(
			path.join(workflows, file),
			JSON.stringify(
				loadExample(file, { id: `dnsfilterDevWf${String(i).padStart(2, '0')}`, credentialId }),
			),
		),
	);
n8n(['import:workflow', '--separate', `--input=${workflows}`]);

const children = [
	spawn(
		path.join(repoRoot, 'node_modules', '.bin', 'tsc'),
		['-p', 'tsconfig.json', '--watch', '--preserveWatchOutput'],
		{ cwd: repoRoot, stdio: 'inherit' },
	),
	spawn(nodeBin, [n8nBin, 'start'], { cwd: userFolder, env, stdio: 'inherit' }),
];
// What tsc rewrites goes on to the installed copy, a moment after the last write of a rebuild.
// Only the files it rewrote: n8n reloads 100 ms after the last change, so a copy of all of dist/
// would be read half-written.
const changed = new Set();
let copyTimer;
watch(distDir, { recursive: true }, (event, file) => {
	if (file) changed.add(file);
	clearTimeout(copyTimer);
	copyTimer = setTimeout(() => {
		for (const relative of changed) {
			const from = path.join(distDir, relative);
			if (existsSync(from) && !statSync(from).isDirectory())
				cpSync(from, path.join(packageDir, 'dist', relative));
		}
		changed.clear();
	}, 300);
});
console.log(
	`dev: DNSFilter stand-in at ${standIn.url}; n8n at http://127.0.0.1:${port} (create the owner on first visit); edits rebuild and reload the node.`,
);
const stop = async () => {
	for (const child of children) child.kill('SIGTERM');
	await standIn.close();
	process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
for (const child of children) child.on('exit', (code) => code && code !== 0 && stop());
