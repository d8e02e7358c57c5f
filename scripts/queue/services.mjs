// Redis and PostgreSQL for the queue-mode tier: Debian's packages, installed when missing
// (apt-get update; apt-get install -y), started as this tier's own processes on 127.0.0.1 with
// their data in a temp folder, stopped at the end. Nothing is registered with the system's
// service manager and no system-wide instance is touched.
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { freePort } from '../../test/support/free-port.mjs';

export function log(message) {
	process.stderr.write(`[queue] ${new Date().toISOString().slice(11, 19)} ${message}\n`);
}

function which(bin) {
	const result = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
	return result.status === 0 ? result.stdout.trim() : undefined;
}

/** The newest installed PostgreSQL's bin folder (Debian: /usr/lib/postgresql/<major>/bin). */
function postgresBinDir() {
	const root = '/usr/lib/postgresql';
	if (!existsSync(root)) return undefined;
	const majors = readdirSync(root)
		.filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
		.sort((a, b) => Number(b) - Number(a));
	return majors.length ? path.join(root, majors[0], 'bin') : undefined;
}

function aptInstall(packages) {
	if (process.getuid?.() !== 0) {
		throw new Error(
			`${packages.join(' and ')} missing and this is not root: install them (apt-get install -y ${packages.join(' ')}) and run again`,
		);
	}
	log(`installing ${packages.join(' ')} (apt-get)`);
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...packages]]) {
		const result = spawnSync('apt-get', args, {
			env,
			stdio: ['ignore', 'pipe', 'pipe'],
			encoding: 'utf8',
			timeout: 15 * 60_000,
		});
		if (result.status !== 0)
			throw new Error(
				`apt-get ${args.join(' ')} failed:\n${result.stdout?.slice(-3000)}\n${result.stderr?.slice(-3000)}`,
			);
	}
}

/** Installs Debian's redis-server and postgresql when their binaries are missing. */
export function ensureServicePackages() {
	const missing = [];
	if (!which('redis-server')) missing.push('redis-server');
	if (!postgresBinDir()) missing.push('postgresql');
	if (missing.length) aptInstall(missing);
	const pgBin = postgresBinDir();
	if (!which('redis-server') || !pgBin)
		throw new Error('redis-server or PostgreSQL still missing after apt-get install');
	return { redisServer: which('redis-server'), pgBin };
}

function waitForPort(port, timeoutMs) {
	const deadline = Date.now() + timeoutMs;
	return new Promise((resolve, reject) => {
		const attempt = () => {
			const socket = net.connect(port, '127.0.0.1');
			socket.once('connect', () => {
				socket.destroy();
				resolve();
			});
			socket.once('error', () => {
				socket.destroy();
				if (Date.now() > deadline)
					reject(new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`));
				else setTimeout(attempt, 200);
			});
		};
		attempt();
	});
}

/** A long-running child in its own process group, output kept, stoppable with a signal. */
function daemon(cmd, args, { cwd, env = process.env, name }) {
	const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
	let output = '';
	const keep = (chunk) => {
		output = (output + chunk).slice(-20_000);
	};
	child.stdout.on('data', keep);
	child.stderr.on('data', keep);
	const exited = new Promise((resolve) => child.on('close', resolve));
	return {
		child,
		output: () => output,
		async stop(signal = 'SIGTERM', graceMs = 10_000) {
			if (child.exitCode !== null || child.signalCode !== null) return;
			try {
				process.kill(-child.pid, signal);
			} catch {}
			const timer = setTimeout(() => {
				try {
					process.kill(-child.pid, 'SIGKILL');
				} catch {}
				log(`${name} did not stop within ${graceMs} ms: killed`);
			}, graceMs);
			await exited;
			clearTimeout(timer);
		},
	};
}

/**
 * Starts redis-server and postgres for one tier run. Returns connection details and stop().
 * Postgres: a fresh cluster (initdb, trust auth on loopback) owned by the `postgres` system user,
 * socket in the temp folder, and an `n8n` role owning an `n8n` database.
 */
export async function startServices() {
	const { redisServer, pgBin } = ensureServicePackages();
	const root = mkdtempSync(path.join(os.tmpdir(), 'dnsfilter-queue-services-'));
	const stops = [];
	const stop = async () => {
		for (const s of stops.reverse()) await s();
		rmSync(root, { recursive: true, force: true });
	};
	try {
		const redisPort = await freePort();
		const redisDir = path.join(root, 'redis');
		mkdirSync(redisDir);
		const redis = daemon(
			redisServer,
			[
				'--port',
				String(redisPort),
				'--bind',
				'127.0.0.1',
				'--dir',
				redisDir,
				'--save',
				'',
				'--appendonly',
				'no',
				'--daemonize',
				'no',
				'--protected-mode',
				'yes',
			],
			{ cwd: redisDir, name: 'redis-server' },
		);
		stops.push(() => redis.stop());
		await waitForPort(redisPort, 20_000).catch((error) => {
			throw new Error(`${error.message}\n${redis.output()}`);
		});
		log(`redis-server on 127.0.0.1:${redisPort}`);

		// Postgres refuses to run as root: the cluster belongs to the postgres system user.
		const asRoot = process.getuid?.() === 0;
		const pgDir = path.join(root, 'pg');
		const dataDir = path.join(pgDir, 'data');
		const socketDir = path.join(pgDir, 'socket');
		mkdirSync(socketDir, { recursive: true });
		const owner = asRoot ? spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }) : undefined;
		const ownerGroup = asRoot
			? spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' })
			: undefined;
		if (asRoot) {
			const uid = Number(owner.stdout.trim());
			const gid = Number(ownerGroup.stdout.trim());
			if (!Number.isInteger(uid))
				throw new Error('no postgres system user: reinstall the postgresql package');
			for (const dir of [root, pgDir, socketDir]) chownSync(dir, uid, gid);
		}
		const asPostgres = (bin, args) =>
			asRoot
				? ['runuser', ['-u', 'postgres', '--', path.join(pgBin, bin), ...args]]
				: [path.join(pgBin, bin), args];
		const [initCmd, initArgs] = asPostgres('initdb', [
			'-D',
			dataDir,
			'-A',
			'trust',
			'-U',
			'postgres',
			'-E',
			'UTF8',
			'--no-sync',
		]);
		const init = spawnSync(initCmd, initArgs, { cwd: pgDir, encoding: 'utf8', timeout: 120_000 });
		if (init.status !== 0) throw new Error(`initdb failed:\n${init.stdout}\n${init.stderr}`);
		const pgPort = await freePort();
		const [pgCmd, pgArgs] = asPostgres('postgres', [
			'-D',
			dataDir,
			'-k',
			socketDir,
			'-p',
			String(pgPort),
			'-h',
			'127.0.0.1',
			'-c',
			'fsync=off',
			'-c',
			'max_connections=200',
		]);
		const postgres = daemon(pgCmd, pgArgs, { cwd: pgDir, name: 'postgres' });
		// SIGINT is Postgres's "fast" shutdown: no waiting for clients to disconnect.
		stops.push(() => postgres.stop('SIGINT'));
		await waitForPort(pgPort, 30_000).catch((error) => {
			throw new Error(`${error.message}\n${postgres.output()}`);
		});
		const password = `n8n-queue-${process.pid}`;
		const psql = (sql) => {
			const result = spawnSync(
				path.join(pgBin, 'psql'),
				[
					'-h',
					'127.0.0.1',
					'-p',
					String(pgPort),
					'-U',
					'postgres',
					'-d',
					'postgres',
					'-v',
					'ON_ERROR_STOP=1',
					'-c',
					sql,
				],
				{ encoding: 'utf8', timeout: 30_000 },
			);
			if (result.status !== 0) throw new Error(`psql ${sql}: ${result.stderr}`);
			return result.stdout;
		};
		// Ready to accept connections may lag the port opening by a moment.
		for (let i = 0; ; i++) {
			try {
				psql('select 1');
				break;
			} catch (error) {
				if (i > 50) throw error;
				await new Promise((r) => setTimeout(r, 200));
			}
		}
		psql(`create role n8n login password '${password}'`);
		psql('create database n8n owner n8n');
		log(`postgres on 127.0.0.1:${pgPort} (data in ${dataDir})`);

		return {
			redis: { host: '127.0.0.1', port: redisPort },
			postgres: { host: '127.0.0.1', port: pgPort, database: 'n8n', user: 'n8n', password },
			/** Rows of a query on the n8n database, as JSON objects. */
			query(sql) {
				const result = spawnSync(
					path.join(pgBin, 'psql'),
					[
						'-h',
						'127.0.0.1',
						'-p',
						String(pgPort),
						'-U',
						'postgres',
						'-d',
						'n8n',
						'-At',
						'-v',
						'ON_ERROR_STOP=1',
						'-c',
						`select coalesce(json_agg(t), '[]'::json) from (${sql}) t`,
					],
					{ encoding: 'utf8', timeout: 60_000 },
				);
				if (result.status !== 0) throw new Error(`query failed: ${result.stderr}`);
				return JSON.parse(result.stdout.trim());
			},
			stop,
		};
	} catch (error) {
		await stop();
		throw error;
	}
}
