#!/usr/bin/env node
// Compares the DNSFilter document the node is generated from with a new one, through the
// generator and the stored-names lock: operations added, removed, renamed or moved; parameters
// added, removed, renamed or changed; names the lock keeps; and which saved-workflow values each
// change would break. Exit code 1 when something would break (generation would stop), else 0.
//
//   npm run spec:diff -- <new.json> [--from <current.json>] [--lock <file>] [--aliases <file>]
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { generate } from './generate.mjs';
import { fieldKey, parameterPath } from './generator/fields.mjs';
import { DEFAULT_ALIASES_PATH, DEFAULT_LOCK_PATH } from './generator/storedNames.mjs';
import { DEFAULT_SPEC_PATH } from './generator/spec.mjs';

function describeField(field) {
	const enumText = field.enum
		? ` [${field.enum.map((value) => JSON.stringify(value)).join(', ')}]`
		: '';
	return `${field.type}${enumText}${field.required ? ', required' : ''}`;
}

function fieldChanges(before, after) {
	const changes = [];
	if (before.type !== after.type) changes.push(`type ${before.type} → ${after.type}`);
	if (before.required !== after.required)
		changes.push(after.required ? 'now required' : 'now optional');
	const oldEnum = before.enum ?? [];
	const newEnum = after.enum ?? [];
	const dropped = oldEnum.filter((value) => !newEnum.includes(value));
	const added = newEnum.filter((value) => !oldEnum.includes(value));
	if (dropped.length)
		changes.push(
			`option values removed: ${dropped.map((value) => JSON.stringify(value)).join(', ')}`,
		);
	if (added.length)
		changes.push(`option values added: ${added.map((value) => JSON.stringify(value)).join(', ')}`);
	if (!dropped.length && !added.length && JSON.stringify(oldEnum) !== JSON.stringify(newEnum))
		changes.push('option values reordered');
	if (parameterPath(before) !== parameterPath(after))
		changes.push(`parameter ${parameterPath(before)} → ${parameterPath(after)}`);
	return changes;
}

/** The difference between two documents as the node sees it; `breaks` are the generator's own stored-name problems. */
export function diffDocuments({
	fromPath = process.env.DNSFILTER_OPENAPI || DEFAULT_SPEC_PATH,
	toPath,
	lockPath = DEFAULT_LOCK_PATH,
	aliasesPath = DEFAULT_ALIASES_PATH,
}) {
	const before = generate({ specPath: fromPath, lockPath, aliasesPath, allowProblems: true });
	const after = generate({ specPath: toPath, lockPath, aliasesPath, allowProblems: true });
	const oldOps = new Map(before.model.operations.map((op) => [op.key, op]));
	const newOps = new Map(after.model.operations.map((op) => [op.key, op]));
	const saved = (op) => `${op.row.resource}:${op.row.operation}`;

	const added = [...newOps.values()].filter((op) => !oldOps.has(op.key));
	const removed = [...oldOps.values()].filter((op) => !newOps.has(op.key));
	// A removed and an added operation with one operationId is one endpoint at a new path.
	const moved = [];
	for (const gone of [...removed]) {
		const target = added.find((op) => op.operationId === gone.operationId);
		if (!target) continue;
		moved.push({ from: gone, to: target });
		removed.splice(removed.indexOf(gone), 1);
		added.splice(added.indexOf(target), 1);
	}

	const renamed = [];
	const parameters = { added: [], removed: [], renamed: [], changed: [] };
	for (const [key, op] of newOps) {
		const old = oldOps.get(key);
		if (!old) continue;
		const what = [];
		if (old.operationId !== op.operationId)
			what.push(`operationId ${old.operationId} → ${op.operationId}`);
		if (old.tag !== op.tag) what.push(`tag ${old.tag} → ${op.tag}`);
		if (old.label !== op.label) what.push(`label "${old.label}" → "${op.label}"`);
		if (what.length) renamed.push({ key, saved: saved(op), what });

		const oldFields = new Map(old.fields.map((field) => [fieldKey(field), field]));
		const newFields = new Map(op.fields.map((field) => [fieldKey(field), field]));
		const gained = [...newFields.values()].filter((field) => !oldFields.has(fieldKey(field)));
		const lost = [...oldFields.values()].filter((field) => !newFields.has(fieldKey(field)));
		// One parameter lost and one gained where it is sent reads as a rename on DNSFilter's side.
		for (const field of [...lost]) {
			const partners = gained.filter((entry) => entry.in === field.in);
			if (partners.length !== 1 || lost.filter((entry) => entry.in === field.in).length !== 1)
				continue;
			parameters.renamed.push({ key, saved: saved(op), from: field, to: partners[0] });
			lost.splice(lost.indexOf(field), 1);
			gained.splice(gained.indexOf(partners[0]), 1);
		}
		for (const field of gained) parameters.added.push({ key, saved: saved(op), field });
		for (const field of lost) parameters.removed.push({ key, saved: saved(op), field });
		for (const [name, field] of newFields) {
			const previous = oldFields.get(name);
			if (!previous) continue;
			const changes = fieldChanges(previous, field);
			if (changes.length) parameters.changed.push({ key, saved: saved(op), field, changes });
		}
	}
	const alreadyKept = new Set(before.kept);
	return {
		fromPath,
		toPath,
		added,
		removed,
		moved,
		renamed,
		parameters,
		kept: after.kept.filter((line) => !alreadyKept.has(line)),
		breaks: after.problems,
	};
}

/** One line per kept resource value rather than one per operation of a renamed tag. */
function groupKept(kept) {
	const resources = new Map();
	const rest = [];
	for (const line of kept) {
		const match = /^(.*): (resource \S+ \(the document now derives \S+\))$/.exec(line);
		if (!match) rest.push(line);
		else resources.set(match[2], [...(resources.get(match[2]) ?? []), match[1]]);
	}
	return [
		...[...resources].map(
			([text, keys]) => `${text}: ${keys.length} operation(s), e.g. ${keys[0]}`,
		),
		...rest,
	];
}

export function formatDiff(diff) {
	const lines = [`DNSFilter document: ${diff.fromPath} → ${diff.toPath}`];
	const section = (title, rows) => {
		lines.push('', `${title} (${rows.length})`);
		if (!rows.length) lines.push('  none');
		else lines.push(...rows.map((row) => `  ${row}`));
	};
	section(
		'Operations added',
		diff.added.map(
			(op) => `+ ${op.key}  "${op.label}", saved as ${op.row.resource}:${op.row.operation}`,
		),
	);
	section(
		'Operations removed',
		diff.removed.map(
			(op) => `- ${op.key}  "${op.label}", saved as ${op.row.resource}:${op.row.operation}`,
		),
	);
	section(
		'Operations moved to another path (same operationId)',
		diff.moved.map(
			({ from, to }) =>
				`> ${from.key} → ${to.key}  saved as ${from.row.resource}:${from.row.operation}; rename its key in the lock to keep the saved names`,
		),
	);
	section(
		'Operations renamed (same method and path; saved values kept by the lock)',
		diff.renamed.map((entry) => `~ ${entry.key}  ${entry.saved}: ${entry.what.join('; ')}`),
	);
	section(
		'Parameters added',
		diff.parameters.added.map(
			({ key, saved, field }) =>
				`+ ${key} ${fieldKey(field)} (${describeField(field)}) → parameter ${parameterPath(field)} of ${saved}`,
		),
	);
	section(
		'Parameters removed',
		diff.parameters.removed.map(
			({ key, saved, field }) =>
				`- ${key} ${fieldKey(field)}, parameter ${parameterPath(field)} of ${saved}`,
		),
	);
	section(
		'Parameters renamed',
		diff.parameters.renamed.map(
			({ key, saved, from, to }) =>
				`~ ${key} ${fieldKey(from)} → ${fieldKey(to)}: saved ${saved} values in ${parameterPath(from)} are not sent any more`,
		),
	);
	section(
		'Parameters changed',
		diff.parameters.changed.map(
			({ key, saved, field, changes }) =>
				`~ ${key} ${fieldKey(field)} (${saved} ${parameterPath(field)}): ${changes.join('; ')}`,
		),
	);
	section('Names the lock keeps (the new document alone would rename them)', groupKept(diff.kept));
	section(
		'Saved-workflow values that would break (generation stops until each is resolved)',
		diff.breaks,
	);
	return `${lines.join('\n')}\n`;
}

function parseArgs(argv) {
	const args = { lockPath: DEFAULT_LOCK_PATH, aliasesPath: DEFAULT_ALIASES_PATH };
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === '--from') args.fromPath = path.resolve(argv[++i]);
		else if (arg === '--lock') args.lockPath = path.resolve(argv[++i]);
		else if (arg === '--aliases') args.aliasesPath = path.resolve(argv[++i]);
		else if (arg.startsWith('--')) throw new Error(`Unknown option ${arg}`);
		else args.toPath = path.resolve(arg);
	}
	if (!args.toPath)
		throw new Error(
			'Usage: npm run spec:diff -- <new document.json> [--from <current.json>] [--lock <file>] [--aliases <file>]',
		);
	return args;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const diff = diffDocuments(parseArgs(process.argv.slice(2)));
	process.stdout.write(formatDiff(diff));
	if (diff.breaks.length) process.exitCode = 1;
}
