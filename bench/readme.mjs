#!/usr/bin/env node
// Renders the benchmark results into the READMEs, between markers, so the figures there are always
// one run's, at the commit that run measured:
//   README.md        <!-- bench:start --> … <!-- bench:end -->   the goals, each with this run's figure
//   bench/README.md  <!-- bench:results:start --> … <!-- bench:results:end -->   every row
// bench/run.mjs calls it after a full run on a clean checkout; `node bench/readme.mjs` re-renders
// from bench/results.json (only from a run marked `forReadme`).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { benchDir, root } from './lib.mjs';

const HEADER = ['Benchmark', 'Metric', 'This node', 'Reference', 'Ratio', 'Notes'];

export function markdownTable(rows) {
	const cell = (value) => String(value ?? '').replaceAll('|', '\\|');
	return [
		`| ${HEADER.join(' | ')} |`,
		`|${HEADER.map(() => '---').join('|')}|`,
		...rows.map(
			(r) =>
				`| ${[r.benchmark, r.metric, r.ours, r.reference, r.ratio, r.note].map(cell).join(' | ')} |`,
		),
	].join('\n');
}

function runLine(results) {
	const { machine } = results;
	const n8n = results.n8n?.install
		? `, n8n ${results.n8n.install} (n8n-core ${results.n8n.core})`
		: `, n8n-core ${results.n8n?.core}`;
	return (
		`Run of ${results.date.slice(0, 10)} at commit \`${results.commit.slice(0, 12)}\` (clean checkout), ` +
		`${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}${n8n}; ${results.totalSeconds} s in all.\n` +
		'Ratio = this node ÷ reference, both measured side by side in this run; below 1 means this node is smaller or faster.'
	);
}

/** The package's performance goals, each with this run's figure and whether it holds. */
export function goalLines(results) {
	const { weight, requests, returnAll, retry, throttle, latency } = results.benchmarks;
	const lines = [];
	const mark = (ok) => (ok ? '✓' : '✗');
	if (weight?.ours) {
		const kib = (bytes) => (bytes / 1024).toFixed(1);
		const ok = weight.ours.node <= 200_000 && weight.ours.node < weight.hubspot.node;
		lines.push(
			`${mark(ok)} Description as n8n serves it ≤ 200 KB and below HubSpot: ${kib(weight.ours.node)} KiB (HubSpot ${kib(weight.hubspot.node)} KiB; ${weight.ratios.node} × the peer); with the AI-tool copy ${kib(weight.ours.node + weight.ours.tool)} KiB.`,
		);
	}
	if (requests?.httpRequest?.msPerRequest) {
		const { msPerRequestVsHttpRequest: wall, cpuPerRequestVsHttpRequest: cpu } = requests.ratios;
		lines.push(
			`${mark(cpu <= 1.2)} Per-request CPU on loopback ≤ 1.2 × n8n's HTTP Request node, each at its defaults (this node 50 reads at a time, the HTTP Request node all at once): ${cpu} × its CPU time (${wall} × its wall time).`,
		);
		const {
			probeAllVsHttpRequest: sameWall,
			probeAllCpuVsHttpRequest: sameCpu,
			axiosFreshOneByOneVsAllAtOnce: shape,
		} = requests.ratios;
		if (sameWall !== undefined) {
			lines.push(
				`${mark(sameWall <= 1.1 && sameCpu <= 1.1)} Per request with both sending every item at once: ${sameWall} × its wall time, ${sameCpu} × its CPU time. Sending one after another costs ${shape} × in Node's HTTP stack alone (axios, no n8n).`,
			);
		}
	}
	if (returnAll?.httpRequest?.elapsedMs) {
		const { timeVsHttpRequest: wall, cpuVsHttpRequest: cpu } = returnAll.ratios;
		lines.push(
			`${mark(wall <= 1.1 && cpu <= 1.1)} Return All of ${returnAll.node.records} records ≤ 1.1 × the HTTP Request node's own pagination: ${wall} × its time, ${cpu} × its CPU time.`,
		);
		const rss =
			Math.round((returnAll.node.peakRssMb / returnAll.httpRequest.peakRssMb) * 100) / 100;
		const heap =
			Math.round((returnAll.node.peakHeapUsedMb / returnAll.httpRequest.peakHeapUsedMb) * 100) /
			100;
		lines.push(
			`${mark(rss <= 1.1)} Return All peak memory ≤ 1.1 × the HTTP Request node's pagination: ${rss} × its peak RSS (${returnAll.node.peakRssMb} MB), ${heap} × its peak heap.`,
		);
	}
	if (latency?.read) {
		const r = latency.ratios;
		const over = latency.overBudget.node;
		lines.push(
			`${mark(r.readVsHttpRequest <= 2)} Answers ${latency.latencyMs} ms away: 500 Get Network at the defaults ≤ 2 × the HTTP Request node at its defaults: ${r.readVsHttpRequest} ×.`,
		);
		lines.push(
			`${mark(r.writeVsHttpRequest <= 2)} 500 Delete API Key with Items in Parallel 10 ≤ 2 ×: ${r.writeVsHttpRequest} × (its round trips alone are ${r.writeTenFloorVsHttpRequest} ×; with Items in Parallel 50, ${r.writeFiftyVsHttpRequest} ×).`,
		);
		lines.push(
			`${mark(over.succeeded === over.count && over.answered429 === 0 && r.overBudgetVsFloor <= 1.15)} 150 reads on a budget of 100 per 60 s: ${over.succeeded}/${over.count}, ${over.answered429} × 429, ${r.overBudgetVsFloor} × the floor (the HTTP Request node at its defaults: ${latency.overBudget.httpRequest.failed ? `failed after ${latency.overBudget.httpRequest.answeredOk} of 150` : `${latency.overBudget.httpRequest.succeeded}/150`}).`,
		);
		lines.push(
			`${mark(r.halfSpentVsHttpRequest <= 2)} 100 reads with 900 of 2,000 left ≤ 2 × the HTTP Request node: ${r.halfSpentVsHttpRequest} ×.`,
		);
	}
	if (retry?.ratio)
		lines.push(
			`${mark(retry.ratio <= 1.1 && retry.extraRequests === 0)} 429 recovery ≤ 1.1 × the waits the server asks for, no extra requests: ${retry.ratio}, ${retry.extraRequests} extra.`,
		);
	const rates = [throttle?.short, throttle?.long].filter((c) => c?.rateRatio);
	if (rates.length) {
		const ok = rates.every(
			(c) => Math.abs(1 - c.rateRatio) <= 0.05 && c.maxStartsInAnyWindow <= c.limit,
		);
		lines.push(
			`${mark(ok)} Throttle within 5% of the configured rate and never above it: ${rates.map((c) => `${c.rateRatio} at ${c.limit} per ${c.windowSeconds} s (max ${c.maxStartsInAnyWindow})`).join(', ')}.`,
		);
	}
	return lines.map((line) => `- ${line}`);
}

function replaceBetween(file, start, end, body) {
	const text = readFileSync(file, 'utf8');
	const from = text.indexOf(start);
	const to = text.indexOf(end);
	if (from < 0 || to < from)
		throw new Error(`${path.relative(root, file)} has no ${start} … ${end} markers`);
	const next = `${text.slice(0, from + start.length)}\n${body}\n${text.slice(to)}`;
	if (next !== text) writeFileSync(file, next);
}

/** Writes both READMEs from a run; returns the files it rendered. */
export function renderReadmes(results) {
	if (!results.forReadme)
		throw new Error(
			`results of commit ${results.commit} are not marked for the README (a dry run, a partial run, or uncommitted changes)`,
		);
	replaceBetween(
		path.join(root, 'README.md'),
		'<!-- bench:start -->',
		'<!-- bench:end -->',
		[
			'`npm run bench` measures this node next to a reference on local servers, as ratios from one run;',
			'the goals and how this run stands against them (every row, the method and every sample:',
			'[bench/README.md](bench/README.md), [bench/results.json](bench/results.json)).',
			runLine(results),
			'',
			...goalLines(results),
		].join('\n'),
	);
	replaceBetween(
		path.join(benchDir, 'README.md'),
		'<!-- bench:results:start -->',
		'<!-- bench:results:end -->',
		[runLine(results), '', markdownTable(results.rows)].join('\n'),
	);
	return ['README.md', 'bench/README.md'];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const results = JSON.parse(readFileSync(path.join(benchDir, 'results.json'), 'utf8'));
	try {
		console.log(
			`Rendered ${renderReadmes(results).join(' and ')} from bench/results.json (commit ${results.commit}).`,
		);
	} catch (error) {
		console.error(`bench/readme.mjs: ${error.message}`);
		process.exit(1);
	}
}
