#!/usr/bin/env node
// `npm run bench:queue` (after `npm run build`): several independent n8n processes sharing one
// DNSFilter organization budget. Each "worker" is its own Node process running executions of the
// real DNSFilter node (Get Network per item) through the n8n-core engine, one after another as a
// queue-mode worker takes jobs; the stand-in on 127.0.0.1 enforces one budget in fixed windows and
// sends RateLimit headers. For 1, 2 and 4 workers, side by side:
//   - pacing: this node as shipped (server headers + per-process budget = the organization's limit)
//   - throttle only: the same, server headers ignored (today's per-process throttle, no per-worker setting)
//   - throttle split: headers ignored, per-process budget = limit × 0.95 ÷ workers (what users had to set)
// Figures: 429s the workers got, share of the budget used over the full windows, p95 wait (the
// gap between one worker's consecutive answered requests: pacing, throttle and 429 retries all
// show in it). Writes bench/queue-results.json. A benchmark, not a test: nothing fails on a number.
//
// Knobs: BENCH_QUEUE_LIMIT=120 BENCH_QUEUE_WINDOW_MS=6000 BENCH_QUEUE_WINDOWS=5 BENCH_QUEUE_WORKERS=1,2,4
// BENCH_QUEUE_MODES=pacing (comma-separated mode names)
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { runProcesses } from '../test/support/pacing-run.mjs';
import { startRateLimitedApi } from '../test/support/ratelimit-standin.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const LIMIT = Number(process.env.BENCH_QUEUE_LIMIT ?? 120);
const WINDOW_MS = Number(process.env.BENCH_QUEUE_WINDOW_MS ?? 6000);
const WINDOWS = Number(process.env.BENCH_QUEUE_WINDOWS ?? 5);
const WORKERS = (process.env.BENCH_QUEUE_WORKERS ?? '1,2,4').split(',').map(Number);
const ALL_MODES = [
	{ mode: 'pacing', pacing: true, split: false },
	{ mode: 'throttle only', pacing: false, split: false },
	{ mode: 'throttle split', pacing: false, split: true },
];
// BENCH_QUEUE_MODES=pacing measures one side only, while tuning; the table wants all three.
const MODES = process.env.BENCH_QUEUE_MODES
	? ALL_MODES.filter((m) => process.env.BENCH_QUEUE_MODES.split(',').includes(m.mode))
	: ALL_MODES;

const rows = [];
const started = Date.now();
for (const workers of WORKERS) {
	for (const { mode, pacing, split } of MODES) {
		const api = await startRateLimitedApi({ limit: LIMIT, windowMs: WINDOW_MS, form: 'draft-03' });
		const itemsEach = Math.ceil((LIMIT * WINDOWS) / workers);
		const throttleRequests = split ? Math.floor((LIMIT * 0.95) / workers) : LIMIT;
		const t0 = Date.now();
		const run = await runProcesses(api, {
			processes: workers,
			itemsEach,
			pacing,
			throttleRequests,
			batch: 25,
		});
		await api.close();
		const used = run.windows.length
			? run.windows.reduce((s, w) => s + w.ok, 0) / (run.windows.length * LIMIT)
			: 0;
		const row = {
			workers,
			mode,
			perProcessBudget: throttleRequests,
			requests: workers * itemsEach,
			rejected429: run.rejected,
			budgetUsed: Math.round(used * 1000) / 1000,
			fullWindows: run.windows.length,
			windowCounts: run.windows.map((w) => w.ok),
			p95WaitMs: run.p95WaitMs,
			errors: run.results.flatMap((r) => r.errors).length,
			seconds: Math.round((Date.now() - t0) / 100) / 10,
		};
		rows.push(row);
		process.stderr.write(
			`[bench:queue] ${workers} worker(s), ${mode}: ${row.rejected429} × 429, ${Math.round(used * 100)} % used over ${row.fullWindows} windows, p95 wait ${row.p95WaitMs} ms (${row.seconds} s)\n`,
		);
	}
}

const table = [
	`| Workers | Mode | Per-process budget | 429s | Budget used | p95 wait (ms) |`,
	`|---|---|---|---|---|---|`,
	...rows.map(
		(r) =>
			`| ${r.workers} | ${r.mode} | ${r.perProcessBudget} / ${WINDOW_MS / 1000} s | ${r.rejected429} | ${Math.round(r.budgetUsed * 100)} % | ${r.p95WaitMs} |`,
	),
].join('\n');
console.log(
	`\nOrganization budget ${LIMIT} requests per ${WINDOW_MS / 1000} s, ${WINDOWS} windows of demand per run\n`,
);
console.log(table);
writeFileSync(
	path.join(here, 'queue-results.json'),
	JSON.stringify(
		{
			at: new Date().toISOString(),
			machine: {
				cpus: os.cpus().length,
				model: os.cpus()[0]?.model,
				node: process.version,
				loadavg: os.loadavg(),
			},
			budget: { limit: LIMIT, windowMs: WINDOW_MS, windowsOfDemand: WINDOWS },
			seconds: Math.round((Date.now() - started) / 1000),
			rows,
			table,
		},
		null,
		2,
	) + '\n',
);
