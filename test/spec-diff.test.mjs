// `npm run spec:diff` and `npm run spec:update` on mutated temp copies of the DNSFilter document:
// the diff names each change and the saved-workflow values it would break; the update replaces
// the document and regenerates only when no stored name breaks, and never renames a locked one.
// Everything is written under a temp directory; the committed lock and output stay as they are.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { DEFAULT_LOCK_PATH, loadLock } from '../scripts/generator/storedNames.mjs';
import { DEFAULT_SPEC_PATH } from '../scripts/generator/spec.mjs';
import { mutatedSpec, originalSpec, renameTag, tempDir } from './support/spec-copies.mjs';
import { startStandIn, text } from './support/standin-server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LOCK = loadLock();
const temp = tempDir();
const NO_ALIASES = temp.file('no-aliases.json', { operations: {}, fields: {} });
let server;
before(async () => {
	server = await startStandIn();
});
after(async () => {
	await server?.close();
	temp.dispose();
});

function script(name, args, env = {}) {
	return spawnSync(process.execPath, [`scripts/${name}.mjs`, ...args], {
		cwd: root,
		encoding: 'utf8',
		env: { ...process.env, ...env },
		timeout: 120_000,
	});
}

/** As `script`, without blocking this process (whose stand-in the child downloads from). */
function scriptAsync(name, args, env = {}) {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [`scripts/${name}.mjs`, ...args], {
			cwd: root,
			env: { ...process.env, ...env },
		});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk) => (stdout += chunk));
		child.stderr.on('data', (chunk) => (stderr += chunk));
		const timer = setTimeout(() => child.kill(), 120_000);
		child.on('error', reject);
		child.on('close', (status) => {
			clearTimeout(timer);
			resolve({ status, stdout, stderr });
		});
	});
}

/** The five changes DNSFilter might make, all at once; `breaking` adds the two that break saved workflows. */
function mutate(spec, { breaking }) {
	renameTag(spec, 'Networks', 'Sites');
	spec.paths['/v1/networks/{id}'].get.operationId = 'V1_Networks-details';
	spec.paths['/v1/networks/{id}'].patch.parameters.push({
		name: 'name',
		in: 'query',
		required: true,
		schema: { type: 'string' },
	});
	const resource = spec.paths['/v1/notes/{resource}/{id}/{domain}'].get.parameters.find(
		(parameter) => parameter.name === 'resource',
	);
	resource.schema.enum = breaking
		? ['policies', 'msps']
		: ['distributors', ...resource.schema.enum];
	if (breaking) delete spec.paths['/v1/networks/{id}/secret_key'].delete;
}

function lockedNamesChanged(lock) {
	return Object.entries(LOCK.operations)
		.filter(([key, entry]) => {
			const now = lock.operations[key];
			if (!now || now.resource !== entry.resource || now.operation !== entry.operation) return true;
			return Object.entries(entry.fields).some(
				([name, field]) =>
					now.fields[name]?.parameter !== field.parameter ||
					JSON.stringify(now.fields[name]?.default) !== JSON.stringify(field.default),
			);
		})
		.map(([key]) => key);
}

test('the diff of the current document against itself is empty', () => {
	const run = script('spec-diff', [DEFAULT_SPEC_PATH]);
	assert.equal(run.status, 0, run.stderr);
	const counts = [...run.stdout.matchAll(/^(.+) \((\d+)\)$/gm)].map((match) => [
		match[1],
		Number(match[2]),
	]);
	assert.equal(counts.length, 10);
	assert.deepEqual(
		counts.filter(([, count]) => count !== 0),
		[],
	);
});

test('the diff names every change and the saved values the breaking ones would break', () => {
	const changed = mutatedSpec(temp, 'breaking.json', (spec) => mutate(spec, { breaking: true }));
	const run = script('spec-diff', [changed]);
	assert.equal(run.status, 1, 'breaking changes exit 1');
	const out = run.stdout;
	assert.match(
		out,
		/Operations removed \(1\)\n {2}- DELETE \/v1\/networks\/\{id\}\/secret_key {2}"Revoke Network Secret Key", saved as network:revokeNetworkSecretKey/,
	);
	assert.match(
		out,
		/~ GET \/v1\/networks\/\{id\} {2}network:getNetwork: operationId V1_Networks-show → V1_Networks-details; tag Networks → Sites; label "Get Network" → "Get Site Details"/,
	);
	assert.match(
		out,
		/\+ PATCH \/v1\/networks\/\{id\} query name \(string, required\) → parameter queryName of network:updateNetwork/,
	);
	assert.match(
		out,
		/~ GET \/v1\/notes\/\{resource\}\/\{id\}\/\{domain\} path resource \(domainNote:getDomainNote pathResource\): option values removed: "organizations"/,
	);
	assert.match(out, /resource network \(the document now derives site\): 19 operation\(s\)/);
	assert.match(
		out,
		/PATCH \/v1\/networks\/\{id\}: parameter name \(the document now derives bodyName\)/,
	);
	const breaks = out.slice(out.indexOf('Saved-workflow values that would break'));
	assert.match(breaks, /\(2\)/);
	assert.match(breaks, /saved as network:revokeNetworkSecretKey\) is gone/);
	assert.match(
		breaks,
		/domainNote:getDomainNote parameter pathResource \(path resource\) would lose the option value\(s\) "organizations"/,
	);
});

test('an endpoint moved to another path reads as moved, and its saved value as broken', () => {
	const changed = mutatedSpec(temp, 'moved.json', (spec) => {
		spec.paths['/v2/networks/geo'] = spec.paths['/v1/networks/geo'];
		delete spec.paths['/v1/networks/geo'];
	});
	const run = script('spec-diff', [changed]);
	assert.equal(run.status, 1);
	assert.match(
		run.stdout,
		/> GET \/v1\/networks\/geo → GET \/v2\/networks\/geo {2}saved as network:getNetworkGeo; rename its key in the lock/,
	);
	assert.match(run.stdout, /GET \/v1\/networks\/geo \(saved as network:getNetworkGeo\) is gone/);
});

test('spec:update refuses a document that breaks saved workflows and writes nothing', () => {
	const target = temp.file('breaking-target/openapi.json', readFileSync(DEFAULT_SPEC_PATH, 'utf8'));
	const lockPath = temp.file('breaking-target/lock.json', readFileSync(DEFAULT_LOCK_PATH, 'utf8'));
	const out = path.join(temp.dir, 'breaking-target/out');
	const changed = mutatedSpec(temp, 'breaking-source.json', (spec) =>
		mutate(spec, { breaking: true }),
	);
	const run = script('spec-update', [
		changed,
		'--spec',
		target,
		'--out',
		out,
		'--no-readme',
		'--lock',
		lockPath,
		'--aliases',
		NO_ALIASES,
	]);
	assert.equal(run.status, 1);
	assert.match(run.stderr, /Nothing was replaced/);
	assert.equal(readFileSync(target, 'utf8'), readFileSync(DEFAULT_SPEC_PATH, 'utf8'));
	assert.equal(readFileSync(lockPath, 'utf8'), readFileSync(DEFAULT_LOCK_PATH, 'utf8'));
	assert.equal(existsSync(out), false);
});

test('spec:update from a URL replaces the document the generator reads, regenerates, and adds only new names to the lock', async () => {
	const document = originalSpec();
	mutate(document, { breaking: false });
	const body = JSON.stringify(document);
	server.setHandler((req, res, record) =>
		record.path === '/openapi.json' ? text(res, 200, body, 'application/json') : false,
	);
	const target = temp.file('target/openapi.json', readFileSync(DEFAULT_SPEC_PATH, 'utf8'));
	const lockPath = temp.file('target/lock.json', readFileSync(DEFAULT_LOCK_PATH, 'utf8'));
	const out = path.join(temp.dir, 'target/out');
	// The document to replace comes from DNSFILTER_OPENAPI, as for the generator.
	const run = await scriptAsync(
		'spec-update',
		[
			`${server.url}/openapi.json`,
			'--out',
			out,
			'--no-readme',
			'--lock',
			lockPath,
			'--aliases',
			NO_ALIASES,
		],
		{ DNSFILTER_OPENAPI: target },
	);
	assert.equal(run.status, 0, run.stderr);
	assert.equal(readFileSync(target, 'utf8'), body);
	const lock = loadLock(lockPath);
	assert.deepEqual(lockedNamesChanged(lock), []);
	assert.deepEqual(lock.operations['PATCH /v1/networks/{id}'].fields['query name'], {
		parameter: 'queryName',
		default: '',
	});
	assert.ok(
		lock.operations['GET /v1/notes/{resource}/{id}/{domain}'].fields[
			'path resource'
		].values.includes('distributors'),
	);
	assert.match(
		readFileSync(path.join(out, 'operations.ts'), 'utf8'),
		/operationId: 'V1_Networks-details',\n\t\tresource: 'network',\n\t\toperation: 'getNetwork',/,
	);
	// The replaced document, the new lock and the output agree: the drift check passes on them.
	const again = script('generate', [
		target,
		'--out',
		path.join(temp.dir, 'target/again'),
		'--no-readme',
		'--lock',
		lockPath,
		'--aliases',
		NO_ALIASES,
	]);
	assert.equal(again.status, 0, again.stderr);
	assert.equal(
		readFileSync(path.join(temp.dir, 'target/again/operations.ts'), 'utf8'),
		readFileSync(path.join(out, 'operations.ts'), 'utf8'),
	);
	assert.deepEqual(loadLock(lockPath), lock);
});

test('spec:update names what is wrong with a source that is not an OpenAPI document', () => {
	const target = temp.file('bad-target/openapi.json', '{}');
	const notJson = temp.file('not-json.json', '<html>');
	const run = script('spec-update', [
		notJson,
		'--spec',
		target,
		'--no-readme',
		'--out',
		path.join(temp.dir, 'bad-out'),
	]);
	assert.notEqual(run.status, 0);
	assert.match(run.stderr, /not-json\.json is not JSON/);
	const notOpenApi = temp.file('not-openapi.json', { hello: 'world' });
	const second = script('spec-update', [
		notOpenApi,
		'--spec',
		target,
		'--no-readme',
		'--out',
		path.join(temp.dir, 'bad-out'),
	]);
	assert.match(second.stderr, /is not an OpenAPI document \(it needs "openapi" and "paths"\)/);
	assert.equal(readFileSync(target, 'utf8'), '{}');
});
