// The node's folders form layers, and imports only run downward:
//   the two node files → trigger/ → actions/ (with actions/handwritten/) → records/ →
//   generated/ → descriptions/ and types/ → transport/ → utils/
// records/ holds what the trigger and the actions share (record shaping, secret masking, record
// lists, API-key insight), so neither imports the other's folder.
// A file may import from its own layer or any layer below it, never from one above. Read from the
// TypeScript sources, so a stray import fails here before it reaches a review.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const nodeDir = path.resolve(
	path.dirname(fileURLToPath(import.meta.url)),
	'..',
	'nodes',
	'DnsFilter',
);

// Higher rank = higher layer.
const LAYERS = [
	['utils', 0],
	['transport', 1],
	['descriptions', 2],
	['types', 2],
	['generated', 3],
	['records', 4],
	['actions', 5],
	['trigger', 6],
	['', 7], // DnsFilter.node.ts, DnsFilterTrigger.node.ts, connectionTypes.ts
];

function layerOf(file) {
	const rel = path.relative(nodeDir, file).split(path.sep).join('/');
	for (const [folder, rank] of LAYERS) {
		if (folder === '' ? !rel.includes('/') : rel.startsWith(`${folder}/`))
			return { folder: folder || '(node)', rank };
	}
	throw new Error(`${rel} is in no known layer: add its folder to LAYERS`);
}

function sources(dir) {
	return readdirSync(dir).flatMap((name) => {
		const full = path.join(dir, name);
		if (statSync(full).isDirectory()) return sources(full);
		return name.endsWith('.ts') ? [full] : [];
	});
}

function localImports(file) {
	const text = readFileSync(file, 'utf8');
	const found = [];
	for (const match of text.matchAll(
		/(?:^|\n)\s*(?:import|export)\b[^;]*?from\s+'(\.{1,2}\/[^']+)'/g,
	))
		found.push(match[1]);
	for (const match of text.matchAll(/(?:^|\n)\s*import\s+'(\.{1,2}\/[^']+)'/g))
		found.push(match[1]);
	return found.map((spec) => {
		const target = path.resolve(path.dirname(file), spec);
		return existsSync(target) && statSync(target).isDirectory()
			? path.join(target, 'index.ts')
			: `${target}.ts`;
	});
}

test('every local import runs down the layers (node → trigger → actions → records → generated → descriptions → transport → utils)', () => {
	const upward = [];
	const files = sources(nodeDir);
	assert.ok(files.length > 20, 'the node sources were found');
	for (const file of files) {
		const from = layerOf(file);
		for (const target of localImports(file)) {
			const to = layerOf(target);
			if (to.rank > from.rank)
				upward.push(
					`${path.relative(nodeDir, file)} (${from.folder}) imports ${path.relative(nodeDir, target).replace(/\.ts$/, '')} (${to.folder})`,
				);
		}
	}
	assert.deepEqual(upward, []);
});

test('the trigger and the action node share code through records/, never through actions/', () => {
	const triggerSide = [
		path.join(nodeDir, 'DnsFilterTrigger.node.ts'),
		...sources(path.join(nodeDir, 'trigger')),
	];
	const intoActions = triggerSide.flatMap((file) =>
		localImports(file)
			.filter((target) => layerOf(target).folder === 'actions')
			.map((target) => `${path.relative(nodeDir, file)} imports ${path.relative(nodeDir, target)}`),
	);
	assert.deepEqual(intoActions, []);
});

test('no module registers behaviour by being imported for its side effects', () => {
	const sideEffectImports = sources(nodeDir).flatMap((file) =>
		[...readFileSync(file, 'utf8').matchAll(/(?:^|\n)\s*import\s+'(\.{1,2}\/[^']+)'/g)].map(
			(match) => `${path.relative(nodeDir, file)}: import '${match[1]}'`,
		),
	);
	assert.deepEqual(sideEffectImports, []);
});
