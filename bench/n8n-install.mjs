// Where the benchmarks find the real n8n 2.41.1 (n8n, n8n-core, n8n-nodes-base): the end-to-end
// tier's cache (scripts/e2e/install-n8n.mjs, $DNSFILTER_E2E_CACHE or .cache/e2e), installed through
// that same script on request; BENCH_N8N_DIR=<node_modules> points at another install (e.g. one
// still being set up) and skips the stamp check.
import { existsSync } from 'node:fs';
import path from 'node:path';

import { ensureN8n, N8N_VERSION, n8nDir } from '../scripts/e2e/install-n8n.mjs';

export { N8N_VERSION };

/** node_modules of the n8n install, or undefined when there is none. */
export function findN8nModules() {
	if (process.env.BENCH_N8N_DIR) return path.resolve(process.env.BENCH_N8N_DIR);
	const modules = path.join(n8nDir, 'node_modules');
	return existsSync(path.join(n8nDir, '.e2e-stamp.json')) &&
		existsSync(path.join(modules, 'n8n-nodes-base', 'package.json'))
		? modules
		: undefined;
}

/** The install's node_modules, installing n8n first when `install` is set and it is missing. */
export async function n8nModules({ install }) {
	const found = findN8nModules();
	if (found || !install) return found;
	process.stderr.write(
		`bench: n8n ${N8N_VERSION} is not installed; installing it with scripts/e2e/install-n8n.mjs (about 5 minutes, ~3 GB)\n`,
	);
	await ensureN8n();
	return findN8nModules();
}
