// End-to-end in a real n8n of the matrix: the packed package installs through each path a user has
// (that n8n version's own community-package installer, and the README's manual `npm install` in
// ~/.n8n/nodes) with the Node that n8n runs on, without building anything or pulling in an
// n8n-workflow of its own, and that n8n then loads and runs the node. The test names
// "install path: <how>" feed the README's compatibility table.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { installerMatches } from '../../scripts/e2e/community-install.mjs';
import {
	CREDENTIAL_NAME,
	CREDENTIAL_TYPE,
	NODE_TYPE,
	N8N_VERSION,
	NODE_VERSION,
	PACKAGE_NAME,
	TARGET,
	createInstance,
	log,
	makeFakeJwt,
	n8nBin,
	nodeOutput,
	packPackage,
	runStatus,
} from '../../scripts/e2e/harness.mjs';
import { loadOperations, operationById } from '../support/node-params.mjs';
import { startStandIn } from './standin.mjs';

const API_KEY = makeFakeJwt();
const CREDENTIAL_ID = 'dnsfE2eInstall01';
const WORKFLOW_ID = 'dnsfE2eInstallWf1';
const n8nPackageDir = path.resolve(path.dirname(n8nBin), '..');

let packDir;
let tarball;
let standIn;

function currentUserWorkflow() {
	const { resource, operation } = operationById(loadOperations(), 'V1_User_(Current)-show');
	return {
		id: WORKFLOW_ID,
		name: 'e2e: get current user',
		nodes: [
			{
				id: 'e2e-manual',
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: 'e2e-dnsfilter',
				name: 'Current user',
				type: NODE_TYPE,
				typeVersion: 1,
				position: [220, 0],
				parameters: { resource, operation },
				credentials: { [CREDENTIAL_TYPE]: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME } },
			},
		],
		connections: { Start: { main: [[{ node: 'Current user', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
		active: false,
	};
}

/** Every folder name under node_modules trees below `dir`. */
function installedNames(dir) {
	const names = [];
	const walk = (modules) => {
		if (!existsSync(modules)) return;
		for (const name of readdirSync(modules)) {
			if (name.startsWith('.')) continue;
			if (name.startsWith('@')) {
				for (const sub of readdirSync(path.join(modules, name))) {
					names.push(`${name}/${sub}`);
					walk(path.join(modules, name, sub, 'node_modules'));
				}
				continue;
			}
			names.push(name);
			walk(path.join(modules, name, 'node_modules'));
		}
	};
	walk(path.join(dir, 'node_modules'));
	return names;
}

/** Installs through `installPath` and checks what landed; `run`: also have n8n load and run the node. */
async function installAndRun(installPath, { run = true } = {}) {
	const instance = await createInstance({ tarball, installPath });
	try {
		const seconds = instance.installSteps.reduce((sum, step) => sum + step.durationMs, 0) / 1000;
		log(
			`${installPath} install on Node ${NODE_VERSION}: ${instance.installSteps.map((s) => s.command).join(' && ')} (${seconds.toFixed(1)} s)`,
		);
		const names = installedNames(instance.nodesDir);
		assert.deepEqual(
			names,
			[PACKAGE_NAME],
			`only the package itself is installed, no n8n-workflow or anything built: ${names.join(', ')}`,
		);
		const npmOutput = instance.installSteps.map((s) => `${s.stdout}\n${s.stderr}`).join('\n');
		assert.doesNotMatch(npmOutput, /gyp|prebuild|node-pre-gyp/i, 'nothing was built');
		assert.ok(seconds < 120, `the install took ${seconds} s`);
		if (!run) return;

		await instance.importCredentials([
			{
				id: CREDENTIAL_ID,
				name: CREDENTIAL_NAME,
				type: CREDENTIAL_TYPE,
				data: { apiKey: API_KEY, baseUrl: standIn.url },
			},
		]);
		await instance.importWorkflows([currentUserWorkflow()]);
		standIn.reset();
		const result = await instance.execute(WORKFLOW_ID);
		const tail = `${result.stdout.slice(-3000)}\n--- stderr ---\n${result.stderr.slice(-3000)}`;
		assert.equal(result.code, 0, `n8n execute exited ${result.code}\n${tail}`);
		assert.equal(runStatus(result.run), 'success', tail);
		const [user] = nodeOutput(result.run, 'Current user');
		assert.equal(
			user.email ?? user.attributes?.email ?? user.data?.attributes?.email,
			'msp-admin@example.com',
			JSON.stringify(user),
		);
		assert.equal(standIn.requests.length, 1);
		assert.equal(standIn.requests[0].authorized, true);
	} finally {
		await instance.cleanup();
	}
}

describe(
	`install paths on n8n ${N8N_VERSION} (Node ${NODE_VERSION})`,
	{ timeout: 10 * 60_000 },
	() => {
		before(async () => {
			packDir = mkdtempSync(path.join(os.tmpdir(), 'dnsfilter-e2e-pack-'));
			tarball = await packPackage(packDir);
			standIn = await startStandIn({ apiKey: API_KEY });
		});

		after(async () => {
			await standIn?.close();
			if (packDir) rmSync(packDir, { recursive: true, force: true });
		});

		test(`n8n ${N8N_VERSION} installs community packages the way the harness emulates (${TARGET.installer})`, () => {
			const file = installerMatches(n8nPackageDir, TARGET.installer);
			log(`installer checked in ${path.relative(n8nPackageDir, file)}`);
		});

		// The examples tier (examples.test.mjs, credential-test.test.mjs) loads and runs the node from
		// this same install path, so here only what the install leaves behind is checked.
		test('install path: editor', async () => {
			await installAndRun(TARGET.installer, { run: false });
		});

		test('install path: manual', async () => {
			await installAndRun('manual');
		});
	},
);
