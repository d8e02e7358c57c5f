// The node description as the editor and AI tools read it: its weight, operation values and
// defaults, labels, option descriptions, required IDs, dates, the canvas subtitle and the Custom
// API Call. Visibility and parameter issues are decided by n8n-workflow's own NodeHelpers.
// Runs against dist/ (npm run build first).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { parameterIssues, shownFor } from './support/visibility.mjs';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const specPath =
	process.env.DNSFILTER_OPENAPI || path.resolve(root, '../shared/dnsfilter/openapi.json');
const spec = JSON.parse(readFileSync(specPath, 'utf8'));

const { Workflow } = require('n8n-workflow');
const { DnsFilter } = require(path.join(root, 'dist/nodes/DnsFilter/DnsFilter.node.js'));
const { OPERATIONS } = require(path.join(root, 'dist/nodes/DnsFilter/generated/operations.js'));
const description = new DnsFilter().description;
const { properties } = description;

/** The weight bound: JSON.stringify(description), measured the way bench/load-sample.cjs does. */
const MAX_DESCRIPTION_BYTES = 200_000;

const resourceProperty = properties.find((property) => property.name === 'resource');
const selectors = properties.filter((property) => property.name === 'operation');
const selectorFor = (resource) =>
	selectors.find((selector) => selector.displayOptions?.show?.resource?.includes(resource));
const rowById = (operationId) => OPERATIONS.find((row) => row.operationId === operationId);
const CUSTOM = 'customApiCall';

function walk(value, visit, key) {
	if (Array.isArray(value)) return value.forEach((entry) => walk(entry, visit, key));
	if (value && typeof value === 'object')
		for (const [name, entry] of Object.entries(value)) walk(entry, visit, name);
	else visit(value, key);
}

describe('description weight', () => {
	test(`the node description is at most ${MAX_DESCRIPTION_BYTES} bytes with all 280 operations`, () => {
		const bytes = Buffer.byteLength(JSON.stringify(description));
		const operations = selectors.reduce(
			(count, selector) =>
				count + selector.options.filter((option) => option.value !== CUSTOM).length,
			0,
		);
		assert.equal(operations, 280 + 1, 'every generated operation plus Check Current Key');
		assert.ok(bytes <= MAX_DESCRIPTION_BYTES, `description is ${bytes} bytes`);
	});

	test('shared parameters are single properties (one Simplify, one Return All, one Limit, one Use JSON Body)', () => {
		for (const name of ['simplify', 'returnAll', 'limit', 'useJsonBody']) {
			assert.equal(properties.filter((property) => property.name === name).length, 1, name);
		}
	});
});

describe('operation values and defaults', () => {
	test('every operation value belongs to one resource only (Custom API Call, offered everywhere, aside)', () => {
		const owner = new Map();
		for (const selector of selectors) {
			for (const option of selector.options) {
				if (option.value === CUSTOM) continue;
				assert.ok(
					!owner.has(option.value),
					`${option.value}: ${owner.get(option.value)} and ${selector.displayOptions.show.resource}`,
				);
				owner.set(option.value, selector.displayOptions.show.resource[0]);
			}
		}
		assert.ok(owner.size > 280);
	});

	test('every resource opens on a read operation', () => {
		for (const option of resourceProperty.options) {
			const { parameters } = shownFor(description, { resource: option.value });
			if (option.value === CUSTOM) {
				assert.equal(parameters.operation, CUSTOM);
				assert.equal(parameters.requestMethod, 'GET', 'Custom API Call opens on GET');
				continue;
			}
			const row = OPERATIONS.find(
				(entry) => entry.resource === option.value && entry.operation === parameters.operation,
			);
			assert.ok(
				row,
				`${option.value}: default ${parameters.operation} is not a generated operation`,
			);
			assert.equal(
				row.method,
				'GET',
				`${option.value} opens on ${row.displayName} (${row.method})`,
			);
		}
	});

	test('switching resource never keeps a write operation: no other resource offers its value, so n8n falls back to the default', () => {
		let checked = 0;
		for (const row of OPERATIONS.filter((entry) => entry.method !== 'GET')) {
			for (const option of resourceProperty.options) {
				if (option.value === row.resource) continue;
				const offered = (selectorFor(option.value)?.options ?? []).map((entry) => entry.value);
				assert.ok(
					!offered.includes(row.operation),
					`${row.operation} is also offered under ${option.value}`,
				);
				checked++;
			}
		}
		assert.ok(checked > 1000);
	});

	test('operation values are the camelCase of their labels', () => {
		for (const row of OPERATIONS) {
			const camel = row.displayName
				.replace(/([a-z0-9])([A-Z])/g, '$1 $2')
				.split(/[^A-Za-z0-9]+/)
				.filter(Boolean)
				.map((word, index) =>
					index === 0
						? word.toLowerCase()
						: word.charAt(0).toUpperCase() + word.slice(1).toLowerCase(),
				)
				.join('');
			assert.equal(row.operation, camel, row.operationId);
		}
	});
});

describe('operation options', () => {
	test('every option has a name, an action and a short description', () => {
		for (const selector of selectors) {
			for (const option of selector.options) {
				assert.ok(option.action, `${option.value}: no action`);
				assert.ok(
					typeof option.description === 'string' && option.description.length >= 15,
					`${option.value}: no description`,
				);
				assert.ok(option.description.length <= 120, `${option.value}: description too long`);
			}
		}
	});

	test("the last option of every resource and operation selector is the node's own Custom API Call, so n8n adds none", () => {
		// n8n (packages/cli load-nodes-and-credentials.ts, injectCustomApiCallOptions) appends
		// { name: 'Custom API Call', value: '__CUSTOM_API_CALL__' } to every `resource` / `operation`
		// options property whose last option is not named 'Custom API Call'.
		for (const property of [resourceProperty, ...selectors]) {
			const last = property.options.at(-1);
			assert.equal(
				last.name,
				'Custom API Call',
				`${property.name} ${JSON.stringify(property.displayOptions ?? {})}`,
			);
			assert.equal(last.value, CUSTOM);
		}
		assert.ok(!JSON.stringify(description).includes('__CUSTOM_API_CALL__'));
	});

	test("no description repeats the OpenAPI document's prose", () => {
		const prose = new Set();
		const collect = (value) => {
			if (typeof value !== 'string') return;
			for (const sentence of value.split(/(?<=[.!?])\s+|\n+/)) {
				const normalised = sentence
					.trim()
					.replace(/[.\s]+$/, '')
					.toLowerCase();
				if (normalised.split(/\s+/).length >= 4) prose.add(normalised);
			}
		};
		walk(spec, (value, key) => {
			if (key === 'description' || key === 'summary') collect(value);
		});
		assert.ok(prose.size > 200);
		const copied = [];
		walk(properties, (value, key) => {
			if (key !== 'description' || typeof value !== 'string') return;
			for (const sentence of value.split(/(?<=[.!?;])\s+/)) {
				const normalised = sentence
					.trim()
					.replace(/[.;\s]+$/, '')
					.toLowerCase();
				if (prose.has(normalised)) copied.push(sentence);
			}
		});
		assert.deepEqual(copied, []);
	});
});

describe('labels', () => {
	const labels = OPERATIONS.map((row) => row.displayName);

	test("labels use the API's block/allow words, and every one starts with a verb", () => {
		for (const label of labels) {
			assert.doesNotMatch(label, /blacklist|whitelist/i, label);
			assert.match(
				label,
				/^(Add|Bulk|Cancel|Change|Check|Create|Delete|Dequeue|Get|Look|Promote|Reactivate|Remove|Resend|Reset|Revoke|Rotate|Send|Suggest|Suppress|Update|Verify|Batch)\b/,
				label,
			);
		}
	});

	test('the labels the issue found are fixed', () => {
		assert.equal(rowById('V1_Distributors-distributors_index').displayName, 'Get Distributor');
		assert.equal(
			rowById('V1_Policies-remove_blacklist_category').displayName,
			'Remove Category From Policy Blocklist',
		);
		assert.equal(
			rowById('V1_Metrics-organization_usage_detailed').displayName,
			'Get Detailed Organization Usage',
		);
		assert.equal(
			rowById('V1_Traffic_Reports-total_categories_collections').displayName,
			'Get Category Requests by Collection',
		);
		assert.equal(
			rowById('V1_Traffic_Reports-total_applications_organizations_stats').displayName,
			'Get Application Requests by Organization',
		);
		assert.equal(rowById('V1_Traffic_Reports-top_domains').displayName, 'Get Top Domains');
	});

	test('no field is a bare "ID", a "Path …" or "Body …" label, and every ID field says whose it is', () => {
		const fields = [];
		const visit = (list) => {
			for (const property of list) {
				if (property.type === 'collection') visit(property.options);
				else if (property.displayName) fields.push(property);
			}
		};
		visit(properties);
		for (const field of fields) {
			assert.notEqual(field.displayName, 'ID');
			if (!field.name.startsWith('request'))
				assert.doesNotMatch(field.displayName, /^(Path|Body|Query) /, field.displayName);
			if (/ ID$/.test(field.displayName) && field.name !== 'requestPath') {
				if (field.type === 'resourceLocator') {
					// A record picker's label names the record; By ID shows a sample and checks what is typed.
					const byId = field.modes.find((mode) => mode.name === 'id');
					assert.match(
						byId.placeholder,
						/^e\.g\. \S+/,
						`${field.displayName} (${field.name}): By ID has no sample`,
					);
					assert.ok(
						byId.validation?.[0]?.properties?.regex,
						`${field.displayName} (${field.name}): By ID checks nothing`,
					);
					assert.ok(
						byId.validation[0].properties.errorMessage.startsWith(`${field.displayName}:`),
						`${field.displayName}: the message names the field`,
					);
				} else {
					assert.ok(field.description, `${field.displayName} (${field.name}) has no description`);
				}
			}
		}
	});

	test('required ID labels name the record (API Key ID, Network ID, Organization ID)', () => {
		const label = (operationId) => {
			const row = rowById(operationId);
			const field = row.fields.find((entry) => entry.in === 'path' && entry.wireName === 'id');
			return shownFor(description, { resource: row.resource, operation: row.operation }).shown.find(
				(entry) => entry.name === field.field,
			).displayName;
		};
		assert.equal(label('V1_Api_Keys-destroy'), 'API Key ID');
		assert.equal(label('V1_Networks-revoke_secret_key'), 'Network ID');
		assert.equal(label('V1_Organizations-show'), 'Organization ID');
		assert.equal(label('V1_Network_Subnets-show'), 'Network ID');
	});
});

test("n8n's node search finds the action node by the words admins type", () => {
	const codex = JSON.parse(
		readFileSync(new URL('../nodes/DnsFilter/DnsFilter.node.json', import.meta.url), 'utf8'),
	);
	for (const word of ['revoke', 'rotate', 'expired', 'expiring', 'query logs'])
		assert.ok(codex.alias.includes(word), word);
});

describe('panel order', () => {
	test('Options and Additional Fields come after every field of the operation (hand-written ones included), Request Options last', () => {
		let checked = 0;
		for (const row of OPERATIONS) {
			const names = shownFor(description, {
				resource: row.resource,
				operation: row.operation,
			}).shown.map((property) => `${property.type}:${property.name}`);
			const firstCollection = names.findIndex(
				(name) => name === 'collection:options' || name === 'collection:additionalFields',
			);
			if (firstCollection < 0) continue;
			const after = names
				.slice(firstCollection)
				.filter(
					(name) =>
						![
							'collection:options',
							'collection:additionalFields',
							'collection:requestOptions',
						].includes(name),
				);
			assert.deepEqual(after, [], `${row.operation}: ${names.join(', ')}`);
			checked++;
		}
		assert.ok(checked > 100, `${checked} operations with Options or Additional Fields`);
	});
});

describe('hand-written parameters follow the operation values', () => {
	test('the expiry threshold shows for Get Many API Keys, Get API Key and Check Current Key only', () => {
		const shows = (values) =>
			shownFor(description, values).shown.some(
				(entry) => entry.name === 'expiringSoonThresholdDays',
			);
		for (const operationId of ['V1_Api_Keys-index', 'V1_Api_Keys-show']) {
			const row = rowById(operationId);
			assert.ok(shows({ resource: row.resource, operation: row.operation }), operationId);
		}
		assert.ok(shows({ resource: 'apiKey', operation: 'checkCurrentKey' }));
		for (const operationId of ['V1_Api_Keys-destroy', 'V1_Api_Keys-create', 'V1_Networks-index']) {
			const row = rowById(operationId);
			assert.ok(!shows({ resource: row.resource, operation: row.operation }), operationId);
		}
	});
});

describe('required IDs', () => {
	test('an untouched Delete API Key is flagged by the editor until the ID is filled', () => {
		const row = rowById('V1_Api_Keys-destroy');
		const values = { resource: row.resource, operation: row.operation };
		const { parameters } = shownFor(description, values);
		assert.deepEqual(
			parameters.id,
			{ __rl: true, mode: 'list', value: '' },
			'starts empty, never 0',
		);
		assert.deepEqual(Object.keys(parameterIssues(description, values)), ['id']);
		// A plain ID, as workflows saved before the picker hold it, is no issue; neither is a pick.
		assert.deepEqual(parameterIssues(description, { ...values, id: '12' }), {});
		assert.deepEqual(
			parameterIssues(description, {
				...values,
				id: { __rl: true, mode: 'list', value: '12', cachedResultName: 'Key (12)' },
			}),
			{},
		);
		assert.deepEqual(
			parameterIssues(description, { ...values, id: { __rl: true, mode: 'id', value: '12' } }),
			{},
		);
		// By ID flags a malformed ID while typing, naming the field.
		const issues = parameterIssues(description, {
			...values,
			id: { __rl: true, mode: 'id', value: 'abc' },
		});
		assert.deepEqual(Object.keys(issues), ['id']);
		assert.match(issues.id.join(' '), /API Key ID: digits only/);
		assert.deepEqual(
			Object.keys(
				parameterIssues(description, { ...values, id: { __rl: true, mode: 'id', value: '' } }),
			),
			['id'],
		);
	});

	test('every path ID is an empty, required text field or record picker while the table keeps the wire type', () => {
		let checked = 0;
		for (const row of OPERATIONS) {
			for (const field of row.fields.filter(
				(entry) => entry.in === 'path' && entry.type !== 'options',
			)) {
				const property = shownFor(description, {
					resource: row.resource,
					operation: row.operation,
				}).shown.find((entry) => entry.name === field.field);
				if (property.type === 'resourceLocator')
					assert.deepEqual(
						property.default,
						{ mode: 'list', value: '' },
						`${row.operationId} ${field.wireName}`,
					);
				else {
					assert.equal(property.type, 'string', `${row.operationId} ${field.wireName}`);
					assert.equal(property.default, '', `${row.operationId} ${field.wireName}`);
				}
				assert.equal(property.required, true, `${row.operationId} ${field.wireName}`);
				checked++;
			}
		}
		assert.ok(checked > 100);
		assert.equal(
			rowById('V1_Api_Keys-destroy').fields.find((field) => field.wireName === 'id').type,
			'number',
		);
	});
});

describe('dates', () => {
	function schemaOf(row, field) {
		const item = spec.paths[row.path];
		const op = item[row.method.toLowerCase()];
		const parameter = [...(item.parameters ?? []), ...(op.parameters ?? [])].find(
			(entry) => entry.name === field.wireName && entry.in === field.in,
		);
		return parameter?.schema;
	}

	test('format: date is a date field (YYYY-MM-DD placeholder), date-time a dateTime, everywhere', () => {
		let dates = 0;
		let dateTimes = 0;
		for (const row of OPERATIONS) {
			for (const field of row.fields.filter((entry) => entry.in !== 'body')) {
				const schema = schemaOf(row, field);
				if (schema?.format === 'date') {
					assert.equal(field.type, 'date', `${row.operationId} ${field.wireName}`);
					dates++;
				}
				if (schema?.format === 'date-time') {
					assert.equal(field.type, 'dateTime', `${row.operationId} ${field.wireName}`);
					dateTimes++;
				}
			}
		}
		assert.ok(dates > 0);
		const shown = [];
		const visit = (list) =>
			list.forEach((property) =>
				property.type === 'collection' ? visit(property.options) : shown.push(property),
			);
		visit(properties);
		for (const property of shown.filter((entry) => entry.placeholder === 'YYYY-MM-DD')) {
			assert.equal(property.type, 'string', property.name);
			assert.match(property.description, /YYYY-MM-DD/);
		}
		void dateTimes;
	});

	test('traffic-report From / To are date-time pickers, like every date-time', () => {
		for (const row of OPERATIONS.filter((entry) => entry.resource === 'trafficReport')) {
			for (const field of row.fields.filter(
				(entry) => entry.wireName === 'from' || entry.wireName === 'to',
			)) {
				assert.equal(field.type, 'dateTime', `${row.operationId} ${field.wireName}`);
			}
		}
	});
});

describe('canvas subtitle', () => {
	test("shows the selected operation's label, evaluated the way the editor evaluates it", () => {
		const node = {
			id: 'n',
			name: 'DNSFilter',
			type: 'n8n-nodes-dnsfilter.dnsFilter',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		};
		const nodeTypes = {
			getByName: () => new DnsFilter(),
			getByNameAndVersion: () => new DnsFilter(),
			getKnownTypes: () => ({}),
		};
		const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
		for (const selector of selectors) {
			for (const option of selector.options) {
				node.parameters = {
					resource: selector.displayOptions.show.resource[0],
					operation: option.value,
				};
				assert.equal(
					workflow.expression.getSimpleParameterValue(node, description.subtitle, 'internal', {}),
					option.name,
				);
			}
		}
	});
});

describe('trigger canvas subtitle', () => {
	test('names the event as the Event list does ("Threat Blocked", not threatBlocked), for every event and both versions', () => {
		const { DnsFilterTrigger } = require(
			path.join(root, 'dist/nodes/DnsFilter/DnsFilterTrigger.node.js'),
		);
		const trigger = new DnsFilterTrigger();
		const events = trigger.description.properties.find((property) => property.name === 'event');
		assert.ok(events.options.length >= 8);
		for (const typeVersion of [1, 2]) {
			const node = {
				id: 't',
				name: 'DNSFilter Trigger',
				type: 'n8n-nodes-dnsfilter.dnsFilterTrigger',
				typeVersion,
				position: [0, 0],
				parameters: {},
			};
			const nodeTypes = {
				getByName: () => trigger,
				getByNameAndVersion: () => trigger,
				getKnownTypes: () => ({}),
			};
			const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
			for (const option of events.options) {
				node.parameters = { event: option.value };
				assert.equal(
					workflow.expression.getSimpleParameterValue(
						node,
						trigger.description.subtitle,
						'internal',
						{},
					),
					option.name,
				);
			}
		}
	});
});

describe('codex', () => {
	test('search aliases cover what users look for', () => {
		const codex = JSON.parse(
			readFileSync(path.join(root, 'nodes/DnsFilter/DnsFilter.node.json'), 'utf8'),
		);
		for (const alias of ['api key', 'network secret', 'roaming client', 'block page'])
			assert.ok(codex.alias.includes(alias), alias);
		const trigger = JSON.parse(
			readFileSync(path.join(root, 'nodes/DnsFilter/DnsFilterTrigger.node.json'), 'utf8'),
		);
		assert.ok(trigger.alias.includes('api key expiring'));
		// What admins type when they look for the trigger's events.
		for (const word of ['revoked', 'expired', 'expiring', 'threat blocked', 'query logs'])
			assert.ok(trigger.alias.includes(word), word);
	});
});
