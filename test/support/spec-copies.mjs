// Mutated copies of the DNSFilter document in a temp directory (the input under ../shared is never
// written), and the generator's output for them loaded as the node's description would be: the
// emitted TypeScript is transpiled in memory, so a test reads the parameters n8n would show.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

import { DEFAULT_SPEC_PATH } from '../../scripts/generator/spec.mjs';
import { loadBuilt } from './engine.mjs';

const require = createRequire(import.meta.url);
const ts = require('typescript');

const ORIGINAL = readFileSync(DEFAULT_SPEC_PATH, 'utf8');

export function originalSpec() {
	return JSON.parse(ORIGINAL);
}

/** A temp directory removed by `dispose()`; `file(name, value)` writes JSON into it and returns the path. */
export function tempDir() {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'dnsfilter-spec-'));
	return {
		dir,
		file(name, value) {
			const target = path.join(dir, name);
			mkdirSync(path.dirname(target), { recursive: true });
			writeFileSync(
				target,
				typeof value === 'string' ? value : `${JSON.stringify(value, null, '\t')}\n`,
			);
			return target;
		},
		dispose() {
			rmSync(dir, { recursive: true, force: true });
		},
	};
}

/** Writes a copy of the document changed by `mutate(spec)` into `temp` and returns its path. */
export function mutatedSpec(temp, name, mutate) {
	const spec = originalSpec();
	mutate(spec);
	return temp.file(name, spec);
}

/** Renames a tag on every operation that carries it. */
export function renameTag(spec, from, to) {
	for (const item of Object.values(spec.paths)) {
		for (const op of Object.values(item)) {
			if (Array.isArray(op?.tags)) op.tags = op.tags.map((tag) => (tag === from ? to : tag));
		}
	}
}

/** One generated module from the generator's in-memory output (`aliases.ts`, `resources.ts`…), transpiled and loaded. */
export function loadGeneratedModule(files, relative) {
	return loader(files)(relative);
}

/**
 * The node's generated parameters (resource selector, operation selectors, fields) from the
 * generator's in-memory output, as `[resourceProperty, ...generatedProperties]`.
 */
export function generatedDescription(files) {
	const load = loader(files);
	return [
		load('resources.ts').resourceProperty,
		...load('descriptions/index.ts').generatedProperties,
	];
}

function loader(files) {
	const cache = new Map();
	const load = (relative) => {
		if (cache.has(relative)) return cache.get(relative).exports;
		const source = files.get(relative);
		if (source === undefined) throw new Error(`no generated file ${relative}`);
		const { outputText } = ts.transpileModule(source, {
			compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
		});
		const module = { exports: {} };
		cache.set(relative, module);
		const localRequire = (specifier) => {
			if (specifier === 'n8n-workflow') return require('n8n-workflow');
			if (specifier.endsWith('descriptions/customApiCall'))
				return loadBuilt('nodes/DnsFilter/descriptions/customApiCall.js');
			const resolved = path.posix.normalize(
				path.posix.join(path.posix.dirname(relative), specifier),
			);
			return load(`${resolved}.ts`);
		};
		new Function('exports', 'require', 'module', outputText)(module.exports, localRequire, module);
		return module.exports;
	};
	return load;
}
