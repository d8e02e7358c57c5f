// What the n8n editor shows for a set of parameter values, decided by n8n-workflow's own
// NodeHelpers (the code the editor and the engine run), not by re-reading displayOptions here.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { NodeHelpers } = require('n8n-workflow');

function nodeFor(description, parameters) {
	return {
		id: 'node',
		name: description.displayName,
		type: `n8n-nodes-dnsfilter.${description.name}`,
		typeVersion: 1,
		position: [0, 0],
		parameters,
	};
}

/** The parameter values n8n resolves (defaults filled in) and the top-level properties it shows. */
export function shownFor(description, values) {
	const node = nodeFor(description, values);
	const parameters =
		NodeHelpers.getNodeParameters(description.properties, values, true, false, node, description) ??
		{};
	const shown = description.properties.filter((property) =>
		NodeHelpers.displayParameter(parameters, property, node, description, parameters),
	);
	return { parameters, shown };
}

/** The entries of a collection property n8n offers for the node's values ("Add Option"). */
export function shownEntries(description, collection, parameters) {
	const node = nodeFor(description, parameters);
	return (collection.options ?? []).filter((entry) =>
		NodeHelpers.displayParameter({}, entry, node, description, parameters),
	);
}

/** The editor's parameter issues (missing required values) for the node's values. */
export function parameterIssues(description, values) {
	const { parameters } = shownFor(description, values);
	const node = nodeFor(description, parameters);
	return (
		NodeHelpers.getNodeParametersIssues(description.properties, node, description)?.parameters ?? {}
	);
}
