// n8n 2.41.1 in queue mode for the tier: one main (`n8n start`, EXECUTIONS_MODE=queue,
// DB_TYPE=postgresdb) and any number of `n8n worker` processes, all sharing one user folder in
// which the packed package is installed as a community node (through the e2e harness). Workers can
// be added and stopped while the main keeps running, so each worker count is one step, not a
// restart. Every process binds 127.0.0.1 on free ports and gets its own task-runner broker port,
// health-check port and event-log basename; which worker ran which execution is read from the
// workers' own log lines.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { createInstance, n8nBin, nodeBin } from '../e2e/harness.mjs';
import { freePort } from '../../test/support/free-port.mjs';
import { log } from './services.mjs';

function queueEnv(instance, services) {
	const { postgres, redis } = services;
	return {
		...instance.env,
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: postgres.host,
		DB_POSTGRESDB_PORT: String(postgres.port),
		DB_POSTGRESDB_DATABASE: postgres.database,
		DB_POSTGRESDB_USER: postgres.user,
		DB_POSTGRESDB_PASSWORD: postgres.password,
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: redis.host,
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		// The editor would fetch n8n's verified community-package catalogue at start; no outbound calls.
		N8N_VERIFIED_PACKAGES_ENABLED: 'false',
		N8N_LOG_LEVEL: 'info',
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
	};
}

function startProcess(args, env, name) {
	const child = spawn(nodeBin, [n8nBin, ...args], {
		cwd: env.N8N_USER_FOLDER,
		env,
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true,
	});
	const proc = { name, child, out: '', exited: undefined };
	const keep = (chunk) => {
		proc.out += chunk;
	};
	child.stdout.on('data', keep);
	child.stderr.on('data', keep);
	proc.exited = new Promise((resolve) => child.on('close', resolve));
	proc.stop = async () => {
		if (child.exitCode !== null || child.signalCode !== null) return;
		try {
			process.kill(-child.pid, 'SIGTERM');
		} catch {}
		const timer = setTimeout(() => {
			try {
				process.kill(-child.pid, 'SIGKILL');
			} catch {}
		}, 20_000);
		await proc.exited;
		clearTimeout(timer);
	};
	return proc;
}

async function waitHealthy(proc, url, timeoutMs) {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (proc.child.exitCode !== null)
			throw new Error(
				`${proc.name} exited ${proc.child.exitCode} while starting:\n${proc.out.slice(-6000)}`,
			);
		try {
			const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
			if (res.ok) return;
		} catch {}
		await new Promise((r) => setTimeout(r, 500));
	}
	throw new Error(
		`${proc.name} not healthy at ${url} within ${timeoutMs} ms:\n${proc.out.slice(-6000)}`,
	);
}

/**
 * Installs the tarball into a fresh user folder, imports credentials and workflows into Postgres,
 * publishes the workflows, starts the main process. Returns the cluster handle.
 */
export async function startCluster({ services, tarball, credentials, workflows }) {
	const instance = await createInstance({ tarball });
	const env = queueEnv(instance, services);
	const cli = async (args) => {
		const result = await instance.n8n(args, { extraEnv: env, timeoutMs: 240_000 });
		if (result.code !== 0)
			throw new Error(
				`n8n ${args.join(' ')} exited ${result.code}:\n${result.stdout.slice(-4000)}\n${result.stderr.slice(-4000)}`,
			);
		return result;
	};
	const workers = [];
	let main;
	const cluster = {
		instance,
		env,
		base: `http://127.0.0.1:${instance.port}`,
		workers,
		async stopWorkers(count) {
			const stopping = workers.filter((w) => !w.stopped).slice(-count);
			for (const w of stopping) w.stopped = true;
			await Promise.all(stopping.map((w) => w.stop()));
		},
		/** Adds `count` workers and waits until each is healthy. */
		async addWorkers(count) {
			const started = [];
			for (let i = 0; i < count; i++) {
				const index = workers.length;
				const healthPort = await freePort();
				const proc = startProcess(
					['worker', '--concurrency=5'],
					{
						...env,
						N8N_RUNNERS_BROKER_PORT: String(await freePort()),
						QUEUE_HEALTH_CHECK_ACTIVE: 'true',
						QUEUE_HEALTH_CHECK_PORT: String(healthPort),
						N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
						N8N_EVENTBUS_LOGWRITER_LOGBASENAME: `n8nEventLog-worker-${index}`,
					},
					`worker ${index}`,
				);
				proc.index = index;
				proc.healthUrl = `http://127.0.0.1:${healthPort}/healthz/readiness`;
				workers.push(proc);
				started.push(proc);
			}
			await Promise.all(started.map((w) => waitHealthy(w, w.healthUrl, 180_000)));
			log(`${workers.filter((w) => !w.stopped).length} worker(s) running`);
		},
		/** executionId → worker index, from "Worker started execution N" lines. */
		executionsByWorker() {
			const map = new Map();
			for (const w of workers) {
				for (const match of w.out.matchAll(/Worker started execution (\d+)/g)) {
					const id = Number(match[1]);
					map.set(id, [...(map.get(id) ?? []), w.index]);
				}
			}
			return map;
		},
		async stop() {
			await Promise.all(workers.map((w) => w.stop()));
			await main?.stop();
			await instance.cleanup();
		},
		output() {
			return [main, ...workers]
				.filter(Boolean)
				.map((p) => `--- ${p.name}\n${p.out}`)
				.join('\n');
		},
	};
	try {
		await cli([
			'import:credentials',
			`--input=${writeJson(instance, 'credentials.json', credentials)}`,
		]);
		const dir = path.join(instance.userFolder, 'queue-workflows');
		mkdirSync(dir, { recursive: true });
		for (const wf of workflows)
			writeFileSync(path.join(dir, `${wf.id}.json`), JSON.stringify(wf, null, 2));
		await cli(['import:workflow', '--separate', `--input=${dir}`]);
		// Each CLI call is a full n8n start-up; they touch different rows, so run them side by side.
		await Promise.all(workflows.map((wf) => cli(['publish:workflow', `--id=${wf.id}`])));
		main = startProcess(
			['start'],
			{ ...env, N8N_EVENTBUS_LOGWRITER_LOGBASENAME: 'n8nEventLog-main' },
			'main',
		);
		await waitHealthy(main, `${cluster.base}/healthz/readiness`, 180_000);
		log(`main on ${cluster.base}`);
		cluster.main = main;
		return cluster;
	} catch (error) {
		await cluster.stop();
		throw error;
	}
}

function writeJson(instance, name, value) {
	const file = path.join(instance.userFolder, name);
	writeFileSync(file, JSON.stringify(value, null, 2));
	return file;
}
