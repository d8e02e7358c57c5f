#!/usr/bin/env node
// Generates nodes/DnsFilter/generated/ and the README operations table from the DNSFilter
// OpenAPI document. Deterministic: the same document gives byte-identical files.
//
//   node scripts/generate.mjs [spec.json] [--out <dir>] [--readme <file>|--no-readme]
//   DNSFILTER_OPENAPI=<spec.json> node scripts/generate.mjs
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { emitDescriptionsIndex, emitFieldsFile, emitOperations, emitResourceFile, emitResources, emitSubtitle } from './generator/emitTs.mjs';
import { updateReadme } from './generator/emitReadme.mjs';
import { buildModel } from './generator/fields.mjs';
import { emitSecretFields, findSecretFields } from './generator/secrets.mjs';
import { DEFAULT_SPEC_PATH, listOperations, loadSpec, REPO_ROOT } from './generator/spec.mjs';

export const DEFAULT_OUT_DIR = path.join(REPO_ROOT, 'nodes/DnsFilter/generated');
export const DEFAULT_README = path.join(REPO_ROOT, 'README.md');

/** Returns `{ files: Map<relativePath, text>, readme: text, model }` without writing anything. */
export function generate({ specPath = DEFAULT_SPEC_PATH, readmeText } = {}) {
	const spec = loadSpec(specPath);
	const model = buildModel(listOperations(spec));
	const files = new Map();
	files.set('operations.ts', emitOperations(model.operations));
	files.set('resources.ts', emitResources(model.resources));
	files.set('subtitle.ts', emitSubtitle(model.resources));
	const secrets = new Map(findSecretFields(spec).map((row) => [row.operationId, row]));
	for (const resource of model.resources) files.set(`descriptions/${resource.file}.ts`, emitResourceFile(resource, secrets));
	files.set('descriptions/fields.ts', emitFieldsFile(model.resources));
	files.set('descriptions/index.ts', emitDescriptionsIndex(model.resources));
	files.set('secretFields.ts', emitSecretFields(spec));
	return { files, readme: updateReadme(readmeText, model.resources), model };
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

function parseArgs(argv) {
	const args = { specPath: process.env.DNSFILTER_OPENAPI || DEFAULT_SPEC_PATH, outDir: DEFAULT_OUT_DIR, readme: DEFAULT_README };
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === '--out') args.outDir = path.resolve(argv[++i]);
		else if (arg === '--readme') args.readme = path.resolve(argv[++i]);
		else if (arg === '--no-readme') args.readme = undefined;
		else if (arg.startsWith('--')) throw new Error(`Unknown option ${arg}`);
		else args.specPath = path.resolve(arg);
	}
	return args;
}

function main() {
	const args = parseArgs(process.argv.slice(2));
	const readmeText = args.readme && existsSync(args.readme) ? readFileSync(args.readme, 'utf8') : undefined;
	const { files, readme, model } = generate({ specPath: args.specPath, readmeText });
	writeOutput(args.outDir, files);
	if (args.readme) writeFileSync(args.readme, readme);
	console.log(`Generated ${model.operations.length} operations in ${model.resources.length} resources into ${path.relative(process.cwd(), args.outDir) || '.'}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
