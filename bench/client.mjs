// One measured side of one benchmark, in its own process so memory peaks are its own.
// Usage: node bench/client.mjs '<json options>'  →  prints one BENCH_RESULT line.
//   { scenario: 'requests' | 'returnAll' | 'retry' | 'throttle', side: 'node' | 'httpRequest' | 'axios' | 'axiosFresh', url, ... }
import http from 'node:http';
import { performance } from 'node:perf_hooks';

import { benchEnv, emit, memorySampler, round } from './lib.mjs';

const options = JSON.parse(process.argv[2] ?? '{}');
// n8n-core reads these when first imported.
Object.assign(process.env, benchEnv());

const apiKey = (await import('../test/support/jwt.mjs')).makeApiKey({ sub: 'bench-user' });
/**
 * With `options.profile` (a file path, from bench/profile.mjs), the measured part alone is
 * CPU-profiled through the inspector: warm-up and module loading stay out of the profile.
 */
async function profiled(work) {
	if (!options.profile) return work();
	const { Session } = await import('node:inspector/promises');
	const { writeFileSync } = await import('node:fs');
	const session = new Session();
	session.connect();
	await session.post('Profiler.enable');
	await session.post('Profiler.setSamplingInterval', { interval: 200 });
	await session.post('Profiler.start');
	try {
		return await work();
	} finally {
		const { profile } = await session.post('Profiler.stop');
		writeFileSync(options.profile, JSON.stringify(profile));
		session.disconnect();
	}
}

/** CPU time (user + system) this process spent since `start`, in ms: steadier than wall time on a busy machine. */
const cpuMsSince = (start) => {
	const { user, system } = process.cpuUsage(start);
	return (user + system) / 1000;
};
const ids = (count, offset = 1) => Array.from({ length: count }, (_, i) => ({ id: offset + i }));

/** The engine side: this node (or the probe), or with side 'httpRequest' n8n's HTTP Request node. */
async function engineSide() {
	const target =
		options.side === 'httpRequest'
			? await httpRequestTarget()
			: await (await import('./target.mjs')).loadTarget(options.target);
	const run = async (parameters, items, credentials = {}) => {
		const result = await target.engine.runNode({
			nodeType: target.nodeType,
			typeName: target.typeName,
			typeVersion: target.typeVersion,
			parameters,
			items,
			timeoutMs: 240_000,
			credentials: {
				apiKey,
				baseUrl: options.url,
				throttleRequests: 0,
				throttleWindowSeconds: 300,
				...credentials,
			},
		});
		if (result.error)
			throw new Error(`node failed: ${result.error.message} ${result.error.description ?? ''}`);
		return result;
	};
	return { target, run };
}

async function httpRequestTarget() {
	const engine = await import('../test/support/engine.mjs');
	const { httpDeleteOne, httpGetOne, httpGetOneOneByOne, httpListAll, loadHttpRequestNode } =
		await import('./http-request-node.mjs');
	return {
		kind: 'httpRequest',
		engine,
		...loadHttpRequestNode(options.n8nModules),
		getOne: () => (options.oneByOne ? httpGetOneOneByOne(options.url) : httpGetOne(options.url)),
		listAll: () => httpListAll(options.url),
		deleteOne: () => httpDeleteOne(options.url),
	};
}

async function axiosSide() {
	const { default: axios } = await import('axios');
	const client = axios.create({
		baseURL: options.url,
		headers: { Authorization: apiKey },
		// side 'axiosFresh': a new connection per request, as n8n-core's helpers open (see README).
		httpAgent: new http.Agent({ keepAlive: options.side !== 'axiosFresh' }),
	});
	return client;
}

async function requests() {
	const { count, warmup } = options;
	if (options.side === 'node' || options.side === 'httpRequest') {
		const { target, run } = await engineSide();
		if (warmup > 0) await run(target.getOne(options.concurrency), ids(warmup, 900_000));
		global.gc?.();
		const memory = memorySampler();
		const cpu = process.cpuUsage();
		const started = performance.now();
		const result = await profiled(() => run(target.getOne(options.concurrency), ids(count)));
		const elapsedMs = performance.now() - started;
		const cpuMs = cpuMsSince(cpu);
		const mem = memory.stop();
		if (result.items.length !== count)
			throw new Error(`expected ${count} items, got ${result.items.length}`);
		const httpConcurrency = options.oneByOne
			? 'one after another (Batching: 1 item per 1 ms)'
			: 'all items at once';
		return {
			target: target.kind,
			typeVersion: target.typeVersion,
			concurrency: options.concurrency ?? (target.kind === 'httpRequest' ? httpConcurrency : 1),
			count,
			elapsedMs: round(elapsedMs),
			msPerRequest: round(elapsedMs / count, 4),
			cpuMsPerRequest: round(cpuMs / count, 4),
			...mem,
		};
	}
	const client = await axiosSide();
	for (const { id } of ids(warmup, 900_000)) await client.get(`/v1/networks/${id}`);
	global.gc?.();
	const memory = memorySampler();
	const cpu = process.cpuUsage();
	const started = performance.now();
	const out = [];
	if (options.concurrency === 'all') {
		// Every request started together, as n8n's HTTP Request node sends items: what that way of
		// sending saves over one-after-another in Node's HTTP stack itself, with no n8n around it.
		for (const response of await Promise.all(
			ids(count).map(({ id }) => client.get(`/v1/networks/${id}`)),
		))
			out.push(response.data.data);
	} else {
		for (const { id } of ids(count)) {
			const response = await client.get(`/v1/networks/${id}`);
			out.push(response.data.data);
		}
	}
	const elapsedMs = performance.now() - started;
	const cpuMs = cpuMsSince(cpu);
	const mem = memory.stop();
	if (out.length !== count) throw new Error('short');
	return {
		target: options.side,
		concurrency: options.concurrency ?? 1,
		count,
		elapsedMs: round(elapsedMs),
		msPerRequest: round(elapsedMs / count, 4),
		cpuMsPerRequest: round(cpuMs / count, 4),
		...mem,
	};
}

async function returnAll() {
	if (options.side === 'node' || options.side === 'httpRequest') {
		const { target, run } = await engineSide();
		global.gc?.();
		const memory = memorySampler();
		const cpu = process.cpuUsage();
		const started = performance.now();
		const result = await profiled(() => run(target.listAll(), [{}]));
		const elapsedMs = performance.now() - started;
		const cpuMs = cpuMsSince(cpu);
		const mem = memory.stop();
		// The HTTP Request node gives one item per page (the response body); count the records in them.
		const records =
			target.kind === 'httpRequest'
				? result.items.reduce((sum, item) => sum + (item.json.data?.length ?? 0), 0)
				: result.items.length;
		return {
			target: target.kind,
			typeVersion: target.typeVersion,
			records,
			outputItems: result.items.length,
			elapsedMs: round(elapsedMs),
			cpuMs: round(cpuMs),
			...mem,
		};
	}
	const client = await axiosSide();
	global.gc?.();
	const memory = memorySampler();
	const cpu = process.cpuUsage();
	const started = performance.now();
	const records = [];
	let pages = 0;
	for (let number = 1; number <= 100_000; number++) {
		const response = await client.get('/v1/networks', {
			params: { 'page[number]': number, 'page[size]': 100 },
		});
		pages++;
		records.push(...response.data.data);
		if (!response.data.links?.next) break;
	}
	const elapsedMs = performance.now() - started;
	const cpuMs = cpuMsSince(cpu);
	const mem = memory.stop();
	return {
		target: 'axios',
		records: records.length,
		pagesFetched: pages,
		elapsedMs: round(elapsedMs),
		cpuMs: round(cpuMs),
		...mem,
	};
}

async function retry() {
	const { target, run } = await engineSide();
	const started = performance.now();
	const result = await run(target.getOne(), ids(options.count));
	const elapsedMs = performance.now() - started;
	return { target: target.kind, items: result.items.length, elapsedMs: round(elapsedMs) };
}

async function throttle() {
	const { target, run } = await engineSide();
	const credentials = {
		throttleRequests: options.limit,
		throttleWindowSeconds: options.windowSeconds,
	};
	const started = performance.now();
	// Several executions at once share one credential, so they must share one budget.
	const results = await Promise.all(
		Array.from({ length: options.executions }, (_, e) =>
			run(target.getOne(), ids(options.perExecution, e * 100_000 + 1), credentials),
		),
	);
	const elapsedMs = performance.now() - started;
	return {
		target: target.kind,
		items: results.reduce((sum, r) => sum + r.items.length, 0),
		elapsedMs: round(elapsedMs),
	};
}

/**
 * `count` GETs (operation 'get') or DELETEs ('delete') against a server that answers after a
 * delay, at the side's defaults or with `requestOptions` (this node only). A failed execution is a
 * result here, not an error: the HTTP Request node stopping at the first 429 is what is measured.
 */
async function bulk() {
	const target =
		options.side === 'httpRequest'
			? await httpRequestTarget()
			: await (await import('./target.mjs')).loadTarget(options.target);
	const parameters =
		options.operation === 'delete' ? target.deleteOne(options.requestOptions) : target.getOne();
	if (options.operation === 'get' && options.requestOptions)
		parameters.requestOptions = options.requestOptions;
	const cpu = process.cpuUsage();
	const started = performance.now();
	const result = await target.engine.runNode({
		nodeType: target.nodeType,
		typeName: target.typeName,
		typeVersion: target.typeVersion,
		parameters,
		items: ids(options.count),
		timeoutMs: 600_000,
		credentials: { apiKey, baseUrl: options.url, throttleRequests: 0, throttleWindowSeconds: 300 },
	});
	const elapsedMs = performance.now() - started;
	const succeeded = result.error ? 0 : result.items.filter((item) => !item.json?.error).length;
	return {
		target: target.kind,
		operation: options.operation,
		count: options.count,
		requestOptions: options.requestOptions,
		succeeded,
		failed: result.error ? String(result.error.message ?? result.error).slice(0, 200) : undefined,
		elapsedMs: round(elapsedMs),
		cpuMs: round(cpuMsSince(cpu)),
	};
}

const scenarios = { requests, returnAll, retry, throttle, bulk };
try {
	emit(await scenarios[options.scenario]());
	process.exit(0);
} catch (error) {
	console.error(error);
	process.exit(1);
}
