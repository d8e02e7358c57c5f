#!/usr/bin/env node
// Generates nodes/DnsFilter/generated/ and the operations table (docs/operations.md) from the DNSFilter
// OpenAPI document. Deterministic: the same document gives byte-identical files.
//
// Names saved workflows hold come from the lock (scripts/generator/stored-names.lock.json) first;
// only what is new is derived, and the lock is written back with it. A stored name that would
// disappear or change stops generation (nothing is written) until it is resolved.
//
//   node scripts/generate.mjs [spec.json] [--out <dir>] [--readme <file>|--no-readme] [--lock <file>] [--aliases <file>]
//   DNSFILTER_OPENAPI=<spec.json> node scripts/generate.mjs
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import {
	emitDescriptionsIndex,
	emitFieldsFile,
	emitOperations,
	emitResourceFile,
	emitResources,
	emitSubtitle,
	HEADER,
} from './generator/emitTs.mjs';
import { updateReadme } from './generator/emitReadme.mjs';
import { buildModel } from './generator/fields.mjs';
import { emitListSearchTable, emitLocatorReport } from './generator/locators.mjs';
import { emitSecretFields, findSecretFields } from './generator/secrets.mjs';
import { DEFAULT_SPEC_PATH, listOperations, loadSpec, REPO_ROOT } from './generator/spec.mjs';
import {
	aliasRows,
	attachAliases,
	DEFAULT_ALIASES_PATH,
	DEFAULT_LOCK_PATH,
	emitAliases,
	loadAliases,
	loadLock,
	reconcile,
	retiredValues,
	writeLock,
} from './generator/storedNames.mjs';

export const DEFAULT_OUT_DIR = path.join(REPO_ROOT, 'nodes/DnsFilter/generated');
// The operations table lives in its own generated page; the README links to it.
export const DEFAULT_README = path.join(REPO_ROOT, 'docs', 'operations.md');
// Which ID parameters are record pickers, and why the others are not.
export const LOCATOR_REPORT = path.join(REPO_ROOT, 'docs', 'locators.md');

/** Stored names that would break; `problems` lists each with what to do. */
export class StoredNamesError extends Error {
	constructor(problems) {
		super(
			`Generation stopped: ${problems.length} name(s) saved workflows hold would break:\n  ${problems.join('\n  ')}`,
		);
		this.problems = problems;
	}
}

/**
 * Returns `{ files: Map<relativePath, text>, readme: text, model, lock, problems, kept }` without
 * writing anything. Throws StoredNamesError when a stored name would break, unless `allowProblems`
 * (the spec diff reports them instead).
 */
export function generate({
	specPath = DEFAULT_SPEC_PATH,
	readmeText,
	lockPath = DEFAULT_LOCK_PATH,
	aliasesPath = DEFAULT_ALIASES_PATH,
	allowProblems = false,
} = {}) {
	const spec = loadSpec(specPath);
	const lock = loadLock(lockPath);
	const aliases = loadAliases(aliasesPath);
	const model = buildModel(listOperations(spec), { lock, retired: retiredValues(aliases) });
	const { problems, kept, lock: newLock } = reconcile(model, lock, aliases);
	if (problems.length && !allowProblems) throw new StoredNamesError(problems);
	const aliasTable = problems.length ? {} : aliasRows(model, aliases);
	if (!problems.length) attachAliases(model, aliases);
	const files = new Map();
	files.set('operations.ts', emitOperations(model.operations));
	files.set('resources.ts', emitResources(model.resources));
	files.set('subtitle.ts', emitSubtitle(model.resources));
	const secrets = new Map(findSecretFields(spec).map((row) => [row.operationId, row]));
	for (const resource of model.resources)
		files.set(`descriptions/${resource.file}.ts`, emitResourceFile(resource, secrets));
	files.set('descriptions/fields.ts', emitFieldsFile(model.resources));
	files.set('descriptions/index.ts', emitDescriptionsIndex(model.resources));
	files.set('secretFields.ts', emitSecretFields(spec));
	files.set('listSearch.ts', emitListSearchTable(HEADER, model.locators.searches));
	const locatorReport = emitLocatorReport(model.locators.rows);
	if (!problems.length) files.set('aliases.ts', emitAliases(HEADER, aliasTable));
	return {
		files,
		readme: updateReadme(readmeText, model.resources),
		locatorReport,
		model,
		lock: newLock,
		problems,
		kept,
		aliases,
	};
}

/** Writes the files into `outDir`, removing stale generated files there. */
export function writeOutput(outDir, files) {
	const descriptions = path.join(outDir, 'descriptions');
	if (existsSync(descriptions)) {
		for (const name of readdirSync(descriptions)) {
			if (!files.has(`descriptions/${name}`)) rmSync(path.join(descriptions, name));
		}
	}
	for (const relative of [...files.keys()].sort()) {
		const target = path.join(outDir, relative);
		mkdirSync(path.dirname(target), { recursive: true });
		writeFileSync(target, files.get(relative));
	}
}

export function parseArgs(argv) {
	const args = {
		specPath: process.env.DNSFILTER_OPENAPI || DEFAULT_SPEC_PATH,
		outDir: DEFAULT_OUT_DIR,
		readme: DEFAULT_README,
		lockPath: DEFAULT_LOCK_PATH,
		aliasesPath: DEFAULT_ALIASES_PATH,
	};
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === '--out') args.outDir = path.resolve(argv[++i]);
		else if (arg === '--readme') args.readme = path.resolve(argv[++i]);
		else if (arg === '--no-readme') args.readme = undefined;
		else if (arg === '--lock') args.lockPath = path.resolve(argv[++i]);
		else if (arg === '--aliases') args.aliasesPath = path.resolve(argv[++i]);
		else if (arg.startsWith('--')) throw new Error(`Unknown option ${arg}`);
		else args.specPath = path.resolve(arg);
	}
	return args;
}

/** Generates, then writes the output, the README table and the lock; returns the generation result. */
export function run(args) {
	const readmeText =
		args.readme && existsSync(args.readme) ? readFileSync(args.readme, 'utf8') : undefined;
	const result = generate({
		specPath: args.specPath,
		readmeText,
		lockPath: args.lockPath,
		aliasesPath: args.aliasesPath,
	});
	writeOutput(args.outDir, result.files);
	if (args.readme) writeFileSync(args.readme, result.readme);
	if (args.readme) writeFileSync(LOCATOR_REPORT, result.locatorReport.text);
	writeLock(args.lockPath, result.lock);
	return result;
}

function main() {
	const args = parseArgs(process.argv.slice(2));
	try {
		const { model } = run(args);
		console.log(
			`Generated ${model.operations.length} operations in ${model.resources.length} resources into ${path.relative(process.cwd(), args.outDir) || '.'}`,
		);
	} catch (error) {
		if (!(error instanceof StoredNamesError)) throw error;
		console.error(error.message);
		process.exitCode = 1;
	}
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
