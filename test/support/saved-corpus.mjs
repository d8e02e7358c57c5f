// The saved-workflow corpus: one DNSFilter node per operation, configured the way a user would
// (every top-level field filled, one entry of each collection added) and stored the way the n8n
// editor stores it (NodeHelpers.getNodeParameters without defaults, so values left at their
// default are absent). Written once from the built node into test/fixtures/saved-workflows/ and
// committed with what each node meant (`meant`: every value, defaults included); the test
// test/saved-workflows.test.mjs loads it against every later build.
//
//   npm run build && node test/support/saved-corpus.mjs   (rewrites the fixture: only on purpose)
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { loadBuilt, loadDnsFilterNode } from './engine.mjs';

const require = createRequire(import.meta.url);
const { NodeHelpers } = require('n8n-workflow');

const here = path.dirname(fileURLToPath(import.meta.url));
export const CORPUS_PATH = path.resolve(here, '../fixtures/saved-workflows/operations.json');

/** A value the user might have typed for a field: never the default, so the editor stores it. */
function sampleValue(field, property) {
	if (property?.options?.length) {
		const values = property.options.map((option) => option.value);
		return property.type === 'multiOptions'
			? [values.at(-1)]
			: (values.find((value) => value !== property.default) ?? values[0]);
	}
	switch (property?.type ?? field.type) {
		case 'boolean':
			return true;
		case 'number':
			return 7;
		case 'json':
			return field.jsonShape === 'array' ? '[1]' : field.jsonShape === 'object' ? '{"a":1}' : '"x"';
		case 'dateTime':
			return '2026-07-13T00:00:00Z';
		default:
			if (field.type === 'number' || field.type === 'idOrSelf') return '7';
			if (field.type === 'stringList') return field.integer ? '1,2' : 'a,b';
			if (field.type === 'date') return '2026-07-13';
			return 'sample';
	}
}

function propertyFor(properties, name, parameters, collection) {
	const node = { parameters };
	const candidates = collection
		? properties
				.filter((property) => property.name === collection)
				.flatMap((property) =>
					NodeHelpers.displayParameter(parameters, property, node) ? (property.options ?? []) : [],
				)
		: properties;
	return candidates.find(
		(property) =>
			property.name === name &&
			NodeHelpers.displayParameter(parameters, property, node, undefined, parameters),
	);
}

/** What the editor stores for `row` configured by a user, and the node it is part of. */
export function savedParametersFor(row, properties) {
	// Start from what the editor shows for the operation (every displayed default), as a user does.
	const parameters = NodeHelpers.getNodeParameters(
		properties,
		{ resource: row.resource, operation: row.operation },
		true,
		false,
		null,
		null,
	);
	for (const field of row.fields.filter((entry) => !entry.collection)) {
		const property = propertyFor(properties, field.field, parameters);
		// A choice left at its default is not stored: the corpus keeps such nodes, whose meaning rests on the default.
		if (property?.type !== 'options') parameters[field.field] = sampleValue(field, property);
	}
	for (const collection of ['options', 'additionalFields']) {
		const field = row.fields.find((entry) => entry.collection === collection);
		if (!field) continue;
		const property = propertyFor(properties, field.field, parameters, collection);
		if (property) parameters[collection] = { [field.field]: sampleValue(field, property) };
	}
	const node = {
		name: 'DNSFilter',
		type: 'n8n-nodes-dnsfilter.dnsFilter',
		typeVersion: 1,
		parameters,
	};
	return NodeHelpers.getNodeParameters(
		properties,
		parameters,
		false,
		false,
		node,
		loadDnsFilterNode().description,
	);
}

/** Every parameter value the saved node meant when it was saved, defaults included. */
export function meantParametersFor(saved, properties) {
	return NodeHelpers.getNodeParameters(properties, saved, true, false, null, null);
}

function main() {
	const { properties } = loadDnsFilterNode().description;
	const { OPERATIONS } = loadBuilt('nodes/DnsFilter/generated/operations.js');
	const corpus = [...OPERATIONS]
		.sort((a, b) => `${a.method} ${a.path}`.localeCompare(`${b.method} ${b.path}`))
		.map((row) => {
			const parameters = savedParametersFor(row, properties);
			return {
				key: `${row.method} ${row.path}`,
				typeVersion: 1,
				parameters,
				meant: meantParametersFor(parameters, properties),
			};
		});
	writeFileSync(CORPUS_PATH, `${JSON.stringify(corpus, null, '\t')}\n`);
	console.log(`Wrote ${corpus.length} saved nodes to ${path.relative(process.cwd(), CORPUS_PATH)}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
