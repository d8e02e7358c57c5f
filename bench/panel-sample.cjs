// One parameter-panel sample in a fresh process: `node bench/panel-sample.cjs ours|peer <passes>`.
// Times n8n's own parameter resolution, NodeHelpers.getNodeParameters(properties, {resource,
// operation}, returnDefaults = true, …): what the editor runs on the node's description each time
// the panel opens or a parameter changes. The operation set is every operation both nodes have,
// matched by method and path, so both sides resolve the same 280 operations.
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const { NodeHelpers } = require('n8n-workflow');

const [which, passesArg] = process.argv.slice(2);
const passes = Number(passesArg ?? 5);
const root = path.resolve(__dirname, '..');

/** `/v1/networks/{id}` and `=/v1/networks/{{$parameter["id"]}}` both become `/v1/networks/{}`. */
const routeKey = (method, url) =>
	`${method.toUpperCase()} ${url.replace(/^=/, '').replace(/\{\{[^}]*\}\}|\{[^}]*\}/g, '{}')}`;

function ourOperations() {
	const { OPERATIONS } = require(
		path.join(root, 'dist', 'nodes', 'DnsFilter', 'generated', 'operations.js'),
	);
	return new Map(
		OPERATIONS.map((row) => [
			routeKey(row.method, row.path),
			{ resource: row.resource, operation: row.operation },
		]),
	);
}

function peerOperations(description) {
	const byRoute = new Map();
	for (const property of description.properties) {
		if (property.name !== 'operation') continue;
		for (const resource of property.displayOptions?.show?.resource ?? []) {
			for (const option of property.options ?? []) {
				const request = option.routing?.request;
				if (request?.method && request.url)
					byRoute.set(routeKey(request.method, request.url), { resource, operation: option.value });
			}
		}
	}
	return byRoute;
}

const ours = new (require(
	path.join(root, 'dist', 'nodes', 'DnsFilter', 'DnsFilter.node.js'),
).DnsFilter)().description;
const peer = new (require(path.join(__dirname, 'peer-node.cjs')).PeerDnsFilter)().description;
const oursByRoute = ourOperations();
const peerByRoute = peerOperations(peer);
const routes = [...oursByRoute.keys()].filter((key) => peerByRoute.has(key)).sort();
const description = which === 'peer' ? peer : ours;
const byRoute = which === 'peer' ? peerByRoute : oursByRoute;
const type = which === 'peer' ? 'n8n-nodes-peer.peerDnsFilter' : 'n8n-nodes-dnsfilter.dnsFilter';

function resolveAll() {
	let parameterCount = 0;
	for (const route of routes) {
		const values = { ...byRoute.get(route) };
		const node = {
			id: '1',
			name: 'DNSFilter',
			type,
			typeVersion: 1,
			position: [0, 0],
			parameters: values,
		};
		const resolved = NodeHelpers.getNodeParameters(
			description.properties,
			values,
			true,
			false,
			node,
			description,
		);
		parameterCount += Object.keys(resolved ?? {}).length;
	}
	return parameterCount;
}

// The first pass compiles and warms up; it is reported but not in the median.
const times = [];
let parameterCount = 0;
for (let pass = 0; pass <= passes; pass++) {
	const started = performance.now();
	parameterCount = resolveAll();
	times.push(performance.now() - started);
}
const measured = times.slice(1).sort((a, b) => a - b);
const medianMs = measured[(measured.length - 1) >> 1];
process.stdout.write(
	`BENCH_RESULT ${JSON.stringify({
		which,
		operations: routes.length,
		unmatched: oursByRoute.size - routes.length,
		passes,
		firstPassMs: times[0],
		medianPassMs: medianMs,
		msPerOperation: medianMs / routes.length,
		parametersResolved: parameterCount,
	})}\n`,
);
