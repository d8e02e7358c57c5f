// One measured load on the queue-mode cluster: fire webhook executions, wait until Postgres says
// every one of them finished, then read what happened: each execution's status and which worker
// ran it, the stand-in's 429s and the share of each full window's budget that was used.
import { log } from './services.mjs';

async function postAll(base, posts, parallel = 8) {
	const queue = [...posts];
	const failures = [];
	await Promise.all(
		Array.from({ length: parallel }, async () => {
			for (let post = queue.shift(); post; post = queue.shift()) {
				const res = await fetch(`${base}/webhook/${post.path}`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ items: post.ids.map((id) => ({ id })) }),
					signal: AbortSignal.timeout(60_000),
				}).catch((error) => ({ status: 0, text: async () => String(error) }));
				if (res.status !== 200)
					failures.push(`${post.path}: HTTP ${res.status} ${await res.text()}`);
				else await res.arrayBuffer();
			}
		}),
	);
	return failures;
}

/** `count` posts of `size` consecutive ids from `firstId` to the webhook `path`. */
export function batches(path, firstId, count, size) {
	return Array.from({ length: count }, (_, i) => ({
		path,
		ids: Array.from({ length: size }, (_, j) => firstId + i * size + j),
	}));
}

/** Interleaves lists so different workflows' executions are queued side by side. */
export function interleave(...lists) {
	const out = [];
	for (let i = 0; i < Math.max(...lists.map((l) => l.length)); i++)
		for (const l of lists) if (i < l.length) out.push(l[i]);
	return out;
}

export async function runScenario({
	label,
	cluster,
	services,
	api,
	posts,
	clients,
	timeoutMs = 8 * 60_000,
}) {
	const [{ max: before }] = services.query(
		'select coalesce(max(id), 0) as max from execution_entity',
	);
	// A fresh window, so what the previous load spent does not count against this one.
	await new Promise((r) => setTimeout(r, api.untilNextWindow() + 50));
	const started = Date.now();
	log(
		`${label}: ${posts.length} executions, ${posts.reduce((n, p) => n + p.ids.length, 0)} requests`,
	);
	const postFailures = await postAll(cluster.base, posts);
	if (postFailures.length)
		throw new Error(`${label}: webhook calls failed: ${postFailures.slice(0, 3).join('; ')}`);
	const deadline = Date.now() + timeoutMs;
	let rows = [];
	for (;;) {
		rows = services.query(
			`select id, status, "workflowId" as "workflowId", (extract(epoch from "startedAt") * 1000)::bigint as "startedMs" from execution_entity where id > ${Number(before)} order by id`,
		);
		const done = rows.filter((r) => ['success', 'error', 'crashed', 'canceled'].includes(r.status));
		if (rows.length >= posts.length && done.length === rows.length) break;
		if (Date.now() > deadline)
			throw new Error(
				`${label}: ${done.length} of ${posts.length} executions finished within ${timeoutMs} ms`,
			);
		await new Promise((r) => setTimeout(r, 2000));
	}
	const finished = Date.now();
	const byWorker = cluster.executionsByWorker();
	const ours = api.stats.arrivals.filter((a) => a.at >= started && clients.includes(a.client));
	const firstAt = ours.length ? ours[0].at : started;
	const lastAt = ours.length ? ours[ours.length - 1].at : finished;
	// Steady state: until the last execution started, jobs were waiting in the queue, so every
	// worker had all the work it could take. The drain after that is not counted.
	const lastStart = Math.max(...rows.map((r) => Number(r.startedMs) || 0));
	const windows = api.windowsBetween(firstAt, Math.min(lastAt, lastStart || lastAt));
	const allWindows = api.windowsBetween(firstAt, lastAt);
	const used = windows.length
		? windows.reduce((sum, w) => sum + w.ok, 0) / (windows.length * api.limit)
		: 0;
	const perWorker = {};
	for (const row of rows)
		for (const w of byWorker.get(Number(row.id)) ?? []) perWorker[w] = (perWorker[w] ?? 0) + 1;
	const result = {
		label,
		executions: rows.length,
		statuses: rows.reduce((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {}),
		requests: ours.filter((a) => a.status === 200).length,
		rejected: ours.filter((a) => a.status === 429).length,
		windows: windows.map((w) => w.ok),
		used,
		allWindows: allWindows.map((w) => w.ok),
		perWorker,
		unassigned: rows.filter((r) => !byWorker.has(Number(r.id))).length,
		doubled: rows.filter((r) => (byWorker.get(Number(r.id)) ?? []).length > 1).length,
		durationMs: finished - started,
		rows,
	};
	log(
		`${label}: ${result.requests} answered, ${result.rejected} × 429, budget used ${Math.round(used * 100)} % over ${windows.length} full steady windows [${result.windows.join(', ')}] (all full windows: [${result.allWindows.join(', ')}]), per worker ${JSON.stringify(perWorker)}, ${Math.round(result.durationMs / 1000)} s`,
	);
	return result;
}
