// Finds the attributes of 2xx response schemas that carry secrets, per operation, so the node can
// mask them in its output by default. Decided from the schemas' names and
// descriptions, never from a hand list of operations:
//  - a property whose name says it is a secret: contains `secret` or `password`, is `token` or
//    ends in `_token`, or is an `api_key` / `private_key` (a `_key` alone is usually an identifier:
//    `entitlement_key`, `object_key`);
//  - an operation *returns it by purpose* (and keeps it) when the path's last literal segment
//    names the attribute and the method is not DELETE (POST/PATCH /networks/{id}/secret_key,
//    POST /distributors/users/{id}/reset_password_url), or when the attribute's description says
//    it is shown in full only on creation and the operation is a POST on the collection
//    (`token` of POST /v1/api_keys).
import { listOperations } from './spec.mjs';
import { HEADER } from './emitTs.mjs';
import { literal } from './literal.mjs';

export const SECRET_NAME = /secret|password|(^|_)token$|(^|_)(api|private)_key$/i;
const SHOWN_ON_CREATE = /initial create|on creat|only once/i;

/** Every `{name, path, description}` of a secret-named property in `schema` (already dereferenced). */
function secretProperties(schema, path, out, depth = 0) {
	if (!schema || typeof schema !== 'object' || depth > 12) return out;
	for (const key of ['oneOf', 'anyOf'])
		if (Array.isArray(schema[key]))
			for (const part of schema[key]) secretProperties(part, path, out, depth + 1);
	if (schema.items) secretProperties(schema.items, `${path}[]`, out, depth + 1);
	for (const [name, property] of Object.entries(schema.properties ?? {})) {
		const propertyPath = path ? `${path}.${name}` : name;
		if (SECRET_NAME.test(name))
			out.push({ name, path: propertyPath, description: String(property?.description ?? '') });
		secretProperties(property, propertyPath, out, depth + 1);
	}
	if (schema.additionalProperties && typeof schema.additionalProperties === 'object')
		secretProperties(schema.additionalProperties, `${path}.*`, out, depth + 1);
	return out;
}

function lastLiteralSegment(pathTemplate) {
	return (
		pathTemplate
			.split('/')
			.filter((segment) => segment && !segment.startsWith('{'))
			.pop() ?? ''
	);
}

function returnsByPurpose(operation, secret) {
	if (operation.method !== 'DELETE' && lastLiteralSegment(operation.path) === secret.name)
		return true;
	return (
		SHOWN_ON_CREATE.test(secret.description) &&
		operation.method === 'POST' &&
		!operation.path.includes('{')
	);
}

/** `[{operationId, names, paths, returnsSecret}]`, sorted by operationId. */
export function findSecretFields(spec) {
	const rows = [];
	for (const operation of listOperations(spec)) {
		const found = [];
		for (const [status, response] of Object.entries(operation.responses ?? {})) {
			if (!/^2\d\d$/.test(status)) continue;
			for (const media of Object.values(response?.content ?? {}))
				secretProperties(media?.schema, '', found);
		}
		if (!found.length) continue;
		const names = [...new Set(found.map((secret) => secret.name))].sort();
		const paths = [...new Set(found.map((secret) => secret.path))].sort();
		const returnsSecret = found.some((secret) => returnsByPurpose(operation, secret));
		rows.push({ operationId: operation.operationId, names, paths, returnsSecret });
	}
	return rows.sort((a, b) =>
		a.operationId < b.operationId ? -1 : a.operationId > b.operationId ? 1 : 0,
	);
}

export function emitSecretFields(spec) {
	const table = {};
	for (const row of findSecretFields(spec))
		table[row.operationId] = {
			names: row.names,
			paths: row.paths,
			returnsSecret: row.returnsSecret,
		};
	return `${HEADER}// Secret-bearing attributes of each operation's answer (scripts/generator/secrets.mjs).

export interface SecretFields {
	/** Attribute names masked in the output unless Include Secrets is on. */
	names: string[];
	/** Where the spec declares them in the answer, for the docs. */
	paths: string[];
	/** The operation exists to return the secret (create/rotate a key): it is never masked. */
	returnsSecret: boolean;
}

export const SECRET_FIELDS: Record<string, SecretFields> = ${literal(table, 0, 100)};
`;
}
