// Runs several independent engine processes (test/support/pacing-process.mjs) at once against one
// rate-limited stand-in and gathers what each did, plus the stand-in's view: 429s, budget used per
// window and the wait between one process's consecutive answered requests.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { makeApiKey } from './jwt.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
// n8n-core writes an instance config on first use: inside the project, as scripts/run-tests.mjs does.
const userFolder = process.env.N8N_USER_FOLDER ?? path.resolve(here, '..', '.tmp', 'n8n');
mkdirSync(userFolder, { recursive: true });
const childEnv = {
	...process.env,
	N8N_USER_FOLDER: userFolder,
	N8N_ENCRYPTION_KEY: process.env.N8N_ENCRYPTION_KEY ?? 'dnsfilter-node-tests-only',
};

function runChild(config, timeoutMs) {
	return new Promise((resolve, reject) => {
		const child = spawn(
			process.execPath,
			[path.join(here, 'pacing-process.mjs'), JSON.stringify(config)],
			{ env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] },
		);
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (c) => (stdout += c));
		child.stderr.on('data', (c) => (stderr += c));
		const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
		child.on('error', reject);
		child.on('close', (code) => {
			clearTimeout(timer);
			const line = stdout.trim().split('\n').pop();
			try {
				resolve({ code, ...JSON.parse(line) });
			} catch {
				reject(
					new Error(
						`process exited ${code} without a result:\n${stdout.slice(-2000)}\n${stderr.slice(-2000)}`,
					),
				);
			}
		});
	});
}

/** The q-quantile of numbers (nearest rank). */
export function quantile(values, q) {
	if (!values.length) return 0;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/**
 * `processes` engines, each with its own key (so the stand-in can tell them apart; each process
 * has its own pacer anyway), `itemsEach` Get Network items in executions of `batch`.
 */
export async function runProcesses(
	api,
	{
		processes,
		itemsEach,
		batch = 25,
		pacing = true,
		concurrency = 1,
		throttleRequests,
		throttleWindowSeconds,
		timeoutMs = 600_000,
	},
) {
	const keys = Array.from({ length: processes }, (_, i) =>
		makeApiKey({ sub: `pacing-process-${i}-${Date.now()}` }),
	);
	const started = Date.now();
	const results = await Promise.all(
		keys.map((apiKey, i) =>
			runChild(
				{
					url: api.url,
					apiKey,
					ids: [i * itemsEach + 1, (i + 1) * itemsEach],
					batch,
					pacing,
					concurrency,
					throttleRequests: throttleRequests ?? api.limit,
					throttleWindowSeconds: throttleWindowSeconds ?? api.windowMs / 1000,
				},
				timeoutMs,
			),
		),
	);
	const finished = Date.now();
	const clients = keys.map((key) => api.clientOf(key));
	// The wait a request saw: from its predecessor's answer (a sequential process sends the next
	// item right then) to its own successful arrival, less nothing: pacing, throttle and 429 retries.
	const waits = [];
	for (const client of clients) {
		const times = api.stats.arrivals
			.filter((a) => a.client === client && a.status === 200)
			.map((a) => a.at);
		for (let i = 1; i < times.length; i++) waits.push(times[i] - times[i - 1]);
	}
	const ours = api.stats.arrivals.filter((a) => clients.includes(a.client));
	const firstAt = ours.length ? ours[0].at : started;
	const lastAt = ours.length ? ours[ours.length - 1].at : finished;
	const rejected = api.stats.arrivals.filter(
		(a) => clients.includes(a.client) && a.status === 429,
	).length;
	return {
		results,
		started,
		finished,
		rejected,
		waits,
		p95WaitMs: quantile(waits, 0.95),
		windows: api.windowsBetween(firstAt, lastAt),
	};
}
