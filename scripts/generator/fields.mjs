// Field mapping: turns one OpenAPI operation into an operation-table row (the shape of
// nodes/DnsFilter/types/operationSpec.ts) plus what the description emitter needs (labels,
// options, defaults). Quirks of the DNSFilter document are handled here, each where it is met.
import { assignLocators } from './locators.mjs';
import { OVERRIDES } from './overrides.mjs';
import {
	actionOf,
	actionSentence,
	camel,
	fieldLabel,
	fieldName,
	operationLabel,
	operationValue,
	pascal,
	resourceNaming,
	singularWord,
	title,
	titleWord,
	words,
} from './naming.mjs';

/** Top-level parameter names the node itself uses; a spec parameter with one of these names is renamed. */
export const RESERVED_NAMES = new Set([
	'additionalFields',
	'completionTimeout',
	'jsonBody',
	'limit',
	'operation',
	'options',
	'pollInterval',
	'requestOptions',
	'resource',
	'returnAll',
	'simplify',
	'useJsonBody',
	'waitForCompletion',
]);

function schemaType(schema) {
	if (!schema || typeof schema !== 'object') return undefined;
	if (Array.isArray(schema.type)) return schema.type.find((entry) => entry !== 'null');
	if (schema.type) return schema.type;
	if (schema.properties) return 'object';
	if (schema.items) return 'array';
	return undefined;
}

function isPrimitive(schema) {
	return ['string', 'integer', 'number', 'boolean'].includes(schemaType(schema));
}

function enumValues(schema) {
	if (!Array.isArray(schema?.enum)) return undefined;
	const values = schema.enum.filter((value) =>
		['string', 'number', 'boolean'].includes(typeof value),
	);
	return values.length ? values : undefined;
}

/**
 * Maps a schema to a field type. Returns `{ type, integer?, jsonShape?, enum? }`.
 *
 * Quirk: the user show path (`/v1/users/{id}`) declares its id as `oneOf [integer, "self"]`; that
 * becomes `idOrSelf`, a string field accepting a number or the word `self`.
 * Dates follow the schema: `format: date` is a `date` (sent as YYYY-MM-DD), `format: date-time`
 * a `dateTime`. Quirk: the traffic reports declare their `from` / `to` window as plain strings
 * (a date and time, per the API); makeField turns such time-named strings into `dateTime`.
 */
export function classifySchema(schema) {
	if (!schema || typeof schema !== 'object') return { type: 'json', jsonShape: 'any' };
	const variants = schema.oneOf ?? schema.anyOf;
	if (Array.isArray(variants)) {
		const hasInteger = variants.some((variant) =>
			['integer', 'number'].includes(schemaType(variant)),
		);
		const selfOnly = variants.some(
			(variant) => schemaType(variant) === 'string' && enumValues(variant)?.length === 1,
		);
		if (variants.length === 2 && hasInteger && selfOnly) return { type: 'idOrSelf' };
		if (variants.every(isPrimitive)) return { type: 'string' };
		return { type: 'json', jsonShape: 'any' };
	}
	const type = schemaType(schema);
	switch (type) {
		case 'string': {
			const values = enumValues(schema);
			if (values) return { type: 'options', enum: values };
			if (schema.format === 'date') return { type: 'date' };
			if (schema.format === 'date-time') return { type: 'dateTime' };
			return { type: 'string' };
		}
		case 'integer':
		case 'number': {
			const values = enumValues(schema);
			if (values) return { type: 'options', enum: values };
			return { type: 'number', integer: type === 'integer' };
		}
		case 'boolean':
			return { type: 'boolean' };
		case 'array': {
			const items = schema.items ?? {};
			if (isPrimitive(items)) {
				const values = enumValues(items);
				if (values) return { type: 'multiOptions', enum: values };
				const itemType = schemaType(items);
				return {
					type: 'stringList',
					integer: itemType === 'integer' || itemType === 'number' ? true : undefined,
				};
			}
			return { type: 'json', jsonShape: 'array' };
		}
		case 'object':
			return { type: 'json', jsonShape: 'object' };
		default:
			return { type: 'json', jsonShape: 'any' };
	}
}

function firstSuccess(responses) {
	const codes = Object.keys(responses ?? {})
		.filter((code) => /^2\d\d$/.test(code))
		.sort();
	if (codes.length === 0) return { code: undefined, schema: undefined };
	const code = codes[0];
	const content = responses[code]?.content ?? {};
	const type =
		Object.keys(content)
			.sort()
			.find((key) => key.includes('json')) ?? Object.keys(content).sort()[0];
	return { code, schema: type ? content[type]?.schema : undefined };
}

function outputKind(op, pagination) {
	if (pagination) return 'list';
	const { code, schema } = firstSuccess(op.responses);
	// Only a declared 204 means "no content"; a 200 without a schema (the distributor reports)
	// still answers with data, shaped as a record.
	if (code === '204' || code === undefined) return 'none';
	if (!schema) return 'record';
	if (schemaType(schema) === 'array') return 'list';
	if (schemaType(schema?.properties?.data) === 'array') return 'list';
	return 'record';
}

function paginationStyle(op) {
	const { schema } = firstSuccess(op.responses);
	const data = schema?.properties?.data;
	if (data?.properties?.values) return 'trafficReport';
	return 'v1';
}

function requestBodySchema(requestBody) {
	const content = requestBody?.content ?? {};
	const type =
		Object.keys(content)
			.sort()
			.find((key) => key.includes('json')) ?? Object.keys(content).sort()[0];
	return type ? content[type]?.schema : undefined;
}

/**
 * Splits a body schema into `{ kind, rootKey?, properties, required }`.
 *
 * Quirk: most create/update bodies wrap the record in one root key (`{"network": {...}}`). A
 * schema whose only property is an object with properties of its own is such a wrapper: its inner
 * properties become fields and the router puts them back under `rootKey`. A lone property that is
 * an array or a scalar (`{"ids": [...]}`, `{"new_password": "..."}`) is a real field, not a wrapper.
 */
function analyseBody(schema) {
	const type = schemaType(schema);
	if (type === 'array') return { kind: 'array', properties: {}, required: [] };
	if (type !== 'object' || !schema.properties || Object.keys(schema.properties).length === 0) {
		return { kind: 'unknown', properties: {}, required: [] };
	}
	const keys = Object.keys(schema.properties);
	if (keys.length === 1) {
		const inner = schema.properties[keys[0]];
		if (
			schemaType(inner) === 'object' &&
			inner.properties &&
			Object.keys(inner.properties).length > 0
		) {
			return {
				kind: 'object',
				rootKey: keys[0],
				properties: inner.properties,
				required: inner.required ?? [],
			};
		}
	}
	return { kind: 'object', properties: schema.properties, required: schema.required ?? [] };
}

/**
 * Structural facts a field's description is written from (never the spec's prose): format,
 * range, item type, `oneOf` variants, the path segment naming the record a path parameter
 * identifies, and the body root key.
 */
function schemaHints(schema, extra = {}) {
	const hints = { ...extra };
	if (!schema || typeof schema !== 'object') return hints;
	if (typeof schema.format === 'string') hints.format = schema.format;
	if (typeof schema.minimum === 'number') hints.minimum = schema.minimum;
	if (typeof schema.maximum === 'number') hints.maximum = schema.maximum;
	if (schema.items && typeof schema.items === 'object') {
		hints.itemType = schemaType(schema.items);
		if (typeof schema.items.format === 'string') hints.itemFormat = schema.items.format;
	}
	const variants = schema.oneOf ?? schema.anyOf;
	if (Array.isArray(variants)) {
		hints.variants = variants.map((variant) => schemaType(variant) ?? 'any');
		const fixed = variants.map(enumValues).find((values) => values?.length === 1);
		if (fixed) hints.fixedValue = String(fixed[0]);
	}
	return hints;
}

/** The path segment right before `{name}`: `/v1/users/{id}` → `users`. */
function segmentBefore(pathTemplate, name) {
	const parts = pathTemplate.split('/');
	const index = parts.indexOf(`{${name}}`);
	return index > 0 && !parts[index - 1].startsWith('{') ? parts[index - 1] : undefined;
}

/** A string or integer named like a point in time: `from`, `to`, `start_at`, `created_at_from`. */
export function isTimeName(name) {
	return /^(from|to)$/.test(name) || /(^|_)at(_(from|to))?$/.test(name);
}

function makeField({ wireName, location, schema, required, hints }) {
	const mapped = classifySchema(schema);
	if (mapped.type === 'string' && !schema?.format && isTimeName(wireName.toLowerCase()))
		mapped.type = 'dateTime';
	const field = {
		wireName,
		field: fieldName(wireName),
		in: location,
		type: mapped.type,
		required: Boolean(required),
	};
	if (mapped.jsonShape) field.jsonShape = mapped.jsonShape;
	if (mapped.integer) field.integer = true;
	// Emitter-only data (removed from the table row).
	field.enum = mapped.enum;
	field.displayName = fieldLabel(wireName);
	field.hints = schemaHints(schema, hints);
	return field;
}

/** One body field per top-level property of an analysed body (under its root key, if any), sorted. */
function bodyFields(shape) {
	return Object.keys(shape.properties)
		.sort()
		.map((key) =>
			makeField({
				wireName: key,
				location: 'body',
				schema: shape.properties[key],
				required: shape.required.includes(key),
				hints: shape.rootKey ? { rootKey: shape.rootKey } : {},
			}),
		);
}

/** Where a field's parameter is shown: top level (path and required fields) or a collection. */
function placeOf(field) {
	if (field.in === 'path' || field.required) return 'top';
	return field.in === 'query' ? 'options' : 'additionalFields';
}

/** The parameter path a saved workflow stores a field's value under: `name` or `options.name`. */
export function parameterPath(field) {
	return field.collection ? `${field.collection}.${field.field}` : field.field;
}

/** `body name`: how the lock and the diff name a field of one operation (where it is sent, its wire name). */
export function fieldKey(field) {
	return `${field.in} ${field.wireName}`;
}

/**
 * Gives every field an n8n name unique within where it is shown, and records where that is.
 * Names in `locked` (field key → stored parameter path) are taken first, so a parameter added
 * later never takes a saved name from an existing one; only new fields get derived names. A
 * locked field that is now shown elsewhere (say an optional field became required) keeps no
 * name here: the lock check reports it, since saved values would stay behind.
 */
function placeFields(fields, locked = {}) {
	const used = { top: new Set(RESERVED_NAMES), options: new Set(), additionalFields: new Set() };
	const fresh = [];
	for (const field of fields) {
		const place = placeOf(field);
		if (place !== 'top') field.collection = place;
		const stored = locked[fieldKey(field)]?.parameter;
		const storedPlace = stored?.includes('.') ? stored.slice(0, stored.indexOf('.')) : 'top';
		const name = stored?.slice(stored.indexOf('.') + 1);
		if (!stored || storedPlace !== place || used[place].has(name)) {
			fresh.push(field);
			continue;
		}
		used[place].add(name);
		field.field = name;
		// A name that is not the wire name's own was renamed to stay unique: its label says so.
		if (name !== fieldName(field.wireName)) {
			field.displayName = `${title(field.in)} ${field.displayName}`;
			field.hints.renamed = true;
		}
	}
	for (const field of fresh) {
		const place = placeOf(field);
		let name = field.field;
		if (used[place].has(name)) {
			name = camel(`${field.in} ${field.wireName}`);
			field.displayName = `${title(field.in)} ${field.displayName}`;
			field.hints.renamed = true;
		}
		for (let n = 2; used[place].has(name); n++)
			name = `${camel(`${field.in} ${field.wireName}`)}${n}`;
		used[place].add(name);
		field.field = name;
	}
	// Collections list their entries by display name; keep those unique too.
	for (const place of ['options', 'additionalFields']) {
		const labels = new Map();
		for (const field of fields.filter((entry) => entry.collection === place)) {
			const count = labels.get(field.displayName) ?? 0;
			labels.set(field.displayName, count + 1);
			if (count) {
				field.displayName = `${field.displayName} ${count + 1}`;
				field.hints.renamed = true;
			}
		}
	}
}

/** Prefers a read operation as the default: Get Many, then Get All, then Get, then any GET. */
function defaultOperation(operations) {
	for (const action of ['index', 'all', 'show']) {
		const found = operations.find(
			(op) => op.method === 'GET' && actionOf(op.operationId) === action && !op.path.includes('{'),
		);
		if (found) return found;
	}
	for (const action of ['index', 'all', 'show']) {
		const found = operations.find(
			(op) => op.method === 'GET' && actionOf(op.operationId) === action,
		);
		if (found) return found;
	}
	return [...operations]
		.sort((a, b) => a.label.localeCompare(b.label, 'en'))
		.find((op) => op.method === 'GET');
}

/** `ip_addresses` → `IP address`, `lan_ip` → `LAN IP`: a noun for a sentence, acronyms kept. */
function nounPhrase(list) {
	return list
		.map((word) => {
			const titled = titleWord(word);
			return titled.length > 1 && titled === titled.toUpperCase() ? titled : word.toLowerCase();
		})
		.join(' ');
}

/**
 * Says whose ID an ID field holds: a path `{id}` is named by the path segment before it
 * (`/v1/api_keys/{id}` → "API Key ID"), another `id` by the resource, an `*_id` by its own words.
 * Required IDs become text fields that start empty (n8n flags them until filled) while the table
 * keeps their wire type. Label overrides per tag (overrides.fields) come last.
 */
function nameFields(fields, op, resource) {
	for (const field of fields) {
		const name = field.wireName.toLowerCase();
		const idWords = words(name);
		const isId = idWords.at(-1) === 'id' && ['number', 'string', 'idOrSelf'].includes(field.type);
		if (isId) {
			let noun;
			if (name === 'id' && field.in === 'path') {
				const segment = field.hints.segment;
				const named = segment ? OVERRIDES.idSegments[segment] : 'record';
				const segmentWords = segment ? words(segment) : [];
				noun =
					named ??
					(segmentWords.length && singularWord(segmentWords.at(-1)) !== segmentWords.at(-1)
						? nounPhrase([...segmentWords.slice(0, -1), singularWord(segmentWords.at(-1))])
						: nounPhrase(words(resource.singular)));
			} else if (name === 'id') {
				noun = nounPhrase(words(resource.singular));
			} else {
				noun = nounPhrase(idWords.slice(0, -1));
			}
			field.hints.idOf = noun;
			if (name === 'id' && !field.hints.renamed) field.displayName = `${title(noun)} ID`;
			if ((field.in === 'path' || field.required) && field.type === 'number')
				field.hints.requiredId = true;
		}
		const override = OVERRIDES.fields[op.tag]?.[`${field.in} ${field.wireName}`];
		if (override?.name) field.displayName = override.name;
		if (override?.description) field.hints.description = override.description;
	}
}

/** `GET /v1/networks/{id}`: what the lock keys an operation by, stable when tags or operationIds change. */
export function operationKey(op) {
	return `${op.method} ${op.path}`;
}

const NO_LOCK = { resources: {}, operations: {} };

/**
 * Builds the model of every operation: table rows plus label data, sorted by resource then operation.
 * `stored.lock` (scripts/generator/stored-names.lock.json) gives the names saved workflows hold:
 * they are used as they are, and only operations and fields the lock does not know get derived
 * names. `stored.retired` lists values of retired operations (the aliases table), which no new
 * operation may take.
 */
export function buildModel(rawOperations, { lock = NO_LOCK, retired = new Set() } = {}) {
	// Tags become resources; a tag with no read operation of its own is merged into a related
	// resource (overrides.resources[tag].mergeInto), so every resource opens on a read operation.
	// A tag whose operations are locked keeps their resource value when it is renamed.
	const targetOf = (tag) => OVERRIDES.resources[tag]?.mergeInto ?? tag;
	const lockedResource = new Map();
	for (const op of [...rawOperations].sort((x, y) =>
		operationKey(x).localeCompare(operationKey(y)),
	)) {
		const locked = lock.operations[operationKey(op)]?.resource;
		if (locked && !lockedResource.has(targetOf(op.tag)))
			lockedResource.set(targetOf(op.tag), locked);
	}
	const resourceOf = (op) =>
		lock.operations[operationKey(op)]?.resource ??
		lockedResource.get(targetOf(op.tag)) ??
		resourceNaming(targetOf(op.tag)).value;
	const byResource = new Map();
	for (const tag of [...new Set(rawOperations.map((op) => op.tag))].sort()) {
		for (const value of [
			...new Set(rawOperations.filter((op) => op.tag === tag).map(resourceOf)),
		].sort()) {
			if (!byResource.has(value)) byResource.set(value, { targets: [], tags: [] });
			const entry = byResource.get(value);
			if (targetOf(tag) === tag) entry.primary = tag;
			if (!entry.targets.includes(targetOf(tag))) entry.targets.push(targetOf(tag));
			entry.tags.push(tag);
		}
	}
	for (const [value, entry] of byResource) {
		// Labels come from the tag (they may change); the value is the stored one.
		const target =
			entry.targets.find((tag) => resourceNaming(tag).value === value) ??
			[...entry.targets].sort()[0];
		entry.naming = { ...resourceNaming(target), value };
	}

	const resources = [];
	const operations = [];
	const values = new Map();
	const taken = (opValue) => values.has(opValue) || retired.has(opValue);
	// Locked values first, so a new operation whose derived value equals a locked one is the one told to change.
	for (const op of rawOperations) {
		const locked = lock.operations[operationKey(op)]?.operation;
		if (locked) values.set(locked, op.operationId);
	}
	for (const [value, { naming, tags, primary }] of [...byResource.entries()].sort((a, b) =>
		a[1].naming.singular.localeCompare(b[1].naming.singular, 'en'),
	)) {
		if (!primary) throw new Error(`mergeInto: no tag of its own for resource "${value}"`);
		const resource = { tag: primary, tags, ...naming, file: pascal(naming.value), operations: [] };
		resources.push(resource);

		const labels = new Set();
		const tagOps = rawOperations
			.filter((op) => tags.includes(op.tag) && resourceOf(op) === value)
			.sort((a, b) => a.operationId.localeCompare(b.operationId));
		for (const op of tagOps) {
			const label = operationLabel(op, naming);
			if (labels.has(label))
				throw new Error(
					`Operation label "${label}" repeats in resource ${naming.value}; add an override`,
				);
			labels.add(label);
			const stored = lock.operations[operationKey(op)];
			let opValue = stored?.operation;
			if (!opValue) {
				opValue = operationValue(op, label);
				if (taken(opValue)) {
					throw new Error(
						`Operation value "${opValue}" of ${op.operationId} repeats ${values.get(opValue) ?? 'a retired operation (stored-names.aliases.json)'}; add an override`,
					);
				}
				values.set(opValue, op.operationId);
			}
			const model = buildOperation(op, resource, opValue, label, stored?.fields);
			model.derivedValue = operationValue(op, label);
			model.derivedResource = resourceNaming(targetOf(op.tag)).value;
			resource.operations.push(model);
			operations.push(model);
		}
		resource.operations.sort((a, b) => a.value.localeCompare(b.value));
		// The default operation is stored too: n8n leaves a parameter equal to its default out of a saved workflow.
		const lockedDefault = lock.resources[value]?.defaultOperation;
		const preferred =
			resource.operations.find((op) => op.value === lockedDefault) ??
			defaultOperation(resource.operations);
		if (!preferred)
			throw new Error(
				`Resource ${naming.value} has no read operation to open on; merge it into another (overrides.resources.mergeInto)`,
			);
		resource.defaultOperation = preferred.value;
	}

	for (const extra of OVERRIDES.customOperations) {
		const resource = resources.find((entry) => entry.value === extra.resource);
		if (!resource && !extra.ownResource)
			throw new Error(`customOperations: unknown resource ${extra.resource}`);
		if (values.has(extra.value))
			throw new Error(`customOperations: ${extra.value} clashes with a generated operation`);
		if (resource?.operations.some((op) => op.label === extra.name)) {
			throw new Error(
				`customOperations: ${extra.resource}/${extra.name} clashes with a generated operation`,
			);
		}
		values.set(extra.value, extra.resource);
	}

	linkExports(resources);
	const locators = assignLocators(operations);
	return { resources, operations, locators };
}

/**
 * Quirk: CSV exports are asynchronous. `create` starts a job and returns its record; the `show`
 * of the same tag returns the job again, with `url` set once the file is ready. The create row
 * points at the show row through `exportStatusOperationId`, which "Wait for Completion" polls.
 */
function linkExports(resources) {
	for (const resource of resources) {
		for (const op of resource.operations) {
			const explicit = OVERRIDES.exportStatus[op.operationId];
			if (explicit) {
				op.row.exportStatusOperationId = explicit;
				continue;
			}
			if (!/csv export/i.test(op.tag) || actionOf(op.operationId) !== 'create') continue;
			const status = resource.operations.find(
				(candidate) => candidate.tag === op.tag && actionOf(candidate.operationId) === 'show',
			);
			if (status) op.row.exportStatusOperationId = status.operationId;
		}
	}
}

function buildOperation(op, resource, value, label, lockedFields) {
	const fields = [];
	let pagination;
	let body;

	const parameters = [...op.parameters].sort((a, b) => {
		const order = { path: 0, query: 1, header: 2, cookie: 3 };
		return (order[a.in] ?? 9) - (order[b.in] ?? 9) || a.name.localeCompare(b.name);
	});
	for (const parameter of parameters) {
		if (parameter.in !== 'path' && parameter.in !== 'query') continue;
		const schema = parameter.schema ?? {};
		// Quirk: list endpoints take a `page` object (`page[number]`, `page[size]`). It is replaced by
		// Return All / Limit; the transport writes the two query keys while it walks the pages.
		if (parameter.in === 'query' && parameter.name === 'page' && schemaType(schema) === 'object') {
			pagination = paginationStyle(op);
			continue;
		}
		// Quirk: the distributor endpoints (and one UI-settings endpoint) declare their request body
		// as a required query parameter named `body` of an object schema. Sending a JSON object in a
		// query string is not what the API reads, so it is treated as the request body.
		if (parameter.in === 'query' && parameter.name === 'body' && schemaType(schema) === 'object') {
			const shape = analyseBody(schema);
			body = {
				kind: shape.kind,
				required: Boolean(parameter.required),
				declaredAsQueryParam: true,
			};
			if (shape.rootKey) body.rootKey = shape.rootKey;
			fields.push(...bodyFields(shape));
			continue;
		}
		fields.push(
			makeField({
				wireName: parameter.name,
				location: parameter.in,
				schema,
				required: parameter.in === 'path' ? true : parameter.required,
				hints: parameter.in === 'path' ? { segment: segmentBefore(op.path, parameter.name) } : {},
			}),
		);
	}

	// Quirk: two bodies sit on methods that usually have none (GET /v1/ip_addresses/verify,
	// DELETE /v1/networks/bulk_destroy). The table keeps them as bodies; the router sends a GET's
	// body as bracketed query parameters, because n8n's HTTP helper drops GET bodies.
	if (op.requestBody && !body) {
		const shape = analyseBody(requestBodySchema(op.requestBody));
		const anyRequired = shape.required.length > 0;
		body = { kind: shape.kind, required: Boolean(op.requestBody.required) || anyRequired };
		if (shape.rootKey) body.rootKey = shape.rootKey;
		fields.push(...bodyFields(shape));
	}

	// The names the document alone would give, so the diff can tell which ones the lock kept.
	const unlocked = fields.map((field) => ({ ...field, hints: { ...field.hints } }));
	placeFields(unlocked);
	placeFields(fields, lockedFields);
	fields.forEach((field, index) => {
		field.hints.derivedField = unlocked[index].field;
	});
	nameFields(fields, op, resource);

	const row = {
		operationId: op.operationId,
		resource: resource.value,
		operation: value,
		method: op.method,
		path: op.path,
		fields: fields.map(({ enum: _enum, displayName: _label, hints: _hints, ...spec }) => spec),
	};
	if (body) row.body = body;
	if (pagination) row.pagination = pagination;
	row.output = outputKind(op, pagination);
	row.displayName = label;

	return {
		key: operationKey(op),
		operationId: op.operationId,
		tag: op.tag,
		method: op.method,
		path: op.path,
		value,
		label,
		action: actionSentence(label),
		fields,
		row,
	};
}
