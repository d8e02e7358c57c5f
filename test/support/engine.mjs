// Runs nodes through the real n8n-core engine (WorkflowExecute + Workflow), the way n8n runs them,
// minus the database: credentials come from memory and are applied by the credential type's own
// `authenticate` block.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
// CommonJS on purpose: the built node requires n8n-workflow's CJS build, and the engine must share
// that module instance (its ESM build also does not load on plain Node).
const { ExecutionLifecycleHooks, LoadOptionsContext, WorkflowExecute } = require('n8n-core');
const { ICredentialsHelper, NodeHelpers, Workflow } = require('n8n-workflow');
const coreRequire = createRequire(require.resolve('n8n-core'));
const { Container } = coreRequire('@n8n/di');
const { Logger } = coreRequire('@n8n/backend-common');

/** Every line the engine and the node log, at every level, so tests can scan them for secrets. */
export const logLines = [];
const capturingLogger = {
	scoped() {
		return capturingLogger;
	},
};
for (const level of ['error', 'warn', 'info', 'debug', 'verbose', 'silly']) {
	capturingLogger[level] = (message, meta) => {
		logLines.push(`${level}: ${message}${meta ? ` ${JSON.stringify(meta)}` : ''}`);
	};
}
Container.set(Logger, capturingLogger);

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const NODE_TYPE = 'n8n-nodes-dnsfilter.dnsFilter';
export const CREDENTIAL_TYPE = 'dnsFilterApi';

export function loadBuilt(relative) {
	return require(path.join(root, 'dist', relative));
}

export function loadCredentialType() {
	const { DnsFilterApi } = loadBuilt('credentials/DnsFilterApi.credentials.js');
	return new DnsFilterApi();
}

export function loadDnsFilterNode() {
	const { DnsFilter } = loadBuilt('nodes/DnsFilter/DnsFilter.node.js');
	return new DnsFilter();
}

const manualTrigger = {
	description: {
		displayName: 'Manual Trigger',
		name: 'manualTrigger',
		group: ['trigger'],
		version: 1,
		defaults: { name: 'Start' },
		inputs: [],
		outputs: ['main'],
		properties: [],
	},
	async execute() {
		return [this.getInputData()];
	},
};

/** A node that emits the items it is configured with, so tests can feed many items. */
const itemSource = {
	description: {
		displayName: 'Items',
		name: 'items',
		group: ['transform'],
		version: 1,
		defaults: { name: 'Items' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [{ displayName: 'Items', name: 'items', type: 'json', default: '[]' }],
	},
	async execute() {
		const raw = this.getNodeParameter('items', 0);
		const items = typeof raw === 'string' ? JSON.parse(raw) : raw;
		return [items.map((json) => ({ json }))];
	},
};

/** The node types a test workflow may use, by type name. */
export class NodeTypes {
	constructor(types) {
		this.types = types;
	}
	getByName(name) {
		return this.getByNameAndVersion(name);
	}
	getByNameAndVersion(name) {
		const type = this.types[name];
		if (!type) throw new Error(`Unknown node type ${name}`);
		return type;
	}
	getKnownTypes() {
		return {};
	}
}

function resolveCredentialExpression(value, credentials) {
	if (typeof value !== 'string' || !value.startsWith('=')) return value;
	// Supports the forms credential types use: `={{$credentials.name}}` and `=prefix {{$credentials.name}}`.
	return value
		.slice(1)
		.replace(/\{\{\s*\$credentials\.([A-Za-z0-9_]+)\s*\}\}/g, (_, name) =>
			String(credentials[name] ?? ''),
		);
}

/** Credentials from memory, applied by the credential type's own generic `authenticate` block. */
export class MemoryCredentialsHelper extends ICredentialsHelper {
	constructor(credentialType, data) {
		super();
		this.credentialType = credentialType;
		this.data = data;
	}
	getParentTypes() {
		return [];
	}
	isCredentialUsableByNode() {
		return true;
	}
	async authenticate(credentials, typeName, requestOptions) {
		const { authenticate } = this.credentialType;
		if (typeName !== this.credentialType.name || !authenticate || authenticate.type !== 'generic') {
			return requestOptions;
		}
		const options = { ...requestOptions };
		for (const [target, values] of Object.entries(authenticate.properties)) {
			options[target] = { ...(options[target] ?? {}) };
			for (const [key, value] of Object.entries(values)) {
				options[target][key] = resolveCredentialExpression(value, credentials);
			}
		}
		return options;
	}
	async preAuthentication() {
		return undefined;
	}
	async runPreAuthentication() {
		return undefined;
	}
	async getCredentials() {
		throw new Error('not used by these tests');
	}
	async getDecrypted() {
		return { ...this.data };
	}
	async updateCredentials() {}
	async updateCredentialsOauthTokenData() {}
	getCredentialsProperties() {
		return this.credentialType.properties;
	}
}

/**
 * Executes `[Start] → [Items] → node` and returns the node's output items and error.
 * `items` are the input items; `parameters` the node's parameters.
 */
export async function runNode({
	nodeType,
	typeName = NODE_TYPE,
	typeVersion = 1,
	parameters,
	items = [{}],
	credentials,
	continueOnFail = false,
	timeoutMs = 60_000,
	staticData,
	cancelAfterMs,
}) {
	const credentialType = loadCredentialType();
	const nodeTypes = new NodeTypes({
		'n8n-nodes-base.manualTrigger': manualTrigger,
		'test.items': itemSource,
		[typeName]: nodeType,
	});
	const nodes = [
		{
			id: '1',
			name: 'Start',
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		},
		{
			id: '2',
			name: 'Items',
			type: 'test.items',
			typeVersion: 1,
			position: [200, 0],
			parameters: { items: JSON.stringify(items) },
		},
		{
			id: '3',
			name: 'DNSFilter',
			type: typeName,
			typeVersion,
			position: [400, 0],
			parameters,
			credentials: { [CREDENTIAL_TYPE]: { id: 'cred-1', name: 'DNSFilter account' } },
			...(continueOnFail ? { onError: 'continueRegularOutput' } : {}),
		},
	];
	const connections = {
		Start: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
		Items: { main: [[{ node: 'DNSFilter', type: 'main', index: 0 }]] },
	};
	const workflow = new Workflow({
		id: 'wf-test',
		name: 'test',
		nodes,
		connections,
		active: false,
		nodeTypes,
		staticData,
		settings: {},
	});
	const finished = {};
	finished.promise = new Promise((resolve) => {
		finished.resolve = resolve;
	});
	const hooks = new ExecutionLifecycleHooks('manual', 'exec-1', {
		id: 'wf-test',
		name: 'test',
		nodes,
		connections,
		active: false,
		settings: {},
	});
	hooks.addHandler('workflowExecuteAfter', (run) => finished.resolve(run));
	const firstLogLine = logLines.length;
	const additionalData = {
		credentialsHelper: new MemoryCredentialsHelper(credentialType, {
			baseUrl: 'http://127.0.0.1',
			throttleRequests: 0,
			throttleWindowSeconds: 300,
			...credentials,
		}),
		hooks,
		executeWorkflow: async () => {
			throw new Error('not supported');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678/',
		formBaseUrl: 'http://127.0.0.1:5678/form',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		formTestBaseUrl: 'http://127.0.0.1:5678/form-test',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		mcpBaseUrl: 'http://127.0.0.1:5678/mcp',
		mcpTestBaseUrl: 'http://127.0.0.1:5678/mcp-test',
		variables: {},
		logAiEvent: () => {},
		startRunnerTask: async () => {
			throw new Error('not supported');
		},
	};
	const execute = new WorkflowExecute(additionalData, 'manual');
	const started = Date.now();
	const run = execute.run({
		workflow,
		startNode: nodes[0],
		destinationNode: { nodeName: 'DNSFilter', mode: 'inclusive' },
	});
	// Cancels the execution as the UI's stop button does (WorkflowExecute aborts its signal).
	const cancelTimer =
		cancelAfterMs === undefined ? undefined : setTimeout(() => run.cancel(), cancelAfterMs);
	let timer;
	const timeout = new Promise((_, reject) => {
		timer = setTimeout(() => {
			run.cancel?.();
			reject(new Error(`workflow did not finish within ${timeoutMs} ms`));
		}, timeoutMs);
	});
	let result;
	try {
		result = await Promise.race([finished.promise, run.then((r) => r), timeout]);
	} finally {
		clearTimeout(timer);
		clearTimeout(cancelTimer);
	}
	const runData = result.data.resultData.runData.DNSFilter?.[0];
	return {
		run: result,
		taskData: runData,
		items: runData?.data?.main?.[0] ?? [],
		error: result.data.resultData.error ?? runData?.error,
		hints: runData?.hints ?? [],
		durationMs: Date.now() - started,
		logLines: logLines.slice(firstLogLine),
		staticData: workflow.staticData,
	};
}

/**
 * Calls one of the node's `methods.listSearch` as n8n's editor endpoint does
 * (DynamicNodeParametersService.getResourceLocatorResults): a one-node workflow holding the
 * panel's current parameters, and n8n-core's own LoadOptionsContext as `this`.
 */
export async function listSearchCall({
	nodeType,
	method,
	parameters = {},
	credentials,
	filter,
	paginationToken,
	path: parameterPath = 'parameters.id',
	loadOptions = false,
}) {
	const credentialType = loadCredentialType();
	const node = {
		parameters,
		id: 'uuid-1234',
		name: 'Temp-Node',
		type: NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		credentials: { [CREDENTIAL_TYPE]: { id: 'cred-1', name: 'DNSFilter account' } },
	};
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: new NodeTypes({ [NODE_TYPE]: nodeType }),
	});
	const additionalData = {
		credentialsHelper: new MemoryCredentialsHelper(credentialType, {
			baseUrl: 'http://127.0.0.1',
			throttleRequests: 0,
			throttleWindowSeconds: 300,
			...credentials,
		}),
		currentNodeParameters: parameters,
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678/',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		variables: {},
	};
	const context = new LoadOptionsContext(
		workflow,
		workflow.nodes['Temp-Node'],
		additionalData,
		parameterPath,
	);
	if (loadOptions) {
		const load = nodeType.methods?.loadOptions?.[method];
		if (!load) throw new Error(`no loadOptions method ${method}`);
		return await load.call(context);
	}
	const search = nodeType.methods?.listSearch?.[method];
	if (!search) throw new Error(`no listSearch method ${method}`);
	return await search.call(context, filter, paginationToken);
}

/** A `methods.loadOptions` call through n8n-core's LoadOptionsContext, as the editor makes it. */
export async function loadOptionsCall(options) {
	return await listSearchCall({ ...options, loadOptions: true });
}

export { NodeHelpers };

/**
 * Everything a user or an operator could see of a run, as text: output items, the error with
 * its description, stack and cause, every log line, and the stored run data. Tests scan it for
 * the API key.
 */
export function visibleText(result) {
	const { error } = result;
	const errorText = error
		? JSON.stringify({
				...error,
				message: error.message,
				description: error.description,
				stack: error.stack,
				cause: error.cause,
			})
		: '';
	return [JSON.stringify(result.items), errorText, ...result.logLines, JSON.stringify(result.run)];
}
