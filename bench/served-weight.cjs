// What n8n 2.41.1 serves to every editor in /types/nodes.json for this node, its AI-tool variant
// and the references, measured by running n8n's own code on the built package:
// `node bench/served-weight.cjs <n8n node_modules>` prints one BENCH_RESULT line.
//
// n8n's loader (n8n-core's PackageDirectoryLoader, as for an installed community package) reads
// the package; then n8n's LoadNodesAndCredentials.postProcessLoaders runs on it, which adds the
// `…Tool` copy of every `usableAsTool` node (createAiTools) and the Custom API Call options; each
// entry is sized as FrontendService.writeStaticJSON writes it (JSON.stringify per entry).
// n8n-nodes-base and the LangChain nodes go through their lazy loaders, as in n8n, for the HubSpot
// reference and the total (n8n's optional modules' nodes are left out of the total).
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');

const modules = path.resolve(process.argv[2]);
const root = path.resolve(__dirname, '..');
const fromN8n = createRequire(path.join(modules, 'n8n', 'package.json'));
const { LoadNodesAndCredentials } = fromN8n('./dist/load-nodes-and-credentials.js');
const { LazyPackageDirectoryLoader, PackageDirectoryLoader } = fromN8n('n8n-core');

/**
 * The peer as an installed community package would be: `usableAsTool` is set on it (n8n's
 * community rules ask every node for it), so n8n makes its tool variant too.
 */
function writePeerPackage() {
	const dir = path.join(__dirname, '.tmp', 'peer-package');
	fs.mkdirSync(dir, { recursive: true });
	fs.writeFileSync(
		path.join(dir, 'package.json'),
		JSON.stringify({
			name: 'n8n-nodes-peer',
			version: '0.0.0',
			n8n: { n8nNodesApiVersion: 1, nodes: ['PeerDnsFilter.node.js'] },
		}),
	);
	fs.writeFileSync(
		path.join(dir, 'PeerDnsFilter.node.js'),
		`const { PeerDnsFilter: Peer } = require(${JSON.stringify(path.join(__dirname, 'peer-node.cjs'))});
class PeerDnsFilter extends Peer {
	constructor() {
		super();
		this.description.usableAsTool = true;
	}
}
module.exports = { PeerDnsFilter };
`,
	);
	return dir;
}

const quietLogger = {
	debug() {},
	info() {},
	warn() {},
	error() {},
	scoped() {
		return quietLogger;
	},
};

async function main() {
	const ownName = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).name;
	// postProcessLoaders needs only these fields of the service; the rest of it (DI, config) is
	// for n8n's start-up, not for building the types.
	const lnc = Object.create(LoadNodesAndCredentials.prototype);
	// The two nodes n8n excludes outside its own e2e tests and without dynamic credentials.
	const excludeNodes = ['n8n-nodes-base.e2eTest', 'n8n-nodes-base.dynamicCredentialCheck'];
	Object.assign(lnc, {
		loaders: {},
		postProcessors: [],
		excludeNodes,
		includeNodes: [],
		logger: quietLogger,
	});
	// n8n's own packages first, as LoadNodesAndCredentials.init loads them.
	await lnc.runDirectoryLoader(LazyPackageDirectoryLoader, path.join(modules, 'n8n-nodes-base'));
	await lnc.runDirectoryLoader(
		LazyPackageDirectoryLoader,
		path.join(modules, '@n8n', 'n8n-nodes-langchain'),
	);
	await lnc.runDirectoryLoader(PackageDirectoryLoader, root);
	await lnc.runDirectoryLoader(PackageDirectoryLoader, writePeerPackage());
	await lnc.postProcessLoaders();

	const entries = lnc.types.nodes.map((node) => ({
		name: node.name,
		version: node.version,
		bytes: Buffer.byteLength(JSON.stringify(node)),
		properties: node.properties?.length ?? 0,
	}));
	// writeStaticJSON: "[\n", entries joined by ",\n", "\n]\n".
	const totalBytes = entries.reduce((sum, e) => sum + e.bytes + 2, 2);
	const sum = (names) =>
		entries.filter((e) => names.includes(e.name)).reduce((total, e) => total + e.bytes, 0);
	const pick = (base) => ({
		node: sum([base]),
		tool: sum([`${base}Tool`]),
		entries: entries
			.filter((e) => e.name === base || e.name === `${base}Tool`)
			.map(({ name, version, bytes }) => ({ name, version, bytes })),
	});
	const ours = pick(`${ownName}.dnsFilter`);
	const sorted = [...entries].sort((a, b) => b.bytes - a.bytes);
	const notOurs = sorted.filter(
		(e) => !e.name.startsWith(`${ownName}.`) && !e.name.startsWith('n8n-nodes-peer.'),
	);
	return {
		n8nVersion: fromN8n('./package.json').version,
		ours: {
			...ours,
			trigger: sum([`${ownName}.dnsFilterTrigger`]),
			properties: entries.find((e) => e.name === `${ownName}.dnsFilter`)?.properties,
		},
		peer: {
			...pick('n8n-nodes-peer.peerDnsFilter'),
			properties: entries.find((e) => e.name === 'n8n-nodes-peer.peerDnsFilter')?.properties,
		},
		hubspot: pick('n8n-nodes-base.hubspot'),
		// What the editor downloads with this package installed (the peer left out).
		totalBytes:
			totalBytes - sum(['n8n-nodes-peer.peerDnsFilter', 'n8n-nodes-peer.peerDnsFilterTool']) - 4,
		entryCount: entries.filter((e) => !e.name.startsWith('n8n-nodes-peer.')).length,
		rankOfNode:
			sorted
				.filter((e) => !e.name.startsWith('n8n-nodes-peer.'))
				.findIndex((e) => e.name === `${ownName}.dnsFilter`) + 1,
		largestOther: notOurs.slice(0, 3).map(({ name, version, bytes }) => ({ name, version, bytes })),
	};
}

main()
	.then((result) => {
		process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
		process.exit(0);
	})
	.catch((error) => {
		console.error(error);
		process.exit(1);
	});
