// Helpers for the real-n8n end-to-end tier: pack the package, install the tarball into an
// isolated N8N_USER_FOLDER the way a community-node install lays it out, and drive the n8n CLI
// (import, execute, publish, start) with Node 24. Every child process has a timeout and is
// killed with its whole process group; every line it prints is kept so tests can scan it.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { freePort } from '../../test/support/free-port.mjs';
import { installPackage } from './community-install.mjs';
import {
	cacheDir,
	n8nBin,
	nodeBin,
	repoRoot,
	N8N_VERSION,
	NODE_VERSION,
	TARGET,
} from './install-n8n.mjs';

export { cacheDir, n8nBin, nodeBin, repoRoot, N8N_VERSION, NODE_VERSION, TARGET };

/** n8n 2.x renamed activation to publishing: 1.x has `update:workflow --active`, no `publish:workflow`. */
export const N8N_MAJOR = Number(N8N_VERSION.split('.')[0]);

export const PACKAGE_NAME = 'n8n-nodes-dnsfilter';
export const NODE_TYPE = `${PACKAGE_NAME}.dnsFilter`;
export const CREDENTIAL_TYPE = 'dnsFilterApi';
export const CREDENTIAL_NAME = 'DNSFilter account';
export const ENCRYPTION_KEY = 'dnsfilter-e2e-fixed-encryption-key-0001';

const b64url = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A well-formed, unsigned DNSFilter-style key (JWT) whose `exp` is in the future. */
export function makeFakeJwt(claims = {}) {
	const now = Math.floor(Date.now() / 1000);
	const payload = {
		sub: '4242',
		iat: now - 60,
		exp: now + 30 * 86400,
		jti: `e2e-${process.pid}-${now}`,
		...claims,
	};
	const signature = Buffer.from(`e2e-signature-${payload.jti}-not-a-real-key`).toString(
		'base64url',
	);
	return `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(payload)}.${signature}`;
}

export function log(message) {
	process.stderr.write(`[e2e] ${new Date().toISOString().slice(11, 19)} ${message}\n`);
}

/**
 * Runs a command; resolves (never rejects on a non-zero exit) with code, signal, stdout,
 * stderr, timedOut. The child leads its own process group so a timeout kills its children too.
 */
export function runProcess(
	cmd,
	args,
	{ cwd = repoRoot, env = process.env, timeoutMs = 120_000, input } = {},
) {
	return new Promise((resolve, reject) => {
		const started = Date.now();
		const child = spawn(cmd, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
		let stdout = '';
		let stderr = '';
		let timedOut = false;
		child.stdout.on('data', (c) => (stdout += c));
		child.stderr.on('data', (c) => (stderr += c));
		if (input !== undefined) child.stdin.end(input);
		else child.stdin.end();
		const timer = setTimeout(() => {
			timedOut = true;
			try {
				process.kill(-child.pid, 'SIGKILL');
			} catch {}
		}, timeoutMs);
		child.on('error', (error) => {
			clearTimeout(timer);
			reject(error);
		});
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			// Leftover grandchildren (a task runner) go with the group.
			try {
				process.kill(-child.pid, 'SIGKILL');
			} catch {}
			resolve({ code, signal, stdout, stderr, timedOut, durationMs: Date.now() - started });
		});
	});
}

/** `npm run build` output must already be in dist/; packs it and returns the tarball path. */
export async function packPackage(destDir) {
	mkdirSync(destDir, { recursive: true });
	if (!existsSync(path.join(repoRoot, 'dist', 'nodes', 'DnsFilter', 'DnsFilter.node.js'))) {
		throw new Error('dist/nodes/DnsFilter/DnsFilter.node.js is missing: run `npm run build` first');
	}
	const result = await runProcess(
		'npm',
		['pack', '--json', '--ignore-scripts', '--pack-destination', destDir],
		{
			timeoutMs: 120_000,
		},
	);
	if (result.code !== 0) throw new Error(`npm pack failed:\n${result.stderr}`);
	const [info] = JSON.parse(result.stdout.slice(result.stdout.indexOf('[')));
	return path.join(destDir, info.filename);
}

/** The environment every n8n child gets: isolated, loopback-only, quiet, deterministic. */
export function n8nEnv({ userFolder, port, brokerPort }) {
	const env = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (
			/^(N8N_|DB_|NODE_OPTIONS$|NODE_PATH$|npm_|EXECUTIONS_|QUEUE_|WEBHOOK_URL$|GENERIC_TIMEZONE$)/.test(
				key,
			)
		)
			continue;
		env[key] = value;
	}
	Object.assign(env, {
		PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH}`,
		HOME: userFolder,
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
		DB_TYPE: 'sqlite',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_PUBLIC_API_DISABLED: 'true',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_HOST: '127.0.0.1',
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_PORT: String(port),
		N8N_PROTOCOL: 'http',
		WEBHOOK_URL: `http://127.0.0.1:${port}/`,
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_SECURE_COOKIE: 'false',
		// Modules that fetch catalogues from n8n's servers at start; this machine has no such network.
		// (n8n 1.123 refuses to start when it names a module it does not have.)
		...(N8N_MAJOR >= 2 ? { N8N_DISABLED_MODULES: 'mcp-registry' } : {}),
		N8N_LOG_LEVEL: 'debug',
		N8N_LOG_OUTPUT: 'console',
		NO_COLOR: '1',
		TZ: 'UTC',
		GENERIC_TIMEZONE: 'UTC',
	});
	return env;
}

/**
 * A throwaway n8n instance: temp user folder, the packed package installed under `.n8n/nodes`
 * as the target n8n's own community-package installer does (`installPath`, see
 * community-install.mjs; 'manual' is the README's `npm install`).
 */
export async function createInstance({
	tarball,
	keep = process.env.DNSFILTER_E2E_KEEP === '1',
	installPath = TARGET.installer,
} = {}) {
	if (!existsSync(nodeBin) || !existsSync(n8nBin)) {
		throw new Error(
			`n8n is not installed in ${cacheDir}: run \`node scripts/e2e/install-n8n.mjs\``,
		);
	}
	const userFolder = mkdtempSync(path.join(os.tmpdir(), 'dnsfilter-e2e-'));
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	let installSteps;
	try {
		installSteps = await installPackage({
			tarball,
			nodesDir,
			how: installPath,
			pathDirs: [path.dirname(nodeBin)],
			runProcess,
			packageName: PACKAGE_NAME,
		});
	} catch (error) {
		if (!keep) rmSync(userFolder, { recursive: true, force: true });
		throw new Error(`installing ${tarball} (${installPath}) failed: ${error.message}`);
	}

	const port = await freePort();
	const brokerPort = await freePort();
	const env = n8nEnv({ userFolder, port, brokerPort });
	/** Every stdout/stderr text any n8n process of this instance printed. */
	const transcript = [];
	const children = new Set();

	async function n8n(args, { timeoutMs = 180_000, extraEnv = {} } = {}) {
		const result = await runProcess(nodeBin, [n8nBin, ...args], {
			cwd: userFolder,
			env: { ...env, ...extraEnv },
			timeoutMs,
		});
		transcript.push(`$ n8n ${args.join(' ')}\n${result.stdout}\n${result.stderr}`);
		if (result.timedOut) log(`n8n ${args.join(' ')} timed out after ${timeoutMs} ms`);
		return result;
	}

	function writeInput(name, value) {
		const file = path.join(userFolder, name);
		writeFileSync(file, JSON.stringify(value, null, 2));
		return file;
	}

	async function mustSucceed(args, opts) {
		const result = await n8n(args, opts);
		if (result.code !== 0) {
			throw new Error(
				`n8n ${args.join(' ')} exited ${result.code}${result.timedOut ? ' (timed out)' : ''}:\n${result.stdout.slice(-4000)}\n${result.stderr.slice(-4000)}`,
			);
		}
		return result;
	}

	return {
		userFolder,
		nodesDir,
		installPath,
		installSteps,
		env,
		port,
		transcript,
		n8n,
		async importCredentials(credentials) {
			return mustSucceed([
				'import:credentials',
				`--input=${writeInput('credentials.json', credentials)}`,
			]);
		},
		async importWorkflows(workflows) {
			const dir = path.join(userFolder, 'workflows-to-import');
			mkdirSync(dir, { recursive: true });
			workflows.forEach((wf, i) =>
				writeFileSync(
					path.join(dir, `${String(i).padStart(2, '0')}-${wf.id}.json`),
					JSON.stringify(wf, null, 2),
				),
			);
			return mustSucceed(['import:workflow', '--separate', `--input=${dir}`]);
		},
		async publish(id) {
			return mustSucceed(
				N8N_MAJOR >= 2
					? ['publish:workflow', `--id=${id}`]
					: ['update:workflow', `--id=${id}`, '--active=true'],
			);
		},
		/** `n8n execute --id --rawOutput`; parsed is the run data when it printed JSON. */
		async execute(id, { timeoutMs = 240_000, extraEnv } = {}) {
			const result = await n8n(['execute', `--id=${id}`, '--rawOutput'], { timeoutMs, extraEnv });
			return { ...result, run: parseRawOutput(result.stdout) };
		},
		/** `n8n start` on 127.0.0.1; resolves once /healthz answers. */
		async startServer({ timeoutMs = 120_000 } = {}) {
			const child = spawn(nodeBin, [n8nBin, 'start'], {
				cwd: userFolder,
				env,
				stdio: ['ignore', 'pipe', 'pipe'],
				detached: true,
			});
			children.add(child);
			let out = '';
			child.stdout.on('data', (c) => (out += c));
			child.stderr.on('data', (c) => (out += c));
			const exited = new Promise((resolve) => child.on('close', resolve));
			const hardStop = setTimeout(() => {
				try {
					process.kill(-child.pid, 'SIGKILL');
				} catch {}
			}, 15 * 60_000);
			const base = `http://127.0.0.1:${port}`;
			const deadline = Date.now() + timeoutMs;
			let ready = false;
			while (Date.now() < deadline && child.exitCode === null) {
				try {
					const res = await fetch(`${base}/healthz/readiness`, {
						signal: AbortSignal.timeout(2000),
					});
					// n8n 1.x answers readiness before its REST routes are mounted: wait for those too.
					const rest = res.ok
						? await fetch(`${base}/rest/settings`, { signal: AbortSignal.timeout(2000) })
						: undefined;
					if (rest && rest.status !== 404) {
						ready = true;
						break;
					}
				} catch {}
				await new Promise((r) => setTimeout(r, 500));
			}
			const stop = async () => {
				clearTimeout(hardStop);
				if (child.exitCode === null) {
					try {
						process.kill(-child.pid, 'SIGTERM');
					} catch {}
					const t = setTimeout(() => {
						try {
							process.kill(-child.pid, 'SIGKILL');
						} catch {}
					}, 10_000);
					await exited;
					clearTimeout(t);
				}
				children.delete(child);
				transcript.push(`$ n8n start\n${out}`);
				return out;
			};
			if (!ready) {
				const output = await stop();
				throw new Error(
					`n8n start did not become ready within ${timeoutMs} ms:\n${output.slice(-6000)}`,
				);
			}
			return { base, stop, output: () => out };
		},
		async unpublish(id) {
			return mustSucceed(
				N8N_MAJOR >= 2
					? ['unpublish:workflow', `--id=${id}`]
					: ['update:workflow', `--id=${id}`, '--active=false'],
			);
		},
		/** Rows of a read-only SQL query on the instance's SQLite database (run with n8n's sqlite3). */
		async queryDb(sql) {
			const script = `
				const sqlite3 = require(${JSON.stringify(path.join(path.dirname(n8nBin), '..', '..', 'sqlite3'))});
				const db = new sqlite3.Database(process.argv[1], sqlite3.OPEN_READONLY, (e) => { if (e) { console.error(e.message); process.exit(2); } });
				db.all(process.argv[2], (e, rows) => { if (e) { console.error(e.message); process.exit(3); } process.stdout.write(JSON.stringify(rows)); db.close(); });
			`;
			const result = await runProcess(
				nodeBin,
				['-e', script, path.join(userFolder, '.n8n', 'database.sqlite'), sql],
				{
					cwd: userFolder,
					timeoutMs: 30_000,
				},
			);
			if (result.code !== 0) throw new Error(`query failed (${result.code}): ${result.stderr}`);
			return JSON.parse(result.stdout);
		},
		async cleanup() {
			for (const child of children) {
				try {
					process.kill(-child.pid, 'SIGKILL');
				} catch {}
			}
			if (process.env.DNSFILTER_E2E_TRANSCRIPT) {
				writeFileSync(process.env.DNSFILTER_E2E_TRANSCRIPT, transcript.join('\n'));
				log(`n8n output written to ${process.env.DNSFILTER_E2E_TRANSCRIPT}`);
			}
			if (keep) log(`kept ${userFolder}`);
			else rmSync(userFolder, { recursive: true, force: true });
		},
	};
}

/**
 * The run (an IRun) that `n8n execute --rawOutput` prints. At debug log level n8n prints it
 * through its logger: the first line is prefixed with time and level ("12:00:00.000   info    {")
 * and the closing "}" is followed by the log metadata; at lower levels it is plain JSON.
 */
export function parseRawOutput(stdout) {
	const lines = stdout.split('\n');
	for (let i = 0; i < lines.length; i++) {
		if (!/^(?:\S+\s+info\s+)?\{$/.test(lines[i])) continue;
		const body = ['{'];
		for (let j = i + 1; j < lines.length; j++) {
			if (lines[j].startsWith('}')) {
				body.push('}');
				try {
					return JSON.parse(body.join('\n'));
				} catch {
					break;
				}
			}
			body.push(lines[j]);
		}
	}
	return undefined;
}

/**
 * The status of a run `n8n execute --rawOutput` printed. n8n 1.82 prints a finished run with
 * `status: "running"` (it sets the final status only when saving): there, a finished run without
 * an error is a success.
 */
export function runStatus(run) {
	if (run?.status === 'running' && run.finished === true)
		return run.data?.resultData?.error ? 'error' : 'success';
	return run?.status;
}

/** The json of every item a node output in its last run (all outputs concatenated). */
export function nodeOutput(run, nodeName, outputIndex) {
	const runs = run?.data?.resultData?.runData?.[nodeName];
	if (!runs?.length) return undefined;
	const main = runs[runs.length - 1]?.data?.main ?? [];
	const outputs = outputIndex === undefined ? main : [main[outputIndex] ?? []];
	return outputs.flatMap((items) => (items ?? []).map((item) => item.json));
}

/** Loads an example workflow and points its DNSFilter credentials at the imported credential. */
export function loadExample(file, { id, credentialId }) {
	const wf = JSON.parse(readFileSync(path.join(repoRoot, 'examples', file), 'utf8'));
	wf.id = id;
	for (const node of wf.nodes) {
		if (node.credentials?.[CREDENTIAL_TYPE]) {
			node.credentials[CREDENTIAL_TYPE] = { id: credentialId, name: CREDENTIAL_NAME };
		}
	}
	return wf;
}

/**
 * A JSON client for n8n's internal REST API (`/rest/...`) that keeps the `n8n-auth` cookie
 * across calls, as the editor UI does. Every request has a timeout; a fixed `browser-id`
 * header is sent because n8n binds the auth cookie to it.
 */
export function restSession(
	base,
	{ timeoutMs = 60_000, browserId = `dnsfilter-e2e-${process.pid}` } = {},
) {
	const cookies = new Map();
	async function request(method, route, body) {
		const headers = { accept: 'application/json', 'browser-id': browserId };
		if (body !== undefined) headers['content-type'] = 'application/json';
		if (cookies.size) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
		const res = await fetch(`${base}${route}`, {
			method,
			headers,
			body: body === undefined ? undefined : JSON.stringify(body),
			signal: AbortSignal.timeout(timeoutMs),
		});
		for (const line of res.headers.getSetCookie()) {
			const [pair] = line.split(';');
			const eq = pair.indexOf('=');
			if (eq > 0) cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
		}
		const text = await res.text();
		let json;
		try {
			json = text ? JSON.parse(text) : undefined;
		} catch {}
		return { status: res.status, json, text };
	}
	return {
		cookies,
		get: (route) => request('GET', `/rest${route}`),
		post: (route, body) => request('POST', `/rest${route}`, body),
		/** GET outside /rest (e.g. /types/credentials.json), with the same cookie. */
		getFromRoot: (pathname) => request('GET', pathname),
	};
}
