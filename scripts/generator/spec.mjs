// Loads the DNSFilter OpenAPI document and resolves local `$ref`s.
// The document is input data only: nothing from it is copied verbatim into the repository except
// structural facts (paths, methods, parameter names, types, enums) and short operation summaries.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '../..');
export const DEFAULT_SPEC_PATH = path.resolve(REPO_ROOT, '../shared/dnsfilter/openapi.json');

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

export function loadSpec(specPath) {
	const raw = readFileSync(specPath, 'utf8');
	return JSON.parse(raw);
}

function lookupRef(spec, ref) {
	if (!ref.startsWith('#/')) throw new Error(`Only local $refs are supported, got ${ref}`);
	let node = spec;
	for (const part of ref.slice(2).split('/')) {
		const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
		node = node?.[key];
		if (node === undefined) throw new Error(`Unresolvable $ref ${ref}`);
	}
	return node;
}

/**
 * Returns a copy of `schema` with every `$ref` replaced by its target. A reference cycle is cut
 * with a plain `{type: 'object'}` (the node then asks for that part as JSON), so the result is a
 * finite tree. `allOf` is merged into one object schema, which is all the generator needs.
 */
export function deref(spec, schema, stack = []) {
	if (schema === null || typeof schema !== 'object') return schema;
	if (Array.isArray(schema)) return schema.map((entry) => deref(spec, entry, stack));
	if (typeof schema.$ref === 'string') {
		if (stack.includes(schema.$ref)) return { type: 'object', 'x-cycle': schema.$ref };
		const { $ref, ...siblings } = schema;
		return deref(spec, { ...lookupRef(spec, $ref), ...siblings }, [...stack, $ref]);
	}
	const out = {};
	for (const key of Object.keys(schema)) out[key] = deref(spec, schema[key], stack);
	if (Array.isArray(out.allOf)) return mergeAllOf(out);
	return out;
}

function mergeAllOf(schema) {
	const { allOf, ...rest } = schema;
	const merged = { ...rest };
	for (const part of allOf) {
		if (!part || typeof part !== 'object') continue;
		if (part.type && !merged.type) merged.type = part.type;
		if (part.properties) merged.properties = { ...(merged.properties ?? {}), ...part.properties };
		if (Array.isArray(part.required))
			merged.required = [...(merged.required ?? []), ...part.required];
		for (const key of ['items', 'enum', 'format'])
			if (part[key] !== undefined && merged[key] === undefined) merged[key] = part[key];
	}
	if (merged.properties && !merged.type) merged.type = 'object';
	return merged;
}

/** Every operation of the document, in path order then method order, with refs resolved. */
export function listOperations(spec) {
	const operations = [];
	for (const pathTemplate of Object.keys(spec.paths ?? {})) {
		const item = spec.paths[pathTemplate];
		const shared = item.parameters ?? [];
		for (const method of HTTP_METHODS) {
			const op = item[method];
			if (!op) continue;
			const byKey = new Map();
			for (const parameter of [...shared, ...(op.parameters ?? [])]) {
				const resolved = deref(spec, parameter);
				byKey.set(`${resolved.in}:${resolved.name}`, resolved);
			}
			operations.push({
				method: method.toUpperCase(),
				path: pathTemplate,
				operationId: op.operationId,
				tag: (op.tags ?? ['Default'])[0],
				summary: typeof op.summary === 'string' ? op.summary.trim() : '',
				parameters: [...byKey.values()],
				requestBody: op.requestBody ? deref(spec, op.requestBody) : undefined,
				responses: deref(spec, op.responses ?? {}),
			});
		}
	}
	return operations;
}
