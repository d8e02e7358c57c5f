// What gets published: the file list of the packed package and the n8n block n8n reads on install.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require_ = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

test('npm pack contains only dist/, README, LICENSE and package.json', () => {
	const [packed] = JSON.parse(
		execFileSync('npm', ['pack', '--dry-run', '--json', '--silent'], {
			cwd: root,
			encoding: 'utf8',
		}),
	);
	const files = packed.files.map((f) => f.path).sort();
	const unexpected = files.filter(
		(file) =>
			!(file.startsWith('dist/') || ['README.md', 'LICENSE', 'package.json'].includes(file)),
	);
	assert.deepEqual(unexpected, []);
	for (const required of [
		'README.md',
		'LICENSE',
		'package.json',
		...pkg.n8n.nodes,
		...pkg.n8n.credentials,
	]) {
		assert.ok(files.includes(required), `${required} is missing from the package`);
	}
	assert.equal(
		files.some((file) => /openapi\.json$/.test(file)),
		false,
		'the spec must not be shipped',
	);
	assert.equal(
		files.some((file) => file.startsWith('dist/test/') || file.endsWith('.test.js')),
		false,
		'tests must not be shipped',
	);
});

test('the n8n block follows the community-node rules', () => {
	assert.equal(pkg.n8n.n8nNodesApiVersion, 1);
	assert.equal(pkg.n8n.strict, true);
	assert.deepEqual(Object.keys(pkg.dependencies ?? {}), []);
	assert.deepEqual(pkg.peerDependencies, { 'n8n-workflow': '*' });
	// Optional, so npm never installs a second n8n-workflow (2.x needs a compiler before Node 24)
	// beside the package: test/e2e/install-paths.test.mjs installs it on Node 20, 22 and 24.
	assert.deepEqual(pkg.peerDependenciesMeta, { 'n8n-workflow': { optional: true } });
	assert.ok(pkg.keywords.includes('n8n-community-node-package'));
	assert.match(pkg.devDependencies.typescript, /^5\.9\./);
	assert.match(pkg.devDependencies.eslint, /^9\./);
});

test('every node and credential n8n loads exists in dist, with its icons beside it', () => {
	for (const file of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) {
		assert.ok(existsSync(path.join(root, file)), `${file} was not built`);
	}
	for (const node of pkg.n8n.nodes) {
		const dir = path.dirname(path.join(root, node));
		const mod = require_(path.join(root, node));
		const instance = new (Object.values(mod)[0])();
		const icons =
			typeof instance.description.icon === 'string'
				? [instance.description.icon]
				: Object.values(instance.description.icon);
		for (const icon of icons) {
			const file = path.join(dir, icon.replace(/^file:/, ''));
			assert.ok(existsSync(file), `${icon} of ${node} was not copied into dist`);
		}
		const codex = node.replace(/\.js$/, '.json');
		assert.ok(existsSync(path.join(root, codex)), `${codex} (codex) is missing from dist`);
	}
});
