// The names saved workflows hold (resource and operation values, parameter paths, top-level
// defaults, option values), kept in a lock keyed by method + path, and the aliases table for
// operations that are gone. The generator reads both before it derives anything, checks the new
// model against them and writes the lock back with the names of what is new.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { fieldDefault } from './emitTs.mjs';
import { fieldKey, parameterPath } from './fields.mjs';
import { literal } from './literal.mjs';
import { actionSentence } from './naming.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_LOCK_PATH = path.join(here, 'stored-names.lock.json');
export const DEFAULT_ALIASES_PATH = path.join(here, 'stored-names.aliases.json');

const LOCK_ABOUT =
	'Names saved workflows hold, keyed by method + path. Written by `npm run generate`: existing entries are read back and never renamed; new operations and fields are added. A name that disappears fails generation until it is moved to stored-names.aliases.json.';

export function emptyLock() {
	return { about: LOCK_ABOUT, resources: {}, operations: {} };
}

export function emptyAliases() {
	return { operations: {}, fields: {} };
}

export function loadLock(lockPath = DEFAULT_LOCK_PATH) {
	if (!existsSync(lockPath)) return emptyLock();
	const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
	return { ...emptyLock(), ...lock };
}

export function loadAliases(aliasesPath = DEFAULT_ALIASES_PATH) {
	if (!existsSync(aliasesPath)) return emptyAliases();
	const aliases = JSON.parse(readFileSync(aliasesPath, 'utf8'));
	return {
		...emptyAliases(),
		...aliases,
		operations: aliases.operations ?? {},
		fields: aliases.fields ?? {},
	};
}

/** Operation values the aliases table keeps for saved workflows: no new operation may take one. */
export function retiredValues(aliases) {
	return new Set(Object.keys(aliases.operations).map((key) => key.slice(key.indexOf(':') + 1)));
}

function sortedObject(entries) {
	return Object.fromEntries([...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

/** An empty record picker and the empty text ID it replaced leave the same thing unsaved: no ID. */
function emptyId(value) {
	return (
		value === '' ||
		(value !== null &&
			typeof value === 'object' &&
			value.value === '' &&
			Object.keys(value).every((key) => ['mode', 'value'].includes(key)))
	);
}

function same(a, b) {
	return JSON.stringify(a) === JSON.stringify(b) || (emptyId(a) && emptyId(b));
}

function isOptions(field) {
	return field.type === 'options' || field.type === 'multiOptions';
}

/** What a field's lock entry records: its parameter path, its default at the top level, its option values. */
function fieldEntry(field) {
	const entry = { parameter: parameterPath(field) };
	// A collection entry is stored only once the user adds it, with its value; a top-level
	// parameter left at its default is not stored at all, so its default is part of the contract.
	if (!field.collection) entry.default = field.locator ? '' : fieldDefault(field);
	if (isOptions(field)) entry.values = [...field.enum];
	return entry;
}

/** The lock for a model: every operation's stored names, and each resource's default operation. */
export function lockOf(model) {
	const resources = sortedObject(
		model.resources.map((resource) => [
			resource.value,
			{ defaultOperation: resource.defaultOperation },
		]),
	);
	const operations = sortedObject(
		model.operations.map((op) => [
			op.key,
			{
				resource: op.row.resource,
				operation: op.row.operation,
				fields: sortedObject(op.fields.map((field) => [fieldKey(field), fieldEntry(field)])),
			},
		]),
	);
	return { about: LOCK_ABOUT, resources, operations };
}

/** Pretty JSON with each resource and field entry on one line, so a review reads one change per line. */
export function lockText(lock) {
	const compact = (object, depth) =>
		`{\n${Object.entries(object)
			.map(
				([name, value]) =>
					`${'\t'.repeat(depth + 1)}${JSON.stringify(name)}: ${JSON.stringify(value)}`,
			)
			.join(',\n')}\n${'\t'.repeat(depth)}}`;
	const operations = Object.entries(lock.operations).map(
		([key, entry]) =>
			`\t\t${JSON.stringify(key)}: {\n\t\t\t"resource": ${JSON.stringify(entry.resource)},\n\t\t\t"operation": ${JSON.stringify(entry.operation)},\n\t\t\t"fields": ${Object.keys(entry.fields).length ? compact(entry.fields, 3) : '{}'}\n\t\t}`,
	);
	return `{\n\t"about": ${JSON.stringify(lock.about)},\n\t"resources": ${compact(lock.resources, 1)},\n\t"operations": {\n${operations.join(',\n')}\n\t}\n}\n`;
}

export function writeLock(lockPath, lock) {
	writeFileSync(lockPath, lockText(lock));
}

/**
 * Checks a freshly built model against the lock and the aliases table, and applies the locked
 * defaults of option fields that still offer them. Returns `problems` (each a sentence naming
 * the saved value that would break and what to do) and `kept` (names the lock kept although the
 * document now derives others: what a regeneration without the lock would have renamed).
 */
export function reconcile(model, lock, aliases) {
	const problems = [];
	const byKey = new Map(model.operations.map((op) => [op.key, op]));
	const byValue = new Map(
		model.operations.map((op) => [`${op.row.resource}:${op.row.operation}`, op]),
	);

	for (const [key, stored] of Object.entries(lock.operations)) {
		const saved = `${stored.resource}:${stored.operation}`;
		const op = byKey.get(key);
		if (!op) {
			if (!aliases.operations[saved]) {
				problems.push(
					`${key} (saved as ${saved}) is gone from the document. Saved workflows use it: move it to the aliases table (scripts/generator/stored-names.aliases.json) as { "to": "<method path that runs instead>" } or { "removed": "<what to use instead>" }.`,
				);
			}
			continue;
		}
		const retiredFields = aliases.fields[key] ?? {};
		const current = new Map(op.fields.map((field) => [fieldKey(field), field]));
		for (const [name, entry] of Object.entries(stored.fields ?? {})) {
			const field = current.get(name);
			const where = `${saved} parameter ${entry.parameter} (${name})`;
			if (!field) {
				if (retiredFields[name] === undefined)
					problems.push(
						`${where} is gone from the document. Retire it in the aliases table (fields["${key}"]["${name}"]: why) or keep it in the document.`,
					);
				continue;
			}
			if (parameterPath(field) !== entry.parameter) {
				problems.push(
					`${where} would move to ${parameterPath(field)}: saved values would stay behind. This is a breaking change: it needs a new node version.`,
				);
				continue;
			}
			if (entry.values) {
				const now = isOptions(field) ? field.enum : [];
				const lost = entry.values.filter((value) => !now.includes(value));
				if (lost.length)
					problems.push(
						`${where} would lose the option value(s) ${lost.map((value) => JSON.stringify(value)).join(', ')} that saved workflows may hold. This is a breaking change: it needs a new node version.`,
					);
			}
			if ('default' in entry && !field.collection) {
				if (field.type === 'options' && field.enum.includes(entry.default))
					field.storedDefault = entry.default;
				if (!same(fieldDefault(field), entry.default)) {
					problems.push(
						`${where} would change its default from ${JSON.stringify(entry.default)} to ${JSON.stringify(fieldDefault(field))}; saved workflows that left it at the default would change. This is a breaking change: it needs a new node version.`,
					);
				}
			}
		}
	}

	for (const [value, stored] of Object.entries(lock.resources)) {
		const resource = model.resources.find((entry) => entry.value === value);
		if (resource && resource.defaultOperation !== stored.defaultOperation) {
			problems.push(
				`resource ${value} would open on ${resource.defaultOperation} instead of ${stored.defaultOperation}; saved workflows that left the operation at its default would run another operation. This is a breaking change: it needs a new node version.`,
			);
		}
	}

	for (const [saved, alias] of Object.entries(aliases.operations)) {
		if (byValue.has(saved))
			problems.push(
				`aliases table: ${saved} is the value of a current operation (${byValue.get(saved).key}); an alias may only name a retired value.`,
			);
		if (alias.to && !byKey.has(alias.to))
			problems.push(`aliases table: ${saved} runs ${alias.to}, which is not in the document.`);
		if (alias.replacedBy && !byKey.has(alias.replacedBy))
			problems.push(
				`aliases table: ${saved} names ${alias.replacedBy} as its replacement, which is not in the document.`,
			);
		if (!alias.to && typeof alias.removed !== 'string')
			problems.push(
				`aliases table: ${saved} needs "to" (the method and path it runs) or "removed" (a sentence saying it is gone).`,
			);
	}

	const derived = lockOf(model);
	const kept = [];
	for (const [key, stored] of Object.entries(lock.operations)) {
		const op = byKey.get(key);
		if (!op) continue;
		if (op.derivedValue && op.derivedValue !== stored.operation)
			kept.push(
				`${key}: operation ${stored.operation} (the document now derives ${op.derivedValue})`,
			);
		if (op.derivedResource && op.derivedResource !== stored.resource)
			kept.push(
				`${key}: resource ${stored.resource} (the document now derives ${op.derivedResource})`,
			);
		for (const field of op.fields) {
			if (stored.fields?.[fieldKey(field)] && field.hints.derivedField !== field.field) {
				kept.push(
					`${key}: parameter ${parameterPath(field)} (the document now derives ${field.hints.derivedField})`,
				);
			}
		}
	}
	return {
		problems,
		kept,
		lock: {
			...derived,
			resources: sortedObject([
				...Object.entries(lock.resources),
				...Object.entries(derived.resources),
			]),
		},
	};
}

/**
 * The runtime table of retired operation values (nodes/DnsFilter/generated/aliases.ts): each
 * either runs a current operation (`resource:operation` of it) or says it is gone and what replaced it.
 */
export function aliasRows(model, aliases) {
	const byKey = new Map(model.operations.map((op) => [op.key, op]));
	const rows = {};
	for (const [saved, alias] of Object.entries(aliases.operations).sort((a, b) =>
		a[0].localeCompare(b[0]),
	)) {
		if (alias.to) {
			const target = byKey.get(alias.to);
			rows[saved] = { resource: target.row.resource, operation: target.row.operation };
			continue;
		}
		const replacement = alias.replacedBy ? byKey.get(alias.replacedBy) : undefined;
		const label = alias.label ? `"${alias.label}"` : `"${saved.slice(saved.indexOf(':') + 1)}"`;
		const resourceLabel = replacement
			? model.resources.find((entry) => entry.value === replacement.row.resource)?.singular
			: undefined;
		const instead = replacement
			? ` Use "${replacement.label}" (resource ${resourceLabel}) instead.`
			: ' It has no replacement.';
		rows[saved] = {
			removed: `DNSFilter removed the operation ${label}${alias.key ? ` (${alias.key})` : ''}: ${alias.removed}.${instead}`,
		};
	}
	return rows;
}

export function emitAliases(header, rows) {
	return `${header}
/**
 * Operation values saved workflows may hold that no current operation has: an alias runs the
 * operation it was renamed to; a removed operation fails with the message given here.
 */
export const OPERATION_ALIASES: Record<string, { resource: string; operation: string } | { removed: string }> = ${literal(rows, 0, 160)};
`;
}

/**
 * Puts the aliases table into the model the emitters read: each resource lists its retired values
 * (an option shown only to workflows that hold it), and an operation that a retired value runs
 * lists it too, so its fields show for that value.
 */
export function attachAliases(model, aliases) {
	const byKey = new Map(model.operations.map((op) => [op.key, op]));
	for (const [saved, alias] of Object.entries(aliases.operations).sort((a, b) =>
		a[0].localeCompare(b[0]),
	)) {
		const resourceValue = saved.slice(0, saved.indexOf(':'));
		const value = saved.slice(saved.indexOf(':') + 1);
		const resource = model.resources.find((entry) => entry.value === resourceValue);
		const target = alias.to ? byKey.get(alias.to) : undefined;
		if (target) target.aliasValues = [...(target.aliasValues ?? []), value];
		if (!resource) continue;
		const label = alias.label ?? value;
		// One sentence for the panel (the lint's rules for option text); the run's error has the whole message.
		const replacement = alias.replacedBy ? byKey.get(alias.replacedBy) : undefined;
		const description = target
			? `Renamed: runs ${target.label}`
			: `Removed by DNSFilter; ${replacement ? `use ${replacement.label} instead` : 'it has no replacement'}`;
		const name = `${label} (${target ? 'Renamed' : 'Removed'})`;
		resource.retired = [
			...(resource.retired ?? []),
			{ value, name, action: actionSentence(label), description },
		];
	}
}
