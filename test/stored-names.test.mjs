// The stored-names lock: regenerating from a changed DNSFilter document keeps every name saved
// workflows hold (resource and operation values, parameter paths, top-level defaults, option
// values). Each test changes a temp copy of the document the way DNSFilter might (tag rename,
// operationId rename, new required parameter, removed operation, changed enum), regenerates
// from it and compares the result with the committed lock; the same change generated without
// the lock shows what it would have broken, so each assertion is one that could fail.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { generate, StoredNamesError } from '../scripts/generate.mjs';
import { DEFAULT_LOCK_PATH, loadLock, lockText } from '../scripts/generator/storedNames.mjs';
import {
	generatedDescription,
	loadGeneratedModule,
	mutatedSpec,
	renameTag,
	tempDir,
} from './support/spec-copies.mjs';

const require = (await import('node:module')).createRequire(import.meta.url);
const { NodeHelpers } = require('n8n-workflow');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LOCK = loadLock();
const temp = tempDir();
after(() => temp.dispose());
const NO_LOCK = path.join(temp.dir, 'no-lock.json');
const NO_ALIASES = temp.file('no-aliases.json', { operations: {}, fields: {} });

function regenerate(specPath, { lockPath = DEFAULT_LOCK_PATH, aliasesPath = NO_ALIASES } = {}) {
	return generate({ specPath, lockPath, aliasesPath });
}

/** Every locked name that the new lock no longer has, as readable lines (empty: nothing changed). */
function changedNames(newLock, gone = []) {
	const changes = [];
	for (const [key, entry] of Object.entries(LOCK.operations)) {
		if (gone.includes(key)) continue;
		const now = newLock.operations[key];
		if (!now) {
			changes.push(`${key}: gone`);
			continue;
		}
		if (now.resource !== entry.resource || now.operation !== entry.operation)
			changes.push(
				`${key}: ${entry.resource}:${entry.operation} → ${now.resource}:${now.operation}`,
			);
		for (const [name, field] of Object.entries(entry.fields)) {
			// Option values may be added, never dropped; parameter path and default stay as they are.
			const kept =
				now.fields[name] &&
				now.fields[name].parameter === field.parameter &&
				JSON.stringify(now.fields[name].default) === JSON.stringify(field.default);
			const values = (field.values ?? []).every((value) =>
				now.fields[name]?.values?.includes(value),
			);
			if (!kept || !values)
				changes.push(
					`${key} ${name}: ${JSON.stringify(field)} → ${JSON.stringify(now.fields[name])}`,
				);
		}
	}
	for (const [value, entry] of Object.entries(LOCK.resources)) {
		if (newLock.resources[value]?.defaultOperation !== entry.defaultOperation)
			changes.push(
				`resource ${value}: default ${entry.defaultOperation} → ${newLock.resources[value]?.defaultOperation}`,
			);
	}
	return changes;
}

/** resource:operation pairs the committed lock has and `lock` lacks. */
function lostPairs(lock) {
	const pairs = new Set(
		Object.values(lock.operations).map((entry) => `${entry.resource}:${entry.operation}`),
	);
	return Object.values(LOCK.operations)
		.map((entry) => `${entry.resource}:${entry.operation}`)
		.filter((pair) => !pairs.has(pair));
}

function rowOf(result, key) {
	return result.model.operations.find((op) => op.key === key);
}

test('the committed lock is exactly what the generator writes for the current document, and names every generated operation', () => {
	const result = generate();
	assert.deepEqual(result.problems, []);
	assert.deepEqual(result.kept, []);
	assert.equal(readFileSync(DEFAULT_LOCK_PATH, 'utf8'), lockText(result.lock));
	assert.equal(Object.keys(LOCK.operations).length, result.model.operations.length);
	for (const op of result.model.operations) {
		assert.equal(
			`${LOCK.operations[op.key].resource}:${LOCK.operations[op.key].operation}`,
			`${op.row.resource}:${op.row.operation}`,
			op.key,
		);
	}
});

test('a renamed tag keeps the resource value of its operations; only the label changes', () => {
	const specPath = mutatedSpec(temp, 'tag-rename.json', (spec) =>
		renameTag(spec, 'Networks', 'Sites'),
	);
	const locked = regenerate(specPath);
	assert.deepEqual(changedNames(locked.lock), []);
	const network = locked.model.resources.find((resource) => resource.value === 'network');
	assert.equal(network.singular, 'Site');
	assert.ok(
		locked.kept.some((line) => line.includes('resource network (the document now derives site)')),
		locked.kept.join('\n'),
	);
	// Without the lock the same document moves every network operation to a `site` resource.
	const unlocked = regenerate(specPath, { lockPath: NO_LOCK });
	assert.ok(
		lostPairs(unlocked.lock).filter((pair) => pair.startsWith('network:')).length >= 10,
		'the mutation must matter without the lock',
	);
});

test('a renamed operationId keeps the operation value saved workflows hold', () => {
	const specPath = mutatedSpec(temp, 'operation-id-rename.json', (spec) => {
		spec.paths['/v1/networks/{id}'].get.operationId = 'V1_Networks-details';
		spec.paths['/v1/networks/{id}/secret_key'].delete.operationId = 'V1_Networks-delete_key';
	});
	const locked = regenerate(specPath);
	assert.deepEqual(changedNames(locked.lock), []);
	assert.equal(rowOf(locked, 'GET /v1/networks/{id}').row.operation, 'getNetwork');
	assert.equal(rowOf(locked, 'GET /v1/networks/{id}').row.operationId, 'V1_Networks-details');
	const unlocked = regenerate(specPath, { lockPath: NO_LOCK });
	assert.ok(lostPairs(unlocked.lock).includes('network:getNetwork'));
});

test('a new required query parameter does not take the name of an existing body field', () => {
	const specPath = mutatedSpec(temp, 'new-required.json', (spec) => {
		const op = spec.paths['/v1/networks/{id}'].patch;
		op.parameters = [
			...(op.parameters ?? []),
			{ name: 'name', in: 'query', required: true, schema: { type: 'string' } },
		];
	});
	const locked = regenerate(specPath);
	assert.deepEqual(changedNames(locked.lock), []);
	const fields = rowOf(locked, 'PATCH /v1/networks/{id}').row.fields;
	assert.equal(
		fields.find((field) => field.in === 'body' && field.wireName === 'name').field,
		'name',
	);
	assert.equal(
		fields.find((field) => field.in === 'query' && field.wireName === 'name').field,
		'queryName',
	);
	assert.deepEqual(locked.lock.operations['PATCH /v1/networks/{id}'].fields['query name'], {
		parameter: 'queryName',
		default: '',
	});
	assert.ok(
		locked.kept.some((line) => line.includes('parameter name (the document now derives bodyName)')),
		locked.kept.join('\n'),
	);
	const unlocked = regenerate(specPath, { lockPath: NO_LOCK });
	assert.equal(
		rowOf(unlocked, 'PATCH /v1/networks/{id}').row.fields.find(
			(field) => field.in === 'body' && field.wireName === 'name',
		).field,
		'bodyName',
	);
});

test('a removed operation stops generation until the aliases table says what happened to it', () => {
	const specPath = mutatedSpec(temp, 'removed.json', (spec) => {
		delete spec.paths['/v1/networks/{id}/secret_key'].delete;
	});
	assert.throws(
		() => regenerate(specPath),
		(error) =>
			error instanceof StoredNamesError &&
			error.problems.length === 1 &&
			/DELETE \/v1\/networks\/\{id\}\/secret_key \(saved as network:revokeNetworkSecretKey\) is gone/.test(
				error.message,
			),
	);
	const aliasesPath = temp.file('aliases-removed.json', {
		operations: {
			'network:revokeNetworkSecretKey': {
				key: 'DELETE /v1/networks/{id}/secret_key',
				label: 'Revoke Network Secret Key',
				removed: 'secret keys are now rotated only',
				replacedBy: 'POST /v1/networks/{id}/secret_key',
			},
		},
		fields: {},
	});
	const result = regenerate(specPath, { aliasesPath });
	assert.deepEqual(changedNames(result.lock, ['DELETE /v1/networks/{id}/secret_key']), []);
	assert.deepEqual(loadGeneratedModule(result.files, 'aliases.ts').OPERATION_ALIASES, {
		'network:revokeNetworkSecretKey': {
			removed:
				'DNSFilter removed the operation "Revoke Network Secret Key" (DELETE /v1/networks/{id}/secret_key): secret keys are now rotated only. Use "Create Network Secret Key" (resource Network) instead.',
		},
	});
	// The retired value stays in the selector, shown only to a workflow that holds it.
	const properties = generatedDescription(result.files);
	const selector = properties.find(
		(property) =>
			property.name === 'operation' && property.displayOptions?.show?.resource?.includes('network'),
	);
	const retired = selector.options.find((option) => option.value === 'revokeNetworkSecretKey');
	assert.equal(retired.name, 'Revoke Network Secret Key (Removed)');
	assert.deepEqual(retired.displayOptions, { show: { operation: ['revokeNetworkSecretKey'] } });
});

test('an alias runs the operation a retired value became, with the fields that operation shows', () => {
	const specPath = mutatedSpec(temp, 'merged.json', (spec) => {
		delete spec.paths['/v1/networks/msp/all'].get;
	});
	const aliasesPath = temp.file('aliases-to.json', {
		operations: {
			'network:getAllMspNetworks': { label: 'Get All MSP Networks', to: 'GET /v1/networks/msp' },
		},
		fields: {},
	});
	const result = regenerate(specPath, { aliasesPath });
	assert.deepEqual(loadGeneratedModule(result.files, 'aliases.ts').OPERATION_ALIASES, {
		'network:getAllMspNetworks': { resource: 'network', operation: 'getManyMspNetworks' },
	});
	const properties = generatedDescription(result.files);
	const target = rowOf(result, 'GET /v1/networks/msp').row;
	const saved = {
		resource: 'network',
		operation: 'getManyMspNetworks',
		returnAll: true,
		simplify: false,
	};
	const option = target.fields.find((field) => field.collection === 'options');
	if (option)
		saved.options = {
			[option.field]: option.type === 'boolean' ? true : option.type === 'number' ? 3 : 'x',
		};
	const asTarget = NodeHelpers.getNodeParameters(properties, saved, true, false, null, null);
	const asAlias = NodeHelpers.getNodeParameters(
		properties,
		{ ...saved, operation: 'getAllMspNetworks' },
		true,
		false,
		null,
		null,
	);
	assert.deepEqual({ ...asAlias, operation: 'getManyMspNetworks' }, asTarget);
	assert.equal(asAlias.returnAll, true);
	// Without the alias the same saved workflow loses its parameters when n8n loads it.
	const plain = generatedDescription(
		regenerate(specPath, {
			aliasesPath: temp.file('aliases-removed-msp.json', {
				operations: { 'network:getAllMspNetworks': { removed: 'gone' } },
				fields: {},
			}),
		}).files,
	);
	assert.equal(
		NodeHelpers.getNodeParameters(
			plain,
			{ ...saved, operation: 'getAllMspNetworks' },
			true,
			false,
			null,
			null,
		).returnAll,
		undefined,
	);
});

test('a changed enum keeps the locked default and refuses to drop a value saved workflows may hold', () => {
	const key = 'GET /v1/notes/{resource}/{id}/{domain}';
	const reordered = mutatedSpec(temp, 'enum-reordered.json', (spec) => {
		spec.paths['/v1/notes/{resource}/{id}/{domain}'].get.parameters.find(
			(parameter) => parameter.name === 'resource',
		).schema.enum = ['organizations', 'policies', 'msps', 'distributors'];
	});
	const locked = regenerate(reordered);
	assert.deepEqual(changedNames(locked.lock), []);
	assert.deepEqual(locked.lock.operations[key].fields['path resource'].values, [
		'organizations',
		'policies',
		'msps',
		'distributors',
	]);
	const properties = generatedDescription(locked.files);
	const field = properties.find(
		(property) =>
			property.name === 'pathResource' &&
			property.displayOptions?.show?.operation?.includes('getDomainNote'),
	);
	assert.equal(field.default, 'policies');
	assert.ok(field.options.some((entry) => entry.value === 'distributors'));
	const unlocked = regenerate(reordered, { lockPath: NO_LOCK });
	assert.equal(unlocked.lock.operations[key].fields['path resource'].default, 'organizations');

	const dropped = mutatedSpec(temp, 'enum-dropped.json', (spec) => {
		spec.paths['/v1/notes/{resource}/{id}/{domain}'].get.parameters.find(
			(parameter) => parameter.name === 'resource',
		).schema.enum = ['policies', 'msps'];
	});
	assert.throws(
		() => regenerate(dropped),
		/domainNote:getDomainNote parameter pathResource \(path resource\) would lose the option value\(s\) "organizations"/,
	);
});

function digest(dir) {
	const hash = createHash('sha256');
	const walk = (current) => {
		for (const name of readdirSync(current, { withFileTypes: true }).sort((a, b) =>
			a.name.localeCompare(b.name),
		)) {
			const full = path.join(current, name.name);
			if (name.isDirectory()) walk(full);
			else hash.update(`${path.relative(dir, full)}\n`).update(readFileSync(full));
		}
	};
	walk(dir);
	return hash.digest('hex');
}

test('the generator command writes a changed document into another directory and lock, and leaves the committed ones alone', () => {
	const committedLock = readFileSync(DEFAULT_LOCK_PATH);
	const committedOut = digest(path.join(root, 'nodes/DnsFilter/generated'));
	const specPath = mutatedSpec(temp, 'cli.json', (spec) => {
		renameTag(spec, 'Policies', 'Filtering Policies');
		spec.paths['/v1/networks/{id}'].patch.parameters.push({
			name: 'name',
			in: 'query',
			required: true,
			schema: { type: 'string' },
		});
	});
	const lockPath = temp.file('cli-lock.json', committedLock.toString('utf8'));
	const out = path.join(temp.dir, 'cli-out');
	const run = (args) =>
		spawnSync(
			process.execPath,
			[
				'scripts/generate.mjs',
				specPath,
				'--out',
				out,
				'--no-readme',
				'--lock',
				lockPath,
				'--aliases',
				NO_ALIASES,
				...args,
			],
			{ cwd: root, encoding: 'utf8' },
		);
	const ok = run([]);
	assert.equal(ok.status, 0, ok.stderr);
	assert.deepEqual(changedNames(loadLock(lockPath)), []);
	assert.ok(existsSync(path.join(out, 'operations.ts')));

	const broken = mutatedSpec(temp, 'cli.json', (spec) => {
		delete spec.paths['/v1/networks/{id}'].delete;
	});
	const outBroken = path.join(temp.dir, 'cli-out-broken');
	const failed = spawnSync(
		process.execPath,
		[
			'scripts/generate.mjs',
			broken,
			'--out',
			outBroken,
			'--no-readme',
			'--lock',
			lockPath,
			'--aliases',
			NO_ALIASES,
		],
		{ cwd: root, encoding: 'utf8' },
	);
	assert.equal(failed.status, 1);
	assert.match(
		failed.stderr,
		/DELETE \/v1\/networks\/\{id\} \(saved as network:deleteNetwork\) is gone/,
	);
	assert.equal(existsSync(outBroken), false, 'nothing is written when a stored name would break');
	assert.deepEqual(changedNames(loadLock(lockPath)), []);

	assert.ok(
		committedLock.equals(readFileSync(DEFAULT_LOCK_PATH)),
		'the committed lock is untouched',
	);
	assert.equal(
		digest(path.join(root, 'nodes/DnsFilter/generated')),
		committedOut,
		'the committed output is untouched',
	);
});

test('a parameter DNSFilter drops stops generation until it is retired in the aliases table', () => {
	const key = 'GET /v2/agent_local_users/counts';
	const specPath = mutatedSpec(temp, 'dropped-parameter.json', (spec) => {
		const op = spec.paths['/v2/agent_local_users/counts'].get;
		op.parameters = op.parameters.filter((parameter) => parameter.name !== 'search');
	});
	assert.throws(
		() => regenerate(specPath),
		/agentLocalUser:getAgentLocalUserCounts parameter options\.search \(query search\) is gone from the document/,
	);
	const aliasesPath = temp.file('aliases-field.json', {
		operations: {},
		fields: { [key]: { 'query search': 'DNSFilter no longer filters counts by search text' } },
	});
	const result = regenerate(specPath, { aliasesPath });
	assert.equal(result.lock.operations[key].fields['query search'], undefined);
	assert.deepEqual(
		changedNames(result.lock).filter((line) => !line.startsWith(`${key} query search`)),
		[],
	);
});

test('an endpoint moved to another path keeps its names once its key is renamed in the lock', () => {
	const specPath = mutatedSpec(temp, 'moved.json', (spec) => {
		spec.paths['/v2/networks/geo'] = spec.paths['/v1/networks/geo'];
		delete spec.paths['/v1/networks/geo'];
	});
	assert.throws(
		() => regenerate(specPath),
		/GET \/v1\/networks\/geo \(saved as network:getNetworkGeo\) is gone/,
	);
	const lock = loadLock();
	lock.operations['GET /v2/networks/geo'] = lock.operations['GET /v1/networks/geo'];
	delete lock.operations['GET /v1/networks/geo'];
	const result = regenerate(specPath, { lockPath: temp.file('moved-lock.json', lockText(lock)) });
	assert.equal(rowOf(result, 'GET /v2/networks/geo').row.operation, 'getNetworkGeo');
	assert.deepEqual(changedNames(result.lock, ['GET /v1/networks/geo']), []);
});
