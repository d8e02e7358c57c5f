// Runs a polling trigger the way n8n does between activations: n8n-core's PollTriggerExecutor
// calls the node's poll() with a real PollContext (getExecutePollFunctions), static data lives
// on the Workflow and is handed from poll to poll as n8n would persist it (a JSON round trip),
// and credentials come from memory, applied by the credential type's own `authenticate` block.
import { createRequire } from 'node:module';

import {
	CREDENTIAL_TYPE,
	MemoryCredentialsHelper,
	NodeTypes,
	loadBuilt,
	loadCredentialType,
} from './engine.mjs';

const require = createRequire(import.meta.url);
const { getExecutePollFunctions, PollTriggerExecutor } = require('n8n-core');
const { Workflow } = require('n8n-workflow');
const coreRequire = createRequire(require.resolve('n8n-core'));
const { Container } = coreRequire('@n8n/di');

export const TRIGGER_TYPE = 'n8n-nodes-dnsfilter.dnsFilterTrigger';

export function loadTriggerNode() {
	const { DnsFilterTrigger } = loadBuilt('nodes/DnsFilter/DnsFilterTrigger.node.js');
	return new DnsFilterTrigger();
}

/**
 * One poll tick. `mode` is 'trigger' for an active workflow and 'manual' for "Fetch Test Event".
 * Returns the emitted items (null when the poll emitted nothing), the error if the poll failed,
 * and the static data to pass to the next tick.
 */
export async function pollOnce({
	nodeType = loadTriggerNode(),
	typeName = TRIGGER_TYPE,
	parameters,
	credentials,
	staticData = {},
	mode = 'trigger',
	typeVersion = 1,
}) {
	const nodes = [
		{
			id: 'poll-1',
			name: 'DNSFilter Trigger',
			type: typeName,
			typeVersion,
			position: [0, 0],
			parameters: { pollTimes: { item: [{ mode: 'everyMinute' }] }, ...parameters },
			credentials: { [CREDENTIAL_TYPE]: { id: 'cred-1', name: 'DNSFilter account' } },
		},
	];
	const workflow = new Workflow({
		id: 'wf-poll',
		name: 'poll test',
		nodes,
		connections: {},
		active: mode !== 'manual',
		nodeTypes: new NodeTypes({ [typeName]: nodeType }),
		// As n8n stores it between ticks: plain JSON.
		staticData: JSON.parse(JSON.stringify(staticData)),
		settings: {},
	});
	const node = workflow.getNode('DNSFilter Trigger');
	const additionalData = {
		credentialsHelper: new MemoryCredentialsHelper(loadCredentialType(), {
			baseUrl: 'http://127.0.0.1',
			throttleRequests: 0,
			throttleWindowSeconds: 300,
			...credentials,
		}),
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678/',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		variables: {},
		currentNodeExecutionIndex: 0,
	};
	const pollFunctions = getExecutePollFunctions(
		workflow,
		node,
		additionalData,
		mode,
		mode === 'manual' ? 'manual' : 'activate',
	);
	let emitted = null;
	let error;
	pollFunctions.__emit = (data) => {
		emitted = data;
	};
	pollFunctions.__emitError = (err) => {
		error = err;
	};
	const executor = Container.get(PollTriggerExecutor);
	const tick = executor.create(workflow, node, pollFunctions, () => true);
	try {
		// n8n runs the first tick at activation and manual fetches as "testing" ticks, which throw.
		await tick(mode === 'manual');
	} catch (err) {
		error = err;
	}
	return {
		items: emitted ? emitted[0].map((item) => item.json) : null,
		error,
		staticData: JSON.parse(JSON.stringify(workflow.staticData)),
	};
}
