#!/usr/bin/env node
// `npm run bench` (after `npm run build`): runs every benchmark, prints the commit and a table,
// writes bench/results.json and renders the README's Performance section from it (bench/readme.mjs).
// The servers live in this process; every measured side runs in its own child process
// (bench/client.mjs, bench/load-sample.cjs, bench/panel-sample.cjs, bench/served-weight.cjs) so
// its memory peak is its own. Benchmarks, not tests: nothing here passes or fails on a number.
//
// A run only writes results.json and the README when the checkout is exactly its commit (nothing
// uncommitted but the files the bench itself writes); `--dry-run` (or BENCH_DRY_RUN=1) measures
// anyway and writes only bench/.tmp/results.json.
//
// Environment knobs (all optional): BENCH_ONLY=load,weight,panel,requests,returnAll,retry,throttle,latency
// BENCH_TARGET=probe (drive the transport probe node instead of the DNSFilter node)
// BENCH_REQUESTS=5000 BENCH_RECORDS=500000 BENCH_LOAD_SAMPLES=9 BENCH_REPEATS=3 (runs per side, median kept)
// BENCH_PANEL_PASSES=5 (passes over the operation set per panel sample)
// DNSFILTER_E2E_CACHE (where the end-to-end tier keeps n8n 2.41.1), BENCH_INSTALL_N8N=1 (install it there),
// BENCH_N8N_DIR=<node_modules of an n8n 2.41.1 install> (instead of the cache)
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { checkoutState } from './git-state.mjs';
import { benchDir, benchEnv, median, RESULT_PREFIX, root, round, tmpDir } from './lib.mjs';
import { n8nModules, N8N_VERSION } from './n8n-install.mjs';
import { markdownTable, renderReadmes } from './readme.mjs';
import {
	maxInAnyWindow,
	startArrivalServer,
	startPagedServer,
	startRateLimitedServer,
	startBudgetServer,
	startRecordServer,
} from './servers.mjs';

const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : undefined;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 5000);
const RECORDS = Number(process.env.BENCH_RECORDS ?? 500_000);
const LOAD_SAMPLES = Number(process.env.BENCH_LOAD_SAMPLES ?? 9);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const PANEL_PASSES = Number(process.env.BENCH_PANEL_PASSES ?? 5);
const dryRun = process.argv.includes('--dry-run') || process.env.BENCH_DRY_RUN === '1';
const env = benchEnv();

// The commit, before anything is measured: a run meant for the README must measure exactly it.
const startState = checkoutState();
process.stderr.write(
	`bench: commit ${startState.commit}${startState.uncommitted.length ? ` + ${startState.uncommitted.length} uncommitted: ${startState.uncommitted.join(', ')}` : ' (clean)'}\n`,
);
if (!dryRun && !only && startState.uncommitted.length) {
	process.stderr.write(
		'bench: refusing a run for the README with uncommitted changes (they would be measured but not in the commit).\n' +
			'       Commit them first, or measure anyway with `npm run bench -- --dry-run` (writes only bench/.tmp/results.json).\n',
	);
	process.exit(2);
}
// The real n8n (HTTP Request node, n8n's loader), from the end-to-end tier's cache. A run for the
// README needs it; BENCH_INSTALL_N8N=1 installs it with that tier's script (≈5 min, ≈3 GB).
const n8nModulesDir = await n8nModules({ install: process.env.BENCH_INSTALL_N8N === '1' });
if (!n8nModulesDir && !dryRun && !only) {
	process.stderr.write(
		`bench: n8n ${N8N_VERSION} (the HTTP Request node and n8n's loader) is not installed where DNSFILTER_E2E_CACHE points.\n` +
			'       Export DNSFILTER_E2E_CACHE=<the end-to-end cache>, or BENCH_INSTALL_N8N=1 to install it; `--dry-run` skips those rows.\n',
	);
	process.exit(2);
}
const noN8n = `n8n ${N8N_VERSION} not found: set DNSFILTER_E2E_CACHE to the end-to-end tier's cache or run scripts/e2e/install-n8n.mjs`;

/** Runs a child without blocking this process's event loop (the servers live here). */
function child(args, { timeoutMs = 240_000 } = {}) {
	return new Promise((resolve, reject) => {
		const proc = spawn(process.execPath, ['--expose-gc', ...args], {
			cwd: root,
			env,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let stdout = '';
		let stderr = '';
		proc.stdout.on('data', (chunk) => (stdout += chunk));
		proc.stderr.on('data', (chunk) => (stderr += chunk));
		const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
		proc.on('close', (code, signal) => {
			clearTimeout(timer);
			const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
			if (code !== 0 || !line) {
				reject(
					new Error(
						`${args.join(' ')} exited ${code ?? signal}:\n${stderr.slice(-3000)}\n${stdout.slice(-1000)}`,
					),
				);
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
		for (const which of ['ours', 'peer'])
			samples[which].push(await child([path.join(benchDir, 'load-sample.cjs'), which]));
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

/** What n8n serves in /types/nodes.json: this node and its AI-tool copy vs the peer and HubSpot. */
async function benchWeight() {
	if (!builtNode) return { skipped: 'dist/nodes/DnsFilter/DnsFilter.node.js is not built yet' };
	if (!n8nModulesDir) return { skipped: noN8n };
	const served = await child([path.join(benchDir, 'served-weight.cjs'), n8nModulesDir]);
	const total = (side) => side.node + side.tool;
	return {
		...served,
		ratios: {
			node: round(served.ours.node / served.peer.node),
			nodeAndTool: round(total(served.ours) / total(served.peer)),
			nodeVsHubspot: round(served.ours.node / served.hubspot.node),
			nodeAndToolVsHubspot: round(total(served.ours) / total(served.hubspot)),
			shareOfNodesJson: round(total(served.ours) / served.totalBytes, 4),
		},
	};
}

/** n8n's parameter resolution over every operation, this node vs the peer, interleaved processes. */
async function benchPanel() {
	if (!builtNode) return { skipped: 'dist/nodes/DnsFilter/DnsFilter.node.js is not built yet' };
	const samples = { ours: [], peer: [] };
	for (let i = 0; i < REPEATS; i++) {
		for (const which of ['ours', 'peer'])
			samples[which].push(
				await child([path.join(benchDir, 'panel-sample.cjs'), which, String(PANEL_PASSES)]),
			);
	}
	const summary = (list) => ({
		samples: list.length,
		passesPerSample: PANEL_PASSES,
		operations: list[0].operations,
		msPerOperation: round(median(list.map((s) => s.msPerOperation)), 4),
		runs: list.map((s) => round(s.msPerOperation, 4)),
		parametersResolved: list[0].parametersResolved,
	});
	const ours = summary(samples.ours);
	const peer = summary(samples.peer);
	return {
		ours,
		peer,
		ratios: { msPerOperation: round(ours.msPerOperation / peer.msPerOperation) },
	};
}

/**
 * Of several runs of one side, the one with the median time; all times are kept alongside. CPU
 * time gets its own median across the runs (it need not come from the same run).
 */
function medianRun(runs, key) {
	const sorted = [...runs].sort((a, b) => a[key] - b[key]);
	const result = { ...sorted[(sorted.length - 1) >> 1], runs: runs.map((r) => r[key]) };
	for (const cpuKey of ['cpuMsPerRequest', 'cpuMs']) {
		if (runs.every((r) => typeof r[cpuKey] === 'number')) {
			result[cpuKey] = round(median(runs.map((r) => r[cpuKey])), 4);
			result[`${cpuKey}Runs`] = runs.map((r) => r[cpuKey]);
		}
	}
	return result;
}

/** Runs `once(round)` REPEATS times, the sides interleaved inside each round, so drift hits all alike. */
async function repeated(once, key) {
	const rounds = [];
	for (let i = 0; i < REPEATS; i++) rounds.push(await once(i));
	const sides = Object.keys(rounds[0]);
	return Object.fromEntries(
		sides.map((side) => [
			side,
			medianRun(
				rounds.map((r) => r[side]),
				key,
			),
		]),
	);
}

async function benchRequests() {
	const warmup = Math.min(200, REQUESTS);
	const {
		node,
		axios,
		axiosFresh,
		axiosFreshAll,
		probe,
		probeAll,
		parallel,
		httpRequest,
		httpRequestOneByOne,
	} = await repeated(
		() =>
			withServer(startRecordServer, async (server) => {
				const connectionsFor = async (side, target, concurrency, oneByOne) => {
					const before = { ...server.stats };
					const result = await client({
						scenario: 'requests',
						side,
						target,
						concurrency,
						oneByOne,
						url: server.url,
						count: REQUESTS,
						warmup,
						n8nModules: n8nModulesDir,
					});
					return {
						...result,
						connections: server.stats.connections - before.connections,
						withoutApiKey: server.stats.withoutApiKey - before.withoutApiKey,
					};
				};
				return {
					node: await connectionsFor('node'),
					// The anchor users would pick instead: n8n's HTTP Request node, same credential, same GETs.
					...(n8nModulesDir ? { httpRequest: await connectionsFor('httpRequest') } : {}),
					// Context, not the reference: the same node sending one request after another, as this
					// node does by default, to show what sequential sending itself costs in CPU.
					...(n8nModulesDir
						? {
								httpRequestOneByOne: await connectionsFor(
									'httpRequest',
									undefined,
									undefined,
									true,
								),
							}
						: {}),
					axios: await connectionsFor('axios'),
					// Not the floor: axios opening a new connection per request, to separate the cost of
					// connection set-up (which n8n-core's request helpers impose) from the rest.
					axiosFresh: await connectionsFor('axiosFresh'),
					// The same fresh-connection axios with every request started at once: what the HTTP
					// Request node's way of sending saves in Node's HTTP stack alone, with no n8n around it.
					axiosFreshAll: await connectionsFor('axiosFresh', undefined, 'all'),
					// The transport alone in the same engine: what the node's own routing adds on top.
					...(builtNode ? { probe: await connectionsFor('node', 'probe') } : {}),
					// The transport sending every item at once, as the HTTP Request node does: the two
					// compared with their requests sent the same way (the node itself caps Items in Parallel at 5).
					...(builtNode && n8nModulesDir
						? { probeAll: await connectionsFor('node', 'probe', 'all') }
						: {}),
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
		probeAll,
		parallel,
		axiosFreshAll,
		httpRequest: httpRequest ?? { skipped: noN8n },
		httpRequestOneByOne: httpRequestOneByOne ?? { skipped: noN8n },
		ratios: {
			msPerRequest: round(node.msPerRequest / axios.msPerRequest),
			cpuPerRequestVsHttpRequestOneByOne: httpRequestOneByOne
				? round(node.cpuMsPerRequest / httpRequestOneByOne.cpuMsPerRequest)
				: undefined,
			httpRequestOneByOneVsAllAtOnceCpu:
				httpRequest && httpRequestOneByOne
					? round(httpRequestOneByOne.cpuMsPerRequest / httpRequest.cpuMsPerRequest)
					: undefined,
			parallelCpuVsHttpRequest:
				httpRequest && parallel
					? round(parallel.cpuMsPerRequest / httpRequest.cpuMsPerRequest)
					: undefined,
			msPerRequestVsHttpRequest: httpRequest
				? round(node.msPerRequest / httpRequest.msPerRequest)
				: undefined,
			cpuPerRequestVsHttpRequest: httpRequest
				? round(node.cpuMsPerRequest / httpRequest.cpuMsPerRequest)
				: undefined,
			parallelVsHttpRequest:
				httpRequest && parallel
					? round(parallel.msPerRequest / httpRequest.msPerRequest)
					: undefined,
			httpRequestVsAxios: httpRequest
				? round(httpRequest.msPerRequest / axios.msPerRequest)
				: undefined,
			parallelVsSequential: parallel ? round(parallel.msPerRequest / node.msPerRequest) : undefined,
			probeAllVsHttpRequest:
				httpRequest && probeAll
					? round(probeAll.msPerRequest / httpRequest.msPerRequest)
					: undefined,
			probeAllCpuVsHttpRequest:
				httpRequest && probeAll
					? round(probeAll.cpuMsPerRequest / httpRequest.cpuMsPerRequest)
					: undefined,
			axiosFreshOneByOneVsAllAtOnce: round(axiosFresh.msPerRequest / axiosFreshAll.msPerRequest),
			axiosFreshOneByOneVsAllAtOnceCpu: round(
				axiosFresh.cpuMsPerRequest / axiosFreshAll.cpuMsPerRequest,
			),
			msPerRequestVsProbe:
				probe && node.target !== 'probe'
					? round(node.msPerRequest / probe.msPerRequest)
					: undefined,
			msPerRequestVsFreshConnections: round(node.msPerRequest / axiosFresh.msPerRequest),
			peakRss: round(node.peakRssMb / axios.peakRssMb),
			rssGrowth: round(node.rssGrowthMb / Math.max(1, axios.rssGrowthMb)),
		},
	};
}

async function returnAllOnce(side) {
	const server = await startPagedServer({ total: RECORDS });
	try {
		const result = await client({
			scenario: 'returnAll',
			side,
			url: server.url,
			n8nModules: n8nModulesDir,
		});
		return {
			...result,
			pagesFetched: server.seen.pages,
			connections: server.stats.connections,
			withoutApiKey: server.stats.withoutApiKey,
		};
	} finally {
		await server.close();
	}
}

async function benchReturnAll() {
	const { node, axios, httpRequest } = await repeated(
		async () => ({
			node: await returnAllOnce('node'),
			...(n8nModulesDir ? { httpRequest: await returnAllOnce('httpRequest') } : {}),
			axios: await returnAllOnce('axios'),
		}),
		'elapsedMs',
	);
	return {
		repeats: REPEATS,
		expected: { records: RECORDS, pages: Math.ceil(RECORDS / 100) },
		node,
		axios,
		httpRequest: httpRequest ?? { skipped: noN8n },
		ratios: {
			time: round(node.elapsedMs / axios.elapsedMs),
			timeVsHttpRequest: httpRequest ? round(node.elapsedMs / httpRequest.elapsedMs) : undefined,
			cpuVsHttpRequest: httpRequest ? round(node.cpuMs / httpRequest.cpuMs) : undefined,
			httpRequestVsAxios: httpRequest ? round(httpRequest.elapsedMs / axios.elapsedMs) : undefined,
			rssGrowthVsHttpRequest: httpRequest
				? round(node.rssGrowthMb / Math.max(1, httpRequest.rssGrowthMb))
				: undefined,
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
		const node = await client({
			scenario: 'throttle',
			side: 'node',
			url: server.url,
			limit,
			windowSeconds,
			executions,
			perExecution,
		});
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
		const throttleModule = path.join(
			root,
			'dist',
			'nodes',
			'DnsFilter',
			'transport',
			'throttle.js',
		);
		const marginMs =
			createRequire(import.meta.url)(throttleModule).safetyMarginFor?.(windowMs) ?? 0;
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

/** The round trip of the latency benchmarks: DNSFilter is typically 30–150 ms away. */
const LATENCY_MS = 50;

/** One side of a bulk run against a fresh budget server; the server's counts join the client's. */
async function bulkOnce(side, { operation, count, requestOptions, server: serverOptions }) {
	return withServer(
		() => startBudgetServer({ latencyMs: LATENCY_MS, ...serverOptions }),
		async (server) => {
			const result = await client({
				scenario: 'bulk',
				side,
				operation,
				count,
				requestOptions,
				url: server.url,
				n8nModules: n8nModulesDir,
			});
			const { ok, rejected, peakInFlight } = server.state;
			return {
				...result,
				requests: server.stats.requests,
				answered429: rejected,
				answeredOk: ok,
				peakInFlight,
				withoutApiKey: server.stats.withoutApiKey,
			};
		},
	);
}

/**
 * Bulk work with every answer 50 ms away and honest RateLimit headers: reads at the defaults,
 * deletes with Items in Parallel 10, a run bigger than the budget, and one that fits in a budget
 * already half spent; each against n8n's HTTP Request node at its defaults.
 */
async function benchLatency() {
	if (!builtNode) return { skipped: 'dist/nodes/DnsFilter/DnsFilter.node.js is not built yet' };
	if (!n8nModulesDir) return { skipped: noN8n };
	const fresh = { limit: 2000, windowMs: 300_000 };
	const gets = { operation: 'get', count: 500, server: fresh };
	const deletes = { operation: 'delete', count: 500, server: fresh };
	const halfSpent = { operation: 'get', count: 100, server: { ...fresh, spent: 1100 } };
	const read = await repeated(
		async () => ({
			node: await bulkOnce('node', gets),
			httpRequest: await bulkOnce('httpRequest', gets),
		}),
		'elapsedMs',
	);
	const write = await repeated(
		async () => ({
			node: await bulkOnce('node', { ...deletes, requestOptions: { concurrency: 10 } }),
			httpRequest: await bulkOnce('httpRequest', deletes),
		}),
		'elapsedMs',
	);
	const half = await repeated(
		async () => ({
			node: await bulkOnce('node', halfSpent),
			httpRequest: await bulkOnce('httpRequest', halfSpent),
		}),
		'elapsedMs',
	);
	// Context, once: deletes at the defaults, one at a time as every write goes unless asked, and
	// with Items in Parallel 50, since at 10 the round trips alone (50 of 50 ms) exceed the goal.
	const writeDefaults = await bulkOnce('node', deletes);
	const writeFifty = await bulkOnce('node', { ...deletes, requestOptions: { concurrency: 50 } });
	// 150 reads on 100 per 60 s: the floor is the first window's 100 at once, the reset 60 s after the
	// first request, and the last 50 one round trip after it. Once per side: it takes a minute.
	const overBudget = { operation: 'get', count: 150, server: { limit: 100, windowMs: 60_000 } };
	const over = {
		node: await bulkOnce('node', overBudget),
		httpRequest: await bulkOnce('httpRequest', overBudget),
	};
	const floorMs = 60_000 + LATENCY_MS;
	return {
		latencyMs: LATENCY_MS,
		repeats: REPEATS,
		read,
		write,
		writeDefaults,
		writeFifty,
		halfSpent: half,
		overBudget: { ...over, floorMs },
		ratios: {
			readVsHttpRequest: round(read.node.elapsedMs / read.httpRequest.elapsedMs),
			writeVsHttpRequest: round(write.node.elapsedMs / write.httpRequest.elapsedMs),
			halfSpentVsHttpRequest: round(half.node.elapsedMs / half.httpRequest.elapsedMs),
			overBudgetVsFloor: round(over.node.elapsedMs / floorMs, 3),
			writeDefaultsVsHttpRequest: round(writeDefaults.elapsedMs / write.httpRequest.elapsedMs),
			writeFiftyVsHttpRequest: round(writeFifty.elapsedMs / write.httpRequest.elapsedMs),
			writeTenFloorVsHttpRequest: round(
				((deletes.count / 10) * LATENCY_MS) / write.httpRequest.elapsedMs,
			),
		},
	};
}

// ---------------------------------------------------------------------------------------------

const kib = (bytes) => round(bytes / 1024, 1);

/**
 * The table as rows; `readme: true` marks the rows the project README shows (bench/README.md
 * shows all of them).
 */
function tableRows(results) {
	const rows = [];
	const add = (benchmark, metric, ours, reference, ratio, note = '', readme = false) =>
		rows.push({ benchmark, metric, ours, reference, ratio, note, readme });
	const { load, weight, panel, requests, returnAll, retry, throttle, latency } = results.benchmarks;
	const keyless = (...sides) => {
		const missing = sides.reduce((sum, side) => sum + (side?.withoutApiKey ?? 0), 0);
		return missing ? `; ⚠ ${missing} requests arrived without the API key` : '';
	};
	if (load?.ours) {
		add(
			'1 load',
			'require + description (median ms)',
			load.ours.medianLoadMs,
			load.peer.medianLoadMs,
			load.ratios.loadTime,
			`peer = n8n-openapi-node, ${load.ours.samples} fresh processes each`,
			true,
		);
		add(
			'1 load',
			'description JSON (KiB)',
			kib(load.ours.descriptionBytes),
			kib(load.peer.descriptionBytes),
			load.ratios.descriptionSize,
			`${load.ours.operations} vs ${load.peer.operations} operations, ${load.ours.properties} vs ${load.peer.properties} properties`,
		);
		add(
			'1 load',
			'retained heap after load (MB)',
			load.ours.retainedHeapMb,
			load.peer.retainedHeapMb,
			load.ratios.retainedHeap,
		);
	} else if (load) add('1 load', 'skipped', '', '', '', load.skipped ?? load.error);
	if (weight?.ours) {
		const both = (side) => side.node + side.tool;
		const n8n = `n8n ${weight.n8nVersion}'s loader and tool generation`;
		add(
			'2 served size',
			'node in /types/nodes.json (KiB)',
			kib(weight.ours.node),
			kib(weight.peer.node),
			weight.ratios.node,
			`${n8n}; peer = n8n-openapi-node`,
			true,
		);
		add(
			'2 served size',
			'node + AI-tool variant (KiB)',
			kib(both(weight.ours)),
			kib(both(weight.peer)),
			weight.ratios.nodeAndTool,
			'dnsFilter + dnsFilterTool as n8n serves them; the peer made usableAsTool like every community node',
			true,
		);
		add(
			'2 served size',
			'node vs HubSpot (KiB)',
			kib(weight.ours.node),
			kib(weight.hubspot.node),
			weight.ratios.nodeVsHubspot,
			`HubSpot = its ${weight.hubspot.entries.filter((e) => !e.name.endsWith('Tool')).length} version entries in n8n-nodes-base`,
			true,
		);
		add(
			'2 served size',
			'node + tool vs HubSpot + tool (KiB)',
			kib(both(weight.ours)),
			kib(both(weight.hubspot)),
			weight.ratios.nodeAndToolVsHubspot,
		);
		const largest = weight.largestOther[0];
		add(
			'2 served size',
			'share of all of /types/nodes.json',
			kib(both(weight.ours)),
			kib(weight.totalBytes),
			weight.ratios.shareOfNodesJson,
			`node rank ${weight.rankOfNode} of ${weight.entryCount} entries (n8n-nodes-base + LangChain + this package); largest other: ${largest.name.split('.').pop()} ${kib(largest.bytes)} KiB`,
		);
	} else if (weight) add('2 served size', 'skipped', '', '', '', weight.skipped ?? weight.error);
	if (panel?.ours) {
		add(
			'3 parameter panel',
			'getNodeParameters (ms per operation)',
			panel.ours.msPerOperation,
			panel.peer.msPerOperation,
			panel.ratios.msPerOperation,
			`n8n's NodeHelpers.getNodeParameters, defaults on, over all ${panel.ours.operations} operations × ${panel.ours.passesPerSample} passes; median of ${panel.ours.samples} processes each, interleaved`,
			true,
		);
	} else if (panel) add('3 parameter panel', 'skipped', '', '', '', panel.skipped ?? panel.error);
	if (requests?.node) {
		const http = requests.httpRequest?.msPerRequest ? requests.httpRequest : undefined;
		add(
			'4 per-request',
			`ms/request (${requests.node.count} GETs)`,
			requests.node.msPerRequest,
			requests.axios.msPerRequest,
			requests.ratios.msPerRequest,
			`${requests.node.target} in WorkflowExecute vs keep-alive axios loop (the floor); median of ${requests.repeats} interleaved runs${keyless(requests.node, requests.axios)}`,
			true,
		);
		if (http) {
			add(
				'4 per-request',
				'ms/request vs n8n HTTP Request node',
				requests.node.msPerRequest,
				http.msPerRequest,
				requests.ratios.msPerRequestVsHttpRequest,
				`same credential, same GETs, same WorkflowExecute; HTTP Request ${http.typeVersion ?? ''} sends all items at once, this node 50 at a time (Reads in Parallel, its default for Get operations) (goal ≤ 1.1)${keyless(http)}`,
				true,
			);
			add(
				'4 per-request',
				'CPU ms/request vs n8n HTTP Request node',
				requests.node.cpuMsPerRequest,
				http.cpuMsPerRequest,
				requests.ratios.cpuPerRequestVsHttpRequest,
				"the client process's own CPU time (user + system), median of the runs; steadier than wall time on a busy machine",
				true,
			);
			if (requests.parallel)
				add(
					'4 per-request',
					'ms/request, Items in Parallel = 5 vs HTTP Request node',
					requests.parallel.msPerRequest,
					http.msPerRequest,
					requests.ratios.parallelVsHttpRequest,
					'both sending concurrently',
				);
			if (requests.parallel)
				add(
					'4 per-request',
					'CPU ms/request, Items in Parallel = 5 vs HTTP Request node',
					requests.parallel.cpuMsPerRequest,
					http.cpuMsPerRequest,
					requests.ratios.parallelCpuVsHttpRequest,
					'both sending concurrently; CPU time',
				);
			const oneByOne = requests.httpRequestOneByOne?.cpuMsPerRequest
				? requests.httpRequestOneByOne
				: undefined;
			if (oneByOne) {
				add(
					'4 per-request',
					'CPU ms/request vs HTTP Request node sending one after another (context)',
					requests.node.cpuMsPerRequest,
					oneByOne.cpuMsPerRequest,
					requests.ratios.cpuPerRequestVsHttpRequestOneByOne,
					'HTTP Request node with Batching 1 item per 1 ms: it has no one-at-a-time mode, but the local server answers within the pause, so requests go one after another as this node sends them by default; not the reference (its wall time includes the pauses)',
				);
				add(
					'4 per-request',
					'HTTP Request node: CPU one after another vs all at once (context)',
					oneByOne.cpuMsPerRequest,
					http.cpuMsPerRequest,
					requests.ratios.httpRequestOneByOneVsAllAtOnceCpu,
					'what sequential sending alone costs the same node in CPU (connection set-up and wake-ups per request instead of in bulk)',
				);
			}
			if (requests.probeAll) {
				add(
					'4 per-request',
					'ms/request, transport sending all items at once vs HTTP Request node',
					requests.probeAll.msPerRequest,
					http.msPerRequest,
					requests.ratios.probeAllVsHttpRequest,
					"this node's transport (probe node) with every item's request started together, as the HTTP Request node sends them: the two compared with their requests sent the same way",
					true,
				);
				add(
					'4 per-request',
					'CPU ms/request, transport sending all items at once vs HTTP Request node',
					requests.probeAll.cpuMsPerRequest,
					http.cpuMsPerRequest,
					requests.ratios.probeAllCpuVsHttpRequest,
					'the same, CPU time',
					true,
				);
			}
			add(
				'4 per-request',
				'HTTP Request node vs axios loop (context)',
				http.msPerRequest,
				requests.axios.msPerRequest,
				requests.ratios.httpRequestVsAxios,
				'what n8n itself costs per request over the floor',
			);
		} else if (requests.httpRequest?.skipped)
			add(
				'4 per-request',
				'vs n8n HTTP Request node: skipped',
				'',
				'',
				'',
				requests.httpRequest.skipped,
			);
		add(
			'4 per-request',
			'axios, new connection per request: one after another vs all at once (context)',
			requests.axiosFresh.msPerRequest,
			requests.axiosFreshAll.msPerRequest,
			requests.ratios.axiosFreshOneByOneVsAllAtOnce,
			`no n8n at all: what sending one after another costs over starting every request together in Node's HTTP stack itself (CPU ${requests.ratios.axiosFreshOneByOneVsAllAtOnceCpu} ×)`,
			true,
		);
		add(
			'4 per-request',
			'ms/request vs axios with a new connection per request',
			requests.node.msPerRequest,
			requests.axiosFresh.msPerRequest,
			requests.ratios.msPerRequestVsFreshConnections,
			'isolates connection set-up; not the floor',
		);
		if (requests.ratios.msPerRequestVsProbe)
			add(
				'4 per-request',
				'ms/request vs the transport alone (probe node)',
				requests.node.msPerRequest,
				requests.probe.msPerRequest,
				requests.ratios.msPerRequestVsProbe,
				"the node's own routing and parameter reading",
			);
		if (requests.parallel)
			add(
				'4 per-request',
				'ms/request, Items in Parallel = 5 vs 1',
				requests.parallel.msPerRequest,
				requests.node.msPerRequest,
				requests.ratios.parallelVsSequential,
				'wall time per request; the local server answers at once, so this shows CPU cost, not hidden latency',
			);
		add(
			'4 per-request',
			'peak RSS (MB)',
			requests.node.peakRssMb,
			requests.axios.peakRssMb,
			requests.ratios.peakRss,
		);
		add(
			'4 per-request',
			'RSS growth during run (MB)',
			requests.node.rssGrowthMb,
			requests.axios.rssGrowthMb,
			requests.ratios.rssGrowth,
			http ? `HTTP Request node: ${http.rssGrowthMb} MB` : '',
		);
		add(
			'4 per-request',
			'peak heap used (MB)',
			requests.node.peakHeapUsedMb,
			requests.axios.peakHeapUsedMb,
			round(requests.node.peakHeapUsedMb / requests.axios.peakHeapUsedMb),
		);
		add(
			'4 per-request',
			'heap retained after GC, results held (MB)',
			requests.node.retainedHeapMb,
			requests.axios.retainedHeapMb,
			round(requests.node.retainedHeapMb / requests.axios.retainedHeapMb),
		);
		add(
			'4 per-request',
			'TCP connections opened',
			requests.node.connections,
			requests.axios.connections,
			'',
			`per run, incl. ${Math.min(200, requests.node.count)} warm-up requests; axios with a new connection each: ${requests.axiosFresh.connections}${http ? `; HTTP Request node: ${http.connections}` : ''}`,
		);
	} else if (requests) add('4 per-request', 'failed', '', '', '', requests.error);
	if (returnAll?.node) {
		const http = returnAll.httpRequest?.elapsedMs ? returnAll.httpRequest : undefined;
		add(
			'5 return all',
			`time for ${returnAll.node.records} records (ms)`,
			returnAll.node.elapsedMs,
			returnAll.axios.elapsedMs,
			returnAll.ratios.time,
			`${returnAll.node.target} with Return All vs keep-alive axios page loop (the floor); median of ${returnAll.repeats} interleaved runs${keyless(returnAll.node, returnAll.axios)}`,
			true,
		);
		if (http) {
			add(
				'5 return all',
				'time vs n8n HTTP Request node pagination (ms)',
				returnAll.node.elapsedMs,
				http.elapsedMs,
				returnAll.ratios.timeVsHttpRequest,
				`its own pagination: page[number] = $pageCount + 1, complete when $response.body.data.length < 100; ${http.records} records in ${http.outputItems} page items (goal ≤ 1.1)${keyless(http)}`,
				true,
			);
			add(
				'5 return all',
				'CPU ms vs n8n HTTP Request node',
				returnAll.node.cpuMs,
				http.cpuMs,
				returnAll.ratios.cpuVsHttpRequest,
				"the client process's own CPU time (user + system), median of the runs",
				true,
			);
			add(
				'5 return all',
				'HTTP Request node vs axios page loop (context)',
				http.elapsedMs,
				returnAll.axios.elapsedMs,
				returnAll.ratios.httpRequestVsAxios,
				'what n8n itself costs over the floor',
			);
		} else if (returnAll.httpRequest?.skipped)
			add(
				'5 return all',
				'vs n8n HTTP Request node: skipped',
				'',
				'',
				'',
				returnAll.httpRequest.skipped,
			);
		add(
			'5 return all',
			'pages fetched',
			returnAll.node.pagesFetched,
			returnAll.axios.pagesFetched,
			'',
			`expected ${returnAll.expected.pages}${http ? `; HTTP Request node: ${http.pagesFetched} (the last one empty: it stops on a short page)` : ''}`,
		);
		add(
			'5 return all',
			'peak RSS (MB)',
			returnAll.node.peakRssMb,
			returnAll.axios.peakRssMb,
			returnAll.ratios.peakRss,
		);
		add(
			'5 return all',
			'RSS growth during run (MB)',
			returnAll.node.rssGrowthMb,
			returnAll.axios.rssGrowthMb,
			returnAll.ratios.rssGrowth,
			http ? `HTTP Request node: ${http.rssGrowthMb} MB` : '',
		);
		add(
			'5 return all',
			'peak heap used (MB)',
			returnAll.node.peakHeapUsedMb,
			returnAll.axios.peakHeapUsedMb,
			round(returnAll.node.peakHeapUsedMb / returnAll.axios.peakHeapUsedMb),
		);
		add(
			'5 return all',
			'heap retained after GC, results held (MB)',
			returnAll.node.retainedHeapMb,
			returnAll.axios.retainedHeapMb,
			round(returnAll.node.retainedHeapMb / returnAll.axios.retainedHeapMb),
		);
	} else if (returnAll) add('5 return all', 'failed', '', '', '', returnAll.error);
	if (retry?.ratio) {
		add(
			'6 429 recovery',
			'elapsed / sum of Retry-After',
			retry.elapsedMs,
			retry.minimumMs,
			retry.ratio,
			`${retry.requestsWanted} GETs, ${retry.scheduled429} × 429 Retry-After: 1 (goal ≤ 1.1)`,
			true,
		);
		add(
			'6 429 recovery',
			'requests sent / minimum',
			retry.requestsSent,
			retry.minimumRequests,
			round(retry.requestsSent / retry.minimumRequests, 3),
			`${retry.extraRequests} extra, ${retry.earlyRetries} early retries`,
			true,
		);
	} else if (retry) add('6 429 recovery', 'failed', '', '', '', retry.error);
	for (const config of throttle?.error ? [] : [throttle?.short, throttle?.long]) {
		if (!config?.rateRatio) continue;
		const label = `${config.limit} per ${config.windowSeconds} s`;
		const short = config === throttle.short;
		add(
			'7 throttle',
			`steady-state rate, ${label} (req/s)`,
			config.measuredPerSecond,
			config.configuredPerSecond,
			config.rateRatio,
			`${config.executions} executions sharing the credential, ${config.requests} requests over ${config.windowsSpanned} windows (goal within 5%)`,
			short,
		);
		if (config.safetyMarginMs)
			add(
				'7 throttle',
				`steady-state rate vs designed rate, ${label}`,
				config.measuredPerSecond,
				config.designedPerSecond,
				config.rateRatioToDesigned,
				`designed = limit / (window + ${config.safetyMarginMs} ms safety margin)`,
			);
		add(
			'7 throttle',
			`max starts in any ${config.windowSeconds} s window`,
			config.maxStartsInAnyWindow,
			config.limit,
			round(config.maxStartsInAnyWindow / config.limit, 3),
			'goal never above the limit (server arrival times)',
			short,
		);
	}
	if (throttle?.error) add('7 throttle', 'failed', '', '', '', throttle.error);
	if (latency?.read) {
		const ms = `answers ${latency.latencyMs} ms away, honest RateLimit headers`;
		const outcome = (side) =>
			side.failed
				? `failed after ${side.answeredOk} of ${side.count}: ${side.failed}`
				: `${side.succeeded}/${side.count}`;
		const side = (s) => `${outcome(s)}, ${s.answered429} × 429, peak ${s.peakInFlight} in flight`;
		add(
			'8 internet latency',
			`500 Get Network at the defaults (ms)`,
			latency.read.node.elapsedMs,
			latency.read.httpRequest.elapsedMs,
			latency.ratios.readVsHttpRequest,
			`vs HTTP Request node at its defaults; ${ms}; this node ${side(latency.read.node)}; median of ${latency.repeats} interleaved runs (goal ≤ 2)${keyless(latency.read.node, latency.read.httpRequest)}`,
			true,
		);
		add(
			'8 internet latency',
			'500 Delete API Key, Items in Parallel 10 (ms)',
			latency.write.node.elapsedMs,
			latency.write.httpRequest.elapsedMs,
			latency.ratios.writeVsHttpRequest,
			`vs HTTP Request node at its defaults; this node ${side(latency.write.node)} (goal ≤ 2; 10 in flight need 50 round trips of ${latency.latencyMs} ms, ${latency.ratios.writeTenFloorVsHttpRequest} × the HTTP Request node's time before any work)`,
			true,
		);
		add(
			'8 internet latency',
			'500 Delete API Key, Items in Parallel 50 (ms)',
			latency.writeFifty.elapsedMs,
			latency.write.httpRequest.elapsedMs,
			latency.ratios.writeFiftyVsHttpRequest,
			`vs HTTP Request node at its defaults; this node ${side(latency.writeFifty)}; one run`,
			true,
		);
		add(
			'8 internet latency',
			'500 Delete API Key at the defaults, one at a time (context, ms)',
			latency.writeDefaults.elapsedMs,
			latency.write.httpRequest.elapsedMs,
			latency.ratios.writeDefaultsVsHttpRequest,
			'writes go one at a time unless Items in Parallel says otherwise; one run',
		);
		add(
			'8 internet latency',
			'100 Get Network, 900 of 2,000 left, 300 s to the reset (ms)',
			latency.halfSpent.node.elapsedMs,
			latency.halfSpent.httpRequest.elapsedMs,
			latency.ratios.halfSpentVsHttpRequest,
			`vs HTTP Request node; the run fits in what is left, so nothing waits; this node ${side(latency.halfSpent.node)} (goal ≤ 2)`,
			true,
		);
		const over = latency.overBudget;
		add(
			'8 internet latency',
			'150 Get Network on a budget of 100 per 60 s (ms)',
			over.node.elapsedMs,
			over.floorMs,
			latency.ratios.overBudgetVsFloor,
			`vs the floor (100 at once, the reset 60 s after the first request, one more round trip); this node ${side(over.node)} (goal 150/150, 0 × 429, ≤ 1.15); HTTP Request node at its defaults: ${side(over.httpRequest)}; one run each`,
			true,
		);
	} else if (latency)
		add('8 internet latency', 'skipped', '', '', '', latency.skipped ?? latency.error);
	return rows;
}

const benchmarks = {
	load: benchLoad,
	weight: benchWeight,
	panel: benchPanel,
	requests: benchRequests,
	returnAll: benchReturnAll,
	retry: benchRetry,
	throttle: benchThrottle,
	latency: benchLatency,
};
const results = {
	date: new Date().toISOString(),
	commit: startState.commit,
	// Anything but the bench's own outputs that differed from the commit when the run started.
	uncommitted: startState.uncommitted,
	dryRun,
	machine: {
		node: process.version,
		platform: `${os.platform()} ${os.arch()}`,
		cpus: os.cpus().length,
		cpuModel: os.cpus()[0]?.model,
	},
	n8n: {
		core: createRequire(import.meta.url)('n8n-core/package.json').version,
		install: n8nModulesDir ? N8N_VERSION : undefined,
	},
	target:
		builtNode && process.env.BENCH_TARGET !== 'probe'
			? 'DnsFilter node (dist/)'
			: 'transport probe node (test/support/probe-node.mjs)',
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
results.rows = tableRows(results);
results.table = markdownTable(results.rows);

// Written for the README only when the checkout still is the commit it started at.
const endState = checkoutState();
const sameCheckout =
	endState.commit === startState.commit &&
	endState.uncommitted.length === 0 &&
	startState.uncommitted.length === 0;
results.forReadme = !dryRun && !only && sameCheckout;
const dirtyNote = results.uncommitted.length
	? ` + ${results.uncommitted.length} uncommitted files`
	: '';
console.log(
	`\nCommit ${results.commit}${dirtyNote}. Target: ${results.target} — ${results.machine.cpus} × ${results.machine.cpuModel}, Node ${results.machine.node}\n`,
);
console.log(results.table);
console.log(
	`\nTotal ${results.totalSeconds} s. Ratios are this node / reference, measured in this run.`,
);
if (results.forReadme) {
	writeFileSync(path.join(benchDir, 'results.json'), `${JSON.stringify(results, null, '\t')}\n`);
	const written = renderReadmes(results);
	console.log(
		`Wrote bench/results.json and rendered ${written.join(' and ')} for commit ${results.commit}; commit them together.`,
	);
} else {
	mkdirSync(tmpDir, { recursive: true });
	writeFileSync(path.join(tmpDir, 'results.json'), `${JSON.stringify(results, null, '\t')}\n`);
	const why = only
		? 'BENCH_ONLY set'
		: dryRun
			? 'dry run'
			: `the checkout changed during the run (now ${endState.commit.slice(0, 12)}${endState.uncommitted.length ? ` + ${endState.uncommitted.join(', ')}` : ''})`;
	console.log(
		`(${why}: README and bench/results.json not written; results in bench/.tmp/results.json)`,
	);
	if (!only && !dryRun) process.exitCode = 2;
}
