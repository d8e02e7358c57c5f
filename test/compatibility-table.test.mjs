// The README's compatibility table is what the end-to-end matrix last ran: it must equal the table
// rendered from docs/compatibility.json (written by a full `npm run test:e2e`), and the JSON must
// cover exactly the matrix's entries.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { loadCompat, readmeWithTable } from '../scripts/e2e/compatibility.mjs';
import { MATRIX } from '../scripts/e2e/install-n8n.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

test('the README table is rendered from docs/compatibility.json', () => {
	const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
	assert.equal(
		readme,
		readmeWithTable(readme, loadCompat()),
		'run `node scripts/e2e/compatibility.mjs` and commit README.md',
	);
});

test('docs/compatibility.json covers every matrix entry, each with both install paths', () => {
	const { entries } = loadCompat();
	assert.deepEqual(
		entries.map((e) => `${e.n8n}@node${e.node}`),
		MATRIX.map((e) => `${e.n8n}@node${e.node}`),
	);
	for (const entry of entries) {
		assert.deepEqual(
			entry.installPaths.map((p) => p.path).sort(),
			['editor', 'manual'],
			`${entry.n8n}: install paths`,
		);
		assert.match(entry.n8nWorkflow, /^\d+\.\d+\.\d+$/);
	}
});
