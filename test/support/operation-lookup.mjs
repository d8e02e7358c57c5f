// Looks operations and their fields up in the BUILT node (dist/), by the OpenAPI operationId, so
// workflows and UI walks follow the generator's operation values and labels instead of
// hard-coding them. Needs `npm run build` first.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const dist = path.resolve(
	path.dirname(fileURLToPath(import.meta.url)),
	'..',
	'..',
	'dist',
	'nodes',
	'DnsFilter',
);

let cache;
function built() {
	if (!cache) {
		const { OPERATIONS } = require(path.join(dist, 'generated', 'operations.js'));
		const { DnsFilter } = require(path.join(dist, 'DnsFilter.node.js'));
		cache = { operations: OPERATIONS, properties: new DnsFilter().description.properties };
	}
	return cache;
}

/** The operation-table row for an OpenAPI operationId; throws when it is not in the table. */
export function operationByOperationId(operationId) {
	const row = built().operations.find((op) => op.operationId === operationId);
	if (!row)
		throw new Error(
			`operationId ${operationId} is not in dist/nodes/DnsFilter/generated/operations.js`,
		);
	return row;
}

function shownFor(property, values) {
	const show = property.displayOptions?.show ?? {};
	return Object.entries(values).every(
		([name, value]) => show[name] === undefined || show[name].includes(value),
	);
}

/** The node property the editor shows for `name` when this resource and operation are selected. */
export function nodeProperty(row, name) {
	const property = built().properties.find(
		(p) => p.name === name && shownFor(p, { resource: row.resource, operation: row.operation }),
	);
	if (!property) throw new Error(`no property "${name}" for ${row.resource} / ${row.operation}`);
	return property;
}

/** The Resource option (display name and value) for a resource value. */
export function resourceOption(resource) {
	const property = built().properties.find((p) => p.name === 'resource');
	return property.options.find((o) => o.value === resource);
}

/** The options of the Operation dropdown shown for a resource. */
export function operationOptions(resource) {
	const property = built().properties.find(
		(p) => p.name === 'operation' && shownFor(p, { resource }),
	);
	if (!property) throw new Error(`no Operation property for resource ${resource}`);
	return property.options;
}

/** The operation-table row behind the Operation option a user sees (by its display name). */
export function operationByDisplayName(resource, displayName) {
	const option = operationOptions(resource).find((o) => o.name === displayName);
	if (!option) return undefined;
	return (
		built().operations.find((op) => op.resource === resource && op.operation === option.value) ?? {
			resource,
			operation: option.value,
			custom: true,
		}
	);
}

/** The path fields of an operation (`id`, …), in the order of the path template. */
export function pathFields(row) {
	return row.fields.filter((f) => f.in === 'path');
}
