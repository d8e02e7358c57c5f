#!/usr/bin/env node
// `npm run bench` (after `npm run build`): runs every benchmark, prints a table and writes
// bench/results.json. The servers live in this process; every measured side runs in its own
// child process (bench/client.mjs, bench/load-sample.cjs) so its memory peak is its own.
// Benchmarks, not tests: nothing here passes or fails on a number.
//
// Environment knobs (all optional): BENCH_ONLY=load,requests,returnAll,retry,throttle
// BENCH_TARGET=probe (drive the transport probe node instead of the DNSFilter node)
// BENCH_REQUESTS=5000 BENCH_RECORDS=100000 BENCH_LOAD_SAMPLES=9 BENCH_REPEATS=3 (runs per side, median kept)
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { benchDir, benchEnv, median, RESULT_PREFIX, root, round } from './lib.mjs';
import {
	maxInAnyWindow,
	startArrivalServer,
	startPagedServer,
	startRateLimitedServer,
	startRecordServer,
} from './servers.mjs';

const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : undefined;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 5000);
const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const LOAD_SAMPLES = Number(process.env.BENCH_LOAD_SAMPLES ?? 9);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const env = benchEnv();

/** Runs a child without blocking this process's event loop (the servers live here). */
function child(args, { timeoutMs = 240_000 } = {}) {
	return new Promise((resolve, reject) => {
		const proc = spawn(process.execPath, ['--expose-gc', ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		proc.stdout.on('data', (chunk) => (stdout += chunk));
		proc.stderr.on('data', (chunk) => (stderr += chunk));
		const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
		proc.on('close', (code, signal) => {
			clearTimeout(timer);
			const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
			if (code !== 0 || !line) {
				reject(new Error(`${args.join(' ')} exited ${code ?? signal}:\n${stderr.slice(-3000)}\n${stdout.slice(-1000)}`));
				return;
			}
			resolve(JSON.parse(line.slice(RESULT_PREFIX.length)));
		});
	});
}

const client = (options) => child([path.join(benchDir, 'client.mjs'), JSON.stringify(options)]);

async function withServer(start, use) {
	const server = await start();
	try {
		return await use(server);
	} finally {
		await server.close();
	}
}

const builtNode = existsSync(path.join(root, 'dist', 'nodes', 'DnsFilter', 'DnsFilter.node.js'));

// ---------------------------------------------------------------------------------------------

async function benchLoad() {
	if (!builtNode) return { skipped: 'dist/nodes/DnsFilter/DnsFilter.node.js is not built yet' };
	const samples = { ours: [], peer: [] };
	// Interleaved, so drift on a noisy machine hits both sides alike.
	for (let i = 0; i < LOAD_SAMPLES; i++) {
		for (const which of ['ours', 'peer']) samples[which].push(await child([path.join(benchDir, 'load-sample.cjs'), which]));
	}
	const summary = (list) => ({
		samples: list.length,
		medianLoadMs: round(median(list.map((s) => s.totalMs))),
		medianRequireMs: round(median(list.map((s) => s.requireMs))),
		medianDescribeMs: round(median(list.map((s) => s.describeMs)), 3),
		descriptionBytes: list[0].descriptionBytes,
		properties: list[0].properties,
		operations: list[0].operations,
		retainedHeapMb: round(median(list.map((s) => s.heapMb)), 1),
	});
	const ours = summary(samples.ours);
	const peer = summary(samples.peer);
	return {
		ours,
		peer,
		ratios: {
			loadTime: round(ours.medianLoadMs / peer.medianLoadMs),
			descriptionSize: round(ours.descriptionBytes / peer.descriptionBytes),
			retainedHeap: round(ours.retainedHeapMb / peer.retainedHeapMb),
		},
	};
}

/** Of several runs of one side, the one with the median time; all times are kept alongside. */
function medianRun(runs, key) {
	const sorted = [...runs].sort((a, b) => a[key] - b[key]);
	return { ...sorted[(sorted.length - 1) >> 1], runs: runs.map((r) => r[key]) };
}

/** Runs `once(round)` REPEATS times, the sides interleaved inside each round, so drift hits all alike. */
async function repeated(once, key) {
	const rounds = [];
	for (let i = 0; i < REPEATS; i++) rounds.push(await once(i));
	const sides = Object.keys(rounds[0]);
	return Object.fromEntries(sides.map((side) => [side, medianRun(rounds.map((r) => r[side]), key)]));
}

async function benchRequests() {
	const warmup = Math.min(200, REQUESTS);
	const { node, axios, axiosFresh, probe, parallel } = await repeated(
		() =>
			withServer(startRecordServer, async (server) => {
				const connectionsFor = async (side, target, concurrency) => {
					const before = server.stats.connections;
					const result = await client({ scenario: 'requests', side, target, concurrency, url: server.url, count: REQUESTS, warmup });
					return { ...result, connections: server.stats.connections - before };
				};
				return {
					node: await connectionsFor('node'),
					axios: await connectionsFor('axios'),
					// Not the floor: axios opening a new connection per request, to separate the cost of
					// connection set-up (which n8n-core's request helpers impose) from the rest.
					axiosFresh: await connectionsFor('axiosFresh'),
					// The transport alone in the same engine: what the node's own routing adds on top.
					...(builtNode ? { probe: await connectionsFor('node', 'probe') } : {}),
					// Not comparable with the sequential floor: the node's "Items in Parallel" at its maximum.
					...(builtNode ? { parallel: await connectionsFor('node', undefined, 5) } : {}),
				};
			}),
		'msPerRequest',
	);
	return {
		repeats: REPEATS,
		node,
		axios,
		axiosFresh,
		probe,
		parallel,
		ratios: {
			msPerRequest: round(node.msPerRequest / axios.msPerRequest),
			parallelVsSequential: parallel ? round(parallel.msPerRequest / node.msPerRequest) : undefined,
			msPerRequestVsProbe: probe && node.target !== 'probe' ? round(node.msPerRequest / probe.msPerRequest) : undefined,
			msPerRequestVsFreshConnections: round(node.msPerRequest / axiosFresh.msPerRequest),
			peakRss: round(node.peakRssMb / axios.peakRssMb),
			rssGrowth: round(node.rssGrowthMb / Math.max(1, axios.rssGrowthMb)),
		},
	};
}

async function returnAllOnce(side) {
	const server = await startPagedServer({ total: RECORDS });
	try {
		const result = await client({ scenario: 'returnAll', side, url: server.url });
		return { ...result, pagesFetched: server.seen.pages, connections: server.stats.connections };
	} finally {
		await server.close();
	}
}

async function benchReturnAll() {
	const { node, axios } = await repeated(async () => ({ node: await returnAllOnce('node'), axios: await returnAllOnce('axios') }), 'elapsedMs');
	return {
		repeats: REPEATS,
		expected: { records: RECORDS, pages: Math.ceil(RECORDS / 100) },
		node,
		axios,
		ratios: {
			time: round(node.elapsedMs / axios.elapsedMs),
			peakRss: round(node.peakRssMb / axios.peakRssMb),
			rssGrowth: round(node.rssGrowthMb / Math.max(1, axios.rssGrowthMb)),
		},
	};
}

async function benchRetry() {
	const count = 40;
	return withServer(
		() => startRateLimitedServer({ probability: 0.3, seed: 20240601, retryAfterSeconds: 1 }),
		async (server) => {
			const node = await client({ scenario: 'retry', side: 'node', url: server.url, count });
			const { ok, limited, early } = server.state;
			const minimumMs = limited * 1000;
			const serverSpanMs = server.state.lastAt - server.state.firstAt;
			return {
				target: node.target,
				requestsWanted: count,
				answered429: limited + early,
				scheduled429: limited,
				earlyRetries: early,
				requestsSent: server.stats.requests,
				minimumRequests: count + limited,
				extraRequests: server.stats.requests - (count + limited),
				successes: ok,
				minimumMs,
				elapsedMs: node.elapsedMs,
				serverSpanMs: round(serverSpanMs),
				ratio: round(node.elapsedMs / minimumMs, 3),
				serverSpanRatio: round(serverSpanMs / minimumMs, 3),
			};
		},
	);
}

/** Four windows' worth of requests from `executions` concurrent executions sharing one credential. */
function benchThrottleWith(limit, windowSeconds, executions = 2) {
	const perExecution = (4 * limit) / executions;
	return withServer(startArrivalServer, async (server) => {
		const node = await client({ scenario: 'throttle', side: 'node', url: server.url, limit, windowSeconds, executions, perExecution });
		const times = [...server.arrivals].sort((a, b) => a - b);
		const windowMs = windowSeconds * 1000;
		// Steady state: request i and request i+limit start one window apart, so the rate over
		// pairs that are both past the first burst is limit / mean(t[i+limit] - t[i]).
		const gaps = [];
		for (let i = limit; i + limit < times.length; i++) gaps.push(times[i + limit] - times[i]);
		const meanGap = gaps.reduce((a, b) => a + b, 0) / gaps.length;
		const configuredPerSecond = limit / windowSeconds;
		const measuredPerSecond = (limit / meanGap) * 1000;
		const windows = (times.at(-1) - times[0]) / windowMs;
		// The throttle returns a token one window plus a safety margin after it was spent.
		const throttleModule = path.join(root, 'dist', 'nodes', 'DnsFilter', 'transport', 'throttle.js');
		const marginMs = createRequire(import.meta.url)(throttleModule).safetyMarginFor?.(windowMs) ?? 0;
		const designedPerSecond = (limit / (windowMs + marginMs)) * 1000;
		return {
			target: node.target,
			limit,
			windowSeconds,
			executions,
			requests: times.length,
			windowsSpanned: round(windows, 2),
			configuredPerSecond,
			measuredPerSecond: round(measuredPerSecond, 2),
			rateRatio: round(measuredPerSecond / configuredPerSecond, 3),
			safetyMarginMs: marginMs,
			designedPerSecond: round(designedPerSecond, 2),
			rateRatioToDesigned: round(measuredPerSecond / designedPerSecond, 3),
			maxStartsInAnyWindow: maxInAnyWindow(times, windowMs),
			minGapBetweenWindowPairsMs: round(Math.min(...gaps)),
			elapsedMs: node.elapsedMs,
		};
	});
}

async function benchThrottle() {
	return {
		// The brief's configuration: short windows, where the safety margin's 250 ms floor shows.
		short: await benchThrottleWith(200, 2),
		// A 10 s window, where the same margin is 2.5% of the window.
		long: await benchThrottleWith(50, 10),
	};
}

// ---------------------------------------------------------------------------------------------

function table(results) {
	const rows = [];
	const add = (benchmark, metric, ours, reference, ratio, note = '') => rows.push({ benchmark, metric, ours, reference, ratio, note });
	const { load, requests, returnAll, retry, throttle } = results.benchmarks;
	if (load?.ours) {
		add('1 load', 'require + description (median ms)', load.ours.medianLoadMs, load.peer.medianLoadMs, load.ratios.loadTime, `peer = n8n-openapi-node, ${load.ours.samples} fresh processes each`);
		add('1 load', 'description JSON (KB)', round(load.ours.descriptionBytes / 1024, 1), round(load.peer.descriptionBytes / 1024, 1), load.ratios.descriptionSize, `${load.ours.operations} vs ${load.peer.operations} operations`);
		add('1 load', 'retained heap after load (MB)', load.ours.retainedHeapMb, load.peer.retainedHeapMb, load.ratios.retainedHeap);
	} else if (load) add('1 load', 'skipped', '', '', '', load.skipped ?? load.error);
	if (requests?.node) {
		add('2 per-request', `ms/request (${requests.node.count} GETs)`, requests.node.msPerRequest, requests.axios.msPerRequest, requests.ratios.msPerRequest, `${requests.node.target} in WorkflowExecute vs axios loop; median of ${requests.repeats} interleaved runs`);
		add('2 per-request', 'ms/request vs axios with a new connection per request', requests.node.msPerRequest, requests.axiosFresh.msPerRequest, requests.ratios.msPerRequestVsFreshConnections, 'isolates connection set-up; not the floor');
		if (requests.ratios.msPerRequestVsProbe) add('2 per-request', 'ms/request vs the transport alone (probe node)', requests.node.msPerRequest, requests.probe.msPerRequest, requests.ratios.msPerRequestVsProbe, "the node's own routing and parameter reading");
		if (requests.parallel) add('2 per-request', 'ms/request, Items in Parallel = 5 vs 1', requests.parallel.msPerRequest, requests.node.msPerRequest, requests.ratios.parallelVsSequential, 'wall time per request; the local server answers at once, so this shows CPU cost, not hidden latency');
		add('2 per-request', 'peak RSS (MB)', requests.node.peakRssMb, requests.axios.peakRssMb, requests.ratios.peakRss);
		add('2 per-request', 'RSS growth during run (MB)', requests.node.rssGrowthMb, requests.axios.rssGrowthMb, requests.ratios.rssGrowth);
		add('2 per-request', 'peak heap used (MB)', requests.node.peakHeapUsedMb, requests.axios.peakHeapUsedMb, round(requests.node.peakHeapUsedMb / requests.axios.peakHeapUsedMb));
		add('2 per-request', 'heap retained after GC, results held (MB)', requests.node.retainedHeapMb, requests.axios.retainedHeapMb, round(requests.node.retainedHeapMb / requests.axios.retainedHeapMb));
		add('2 per-request', 'TCP connections opened', requests.node.connections, requests.axios.connections, '', `per run, incl. ${Math.min(200, requests.node.count)} warm-up requests; axios with a new connection each: ${requests.axiosFresh.connections}`);
	} else if (requests) add('2 per-request', 'failed', '', '', '', requests.error);
	if (returnAll?.node) {
		add('3 return all', `time for ${returnAll.node.records} records (ms)`, returnAll.node.elapsedMs, returnAll.axios.elapsedMs, returnAll.ratios.time, `${returnAll.node.target} with Return All vs axios page loop; median of ${returnAll.repeats} interleaved runs`);
		add('3 return all', 'pages fetched', returnAll.node.pagesFetched, returnAll.axios.pagesFetched, '', `expected ${returnAll.expected.pages}`);
		add('3 return all', 'peak RSS (MB)', returnAll.node.peakRssMb, returnAll.axios.peakRssMb, returnAll.ratios.peakRss);
		add('3 return all', 'RSS growth during run (MB)', returnAll.node.rssGrowthMb, returnAll.axios.rssGrowthMb, returnAll.ratios.rssGrowth);
		add('3 return all', 'peak heap used (MB)', returnAll.node.peakHeapUsedMb, returnAll.axios.peakHeapUsedMb, round(returnAll.node.peakHeapUsedMb / returnAll.axios.peakHeapUsedMb));
		add('3 return all', 'heap retained after GC, results held (MB)', returnAll.node.retainedHeapMb, returnAll.axios.retainedHeapMb, round(returnAll.node.retainedHeapMb / returnAll.axios.retainedHeapMb));
	} else if (returnAll) add('3 return all', 'failed', '', '', '', returnAll.error);
	if (retry?.ratio) {
		add('4 429 recovery', 'elapsed / sum of Retry-After', retry.elapsedMs, retry.minimumMs, retry.ratio, `${retry.requestsWanted} GETs, ${retry.scheduled429} × 429 Retry-After: 1 (goal ≤ 1.1)`);
		add('4 429 recovery', 'requests sent / minimum', retry.requestsSent, retry.minimumRequests, round(retry.requestsSent / retry.minimumRequests, 3), `${retry.extraRequests} extra, ${retry.earlyRetries} early retries`);
	} else if (retry) add('4 429 recovery', 'failed', '', '', '', retry.error);
	for (const config of throttle?.error ? [] : [throttle?.short, throttle?.long]) {
		if (!config?.rateRatio) continue;
		const label = `${config.limit} per ${config.windowSeconds} s`;
		add('5 throttle', `steady-state rate, ${label} (req/s)`, config.measuredPerSecond, config.configuredPerSecond, config.rateRatio, `${config.executions} executions sharing the credential, ${config.requests} requests over ${config.windowsSpanned} windows (goal within 5%)`);
		if (config.safetyMarginMs) add('5 throttle', `steady-state rate vs designed rate, ${label}`, config.measuredPerSecond, config.designedPerSecond, config.rateRatioToDesigned, `designed = limit / (window + ${config.safetyMarginMs} ms safety margin)`);
		add('5 throttle', `max starts in any ${config.windowSeconds} s window`, config.maxStartsInAnyWindow, config.limit, round(config.maxStartsInAnyWindow / config.limit, 3), 'goal never above the limit (server arrival times)');
	}
	if (throttle?.error) add('5 throttle', 'failed', '', '', '', throttle.error);
	const header = ['Benchmark', 'Metric', 'This node', 'Reference', 'Ratio', 'Notes'];
	const lines = [
		`| ${header.join(' | ')} |`,
		`|${header.map(() => '---').join('|')}|`,
		...rows.map((r) => `| ${[r.benchmark, r.metric, r.ours, r.reference, r.ratio, r.note].join(' | ')} |`),
	];
	return lines.join('\n');
}

const benchmarks = { load: benchLoad, requests: benchRequests, returnAll: benchReturnAll, retry: benchRetry, throttle: benchThrottle };
const git = (...args) => spawnSync('git', args, { cwd: root, encoding: 'utf8' }).stdout?.trim();
const results = {
	date: new Date().toISOString(),
	commit: git('rev-parse', '--short', 'HEAD'),
	// Other work in the checkout (built into dist/ too) when the run started.
	uncommittedFiles:
		git('status', '--porcelain', '--untracked-files=no')
			?.split('\n')
			.filter((line) => line && !line.endsWith('bench/results.json')).length ?? 0,
	machine: { node: process.version, platform: `${os.platform()} ${os.arch()}`, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model },
	target: builtNode && process.env.BENCH_TARGET !== 'probe' ? 'DnsFilter node (dist/)' : 'transport probe node (test/support/probe-node.mjs)',
	benchmarks: {},
};
const startedAll = Date.now();
for (const [name, bench] of Object.entries(benchmarks)) {
	if (only && !only.has(name)) continue;
	const started = Date.now();
	process.stderr.write(`bench: ${name}…\n`);
	try {
		results.benchmarks[name] = await bench();
	} catch (error) {
		results.benchmarks[name] = { error: String(error?.message ?? error).slice(0, 2000) };
		process.stderr.write(`bench: ${name} failed: ${results.benchmarks[name].error}\n`);
	}
	results.benchmarks[name].benchSeconds = round((Date.now() - started) / 1000, 1);
}
results.totalSeconds = round((Date.now() - startedAll) / 1000, 1);
results.table = table(results);
console.log(`\nTarget: ${results.target} at ${results.commit}${results.uncommittedFiles ? ` + ${results.uncommittedFiles} uncommitted files` : ''} — ${results.machine.cpus} × ${results.machine.cpuModel}, Node ${results.machine.node}\n`);
console.log(results.table);
console.log(`\nTotal ${results.totalSeconds} s. Ratios are this node / reference, measured in this run.`);
if (!only) writeFileSync(path.join(benchDir, 'results.json'), `${JSON.stringify(results, null, '\t')}\n`);
else console.log('(BENCH_ONLY set: bench/results.json not written)');
