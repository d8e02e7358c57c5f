// Valid sample values from the DNSFilter document's JSON schemas, deterministic per seed.
//
// - $ref is resolved (cycles end at a depth limit, where only required properties are kept);
// - enum → its first non-null value; const → itself;
// - strings honour the formats the document uses (date, date-time, uuid, email, ipv4, ipv6, uri,
//   hostname) and minLength/maxLength; integers/numbers honour minimum/maximum (exclusive too);
// - arrays get max(1, minItems) items; objects get their required properties plus a deterministic
//   sample of the optional ones (`optional: 'some'`, never leaving an object empty), all of them
//   (`'all'`) or none (`'none'`);
// - oneOf/anyOf → the variant chosen by `variant` (so running with variant 0 and 1 covers both
//   arms of e.g. `oneOf [integer, "self"]`); allOf → the merged object.
import { resolveRef } from './spec-corrections.mjs';

/** FNV-1a, for deterministic "random" choices keyed by a string. */
export function hash(text) {
	let h = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) {
		h ^= text.charCodeAt(i);
		h = Math.imul(h, 0x01000193) >>> 0;
	}
	return h;
}

const FORMAT_SAMPLES = {
	date: '2026-01-15',
	'date-time': '2026-01-15T10:20:30Z',
	uuid: '3f1c2e4a-5b6d-4e7f-8a9b-0c1d2e3f4a5b',
	email: 'sample@example.com',
	ipv4: '192.0.2.10',
	ipv6: '2001:db8::10',
	uri: 'https://example.com/sample',
	url: 'https://example.com/sample',
	hostname: 'example.com',
	password: 'Sample-Passw0rd!',
};

function typeOf(schema) {
	if (Array.isArray(schema.type)) return schema.type.find((t) => t !== 'null') ?? 'string';
	if (schema.type) return schema.type;
	if (schema.properties || schema.additionalProperties || schema.required) return 'object';
	if (schema.items) return 'array';
	return undefined;
}

function sampleString(schema, name) {
	if (schema.format && FORMAT_SAMPLES[schema.format]) return FORMAT_SAMPLES[schema.format];
	let value = `sample-${String(name || 'value').replace(/[^A-Za-z0-9_-]/g, '') || 'value'}`;
	const min = schema.minLength ?? 0;
	const max = schema.maxLength ?? Infinity;
	while (value.length < min) value += 'x';
	if (value.length > max) value = value.slice(0, Math.max(max, 0));
	return value;
}

function sampleNumber(schema, integer) {
	let low = schema.minimum ?? -Infinity;
	let high = schema.maximum ?? Infinity;
	if (typeof schema.exclusiveMinimum === 'number')
		low = Math.max(low, schema.exclusiveMinimum + (integer ? 1 : 0.5));
	else if (schema.exclusiveMinimum === true) low += integer ? 1 : 0.5;
	if (typeof schema.exclusiveMaximum === 'number')
		high = Math.min(high, schema.exclusiveMaximum - (integer ? 1 : 0.5));
	else if (schema.exclusiveMaximum === true) high -= integer ? 1 : 0.5;
	let value = integer ? 7 : 1.5;
	if (value < low) value = integer ? Math.ceil(low) : low;
	if (value > high) value = integer ? Math.floor(high) : high;
	if (schema.multipleOf) value = Math.ceil(value / schema.multipleOf) * schema.multipleOf;
	return value;
}

/**
 * `createSampler(spec, { seed, variant, optional, maxDepth })` → `sample(schema, name)`.
 * `seed` keys the choice of optional properties; `variant` picks oneOf/anyOf arms.
 */
export function createSampler(
	spec,
	{ seed = '', variant = 0, optional = 'some', maxDepth = 5 } = {},
) {
	const choose = (key) => hash(`${seed}|${key}`) % 2 === 0;

	function sample(input, name = '', depth = 0, trail = name) {
		const schema = resolveRef(spec, input ?? {});
		if (!schema || typeof schema !== 'object') return `sample-${name || 'value'}`;
		if ('const' in schema) return schema.const;
		if (Array.isArray(schema.enum) && schema.enum.length) {
			const first = schema.enum.find((v) => v !== null);
			return first === undefined ? schema.enum[0] : first;
		}
		if (
			'example' in schema &&
			schema.example !== null &&
			typeof schema.example !== 'object' &&
			!schema.format &&
			typeOf(schema) === 'string'
		) {
			// Examples on plain strings are meaningful (e.g. a domain); keep them when present.
			return schema.example;
		}
		const arms = schema.oneOf ?? schema.anyOf;
		if (Array.isArray(arms) && arms.length) {
			return sample(arms[variant % arms.length], name, depth, trail);
		}
		if (Array.isArray(schema.allOf) && schema.allOf.length) {
			const merged = { type: 'object', properties: {}, required: [] };
			for (const part of schema.allOf) {
				const resolved = resolveRef(spec, part);
				Object.assign(merged.properties, resolved.properties ?? {});
				merged.required.push(...(resolved.required ?? []));
			}
			const { allOf, ...rest } = schema;
			return sample({ ...rest, ...merged }, name, depth, trail);
		}
		switch (typeOf(schema)) {
			case 'integer':
				return sampleNumber(schema, true);
			case 'number':
				return sampleNumber(schema, false);
			case 'boolean':
				return true;
			case 'array': {
				const count = Math.max(1, schema.minItems ?? 0);
				return Array.from({ length: count }, (_, i) =>
					sample(schema.items ?? {}, name, depth + 1, `${trail}[${i}]`),
				);
			}
			case 'object':
				return sampleObject(schema, name, depth, trail);
			case 'string':
				return sampleString(schema, name);
			default:
				return sampleString(schema, name);
		}
	}

	function sampleObject(schema, name, depth, trail) {
		const out = {};
		const required = new Set(schema.required ?? []);
		for (const [key, propertySchema] of Object.entries(schema.properties ?? {})) {
			const resolved = resolveRef(spec, propertySchema ?? {});
			if (resolved?.readOnly) continue;
			const include =
				required.has(key) ||
				(depth < maxDepth &&
					(optional === 'all' || (optional === 'some' && choose(`${trail}.${key}`))));
			if (include) out[key] = sample(propertySchema, key, depth + 1, `${trail}.${key}`);
		}
		// An object sample with nothing in it tests nothing (and vanishes from a query string).
		if (Object.keys(out).length === 0 && depth < maxDepth && optional !== 'none') {
			const first = Object.entries(schema.properties ?? {}).find(
				([, p]) => !resolveRef(spec, p ?? {})?.readOnly,
			);
			if (first) out[first[0]] = sample(first[1], first[0], depth + 1, `${trail}.${first[0]}`);
		}
		return out;
	}

	return { sample, choose };
}

/** Whether a schema (after $ref) has a oneOf/anyOf anywhere in the parts a sample would use. */
export function hasVariants(spec, schema, depth = 0, seen = new Set()) {
	if (!schema || typeof schema !== 'object' || depth > 6) return false;
	if (schema.$ref) {
		if (seen.has(schema.$ref)) return false;
		seen.add(schema.$ref);
		return hasVariants(spec, resolveRef(spec, schema), depth + 1, seen);
	}
	if (schema.oneOf || schema.anyOf) return true;
	if (schema.items && hasVariants(spec, schema.items, depth + 1, seen)) return true;
	for (const part of schema.allOf ?? []) if (hasVariants(spec, part, depth + 1, seen)) return true;
	for (const value of Object.values(schema.properties ?? {}))
		if (hasVariants(spec, value, depth + 1, seen)) return true;
	return false;
}
