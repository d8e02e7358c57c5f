// One cold-load sample in a fresh process: `node bench/load-sample.cjs ours|peer`.
// n8n-workflow is loaded first, as it is in n8n before any community node; then the timer covers
// require(node file) + new Node() + reading its description, the way n8n's loader does.
const path = require('node:path');
const { performance } = require('node:perf_hooks');

require('n8n-workflow');
const which = process.argv[2];
const file =
	which === 'peer'
		? path.join(__dirname, 'peer-node.cjs')
		: path.join(__dirname, '..', 'dist', 'nodes', 'DnsFilter', 'DnsFilter.node.js');

global.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const t0 = performance.now();
const mod = require(file);
const t1 = performance.now();
const NodeClass = which === 'peer' ? mod.PeerDnsFilter : mod.DnsFilter;
const node = new NodeClass();
const description = node.description;
const t2 = performance.now();
const descriptionBytes = Buffer.byteLength(JSON.stringify(description));
global.gc?.();
const heapAfter = process.memoryUsage().heapUsed;
const operations = (description.properties ?? [])
	.filter((p) => p.name === 'operation')
	.reduce((n, p) => n + (p.options?.length ?? 0), 0);
process.stdout.write(
	`BENCH_RESULT ${JSON.stringify({
		which,
		requireMs: t1 - t0,
		describeMs: t2 - t1,
		totalMs: t2 - t0,
		descriptionBytes,
		properties: description.properties?.length ?? 0,
		operations,
		heapMb: (heapAfter - heapBefore) / 1024 / 1024,
	})}\n`,
);
