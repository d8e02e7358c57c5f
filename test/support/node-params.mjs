// Maps values as they go over the wire (keyed by the API's own names) to the DnsFilter node's
// parameters, following the generated operation table: `field` ↔ `wireName`, required and path
// fields at the top level, optional query parameters in `options`, optional body fields in
// `additionalFields`, JSON fields as JSON strings, string lists comma-separated.
import { loadBuilt } from './engine.mjs';

export function loadOperations() {
	return loadBuilt('nodes/DnsFilter/generated/operations.js').OPERATIONS;
}

export function operationById(operations, operationId) {
	const row = operations.find((entry) => entry.operationId === operationId);
	if (!row) throw new Error(`no operation ${operationId} in the generated table`);
	return row;
}

/** The node parameter value for a wire value of a field of type `field.type`. */
export function toParameterValue(field, value) {
	switch (field.type) {
		case 'json':
			return JSON.stringify(value);
		case 'stringList':
			return (Array.isArray(value) ? value : [value]).join(',');
		case 'multiOptions':
			return Array.isArray(value) ? value : [value];
		case 'number':
			return Number(value);
		case 'boolean':
			return Boolean(value);
		case 'idOrSelf':
		case 'dateTime':
		case 'string':
			return typeof value === 'string' ? value : String(value);
		default:
			return value;
	}
}

/**
 * Builds the node parameters for `row` from wire values:
 *   values.path / values.query: { wireName: value }
 *   values.body: the whole request body as it should go over the wire (with the root key)
 *   jsonBody: send the body through the JSON Body parameter instead of fields
 *   extra: merged last (returnAll, limit, simplify, requestOptions…)
 */
export function buildParameters(
	row,
	{ path = {}, query = {}, body, jsonBody = false, extra = {} } = {},
) {
	const parameters = { resource: row.resource, operation: row.operation };
	const put = (field, value) => {
		const converted = toParameterValue(field, value);
		if (field.collection) {
			parameters[field.collection] = {
				...(parameters[field.collection] ?? {}),
				[field.field]: converted,
			};
		} else {
			parameters[field.field] = converted;
		}
	};
	const byWire = (location, wireName) =>
		row.fields.find((f) => f.in === location && f.wireName === wireName);

	for (const [location, values] of [
		['path', path],
		['query', query],
	]) {
		for (const [wireName, value] of Object.entries(values)) {
			const field = byWire(location, wireName);
			if (!field) throw new Error(`${row.operationId}: no ${location} field for "${wireName}"`);
			put(field, value);
		}
	}

	if (body !== undefined) {
		if (!row.body)
			throw new Error(`${row.operationId}: a body was given but the table row has none`);
		if (row.body.kind !== 'object' || jsonBody) {
			if (row.body.kind === 'object') parameters.useJsonBody = true;
			parameters.jsonBody = JSON.stringify(body);
		} else {
			parameters.useJsonBody = false;
			const inner = row.body.rootKey ? (body?.[row.body.rootKey] ?? {}) : (body ?? {});
			for (const [wireName, value] of Object.entries(inner)) {
				const field = byWire('body', wireName);
				if (!field) throw new Error(`${row.operationId}: no body field for "${wireName}"`);
				put(field, value);
			}
		}
	}
	for (const [key, value] of Object.entries(extra)) {
		if (
			value &&
			typeof value === 'object' &&
			!Array.isArray(value) &&
			parameters[key] &&
			typeof parameters[key] === 'object'
		) {
			parameters[key] = { ...parameters[key], ...value };
		} else {
			parameters[key] = value;
		}
	}
	return parameters;
}

/** Fills a path template with already-chosen values, encoded as a client must. */
export function fillPath(template, values) {
	return template.replace(/\{([^}]+)\}/g, (_, name) => encodeURIComponent(String(values[name])));
}

/** A regular expression matching any concrete path of `template`. */
export function pathPattern(template) {
	const escaped = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
	return new RegExp(`^${escaped.replace(/\{[^}]+\}/g, '[^/]+')}$`);
}

/**
 * `{ resource, operation }` for an operationId, read from the built table: tests and workflows
 * name operations by the API's operationId, never by the node's operation values.
 */
export function operationFor(operationId) {
	const row = operationById(loadOperations(), operationId);
	return { resource: row.resource, operation: row.operation };
}
