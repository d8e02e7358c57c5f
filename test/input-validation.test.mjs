// Bad input fails before anything is sent, through the real engine
// (WorkflowExecute) against a stand-in on 127.0.0.1 whose own request log must stay empty.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import { loadBuilt, loadDnsFilterNode, runNode } from './support/engine.mjs';
import { makeApiKey } from './support/jwt.mjs';
import { loadOperations, operationById } from './support/node-params.mjs';
import { json, startStandIn } from './support/standin-server.mjs';

const apiKey = makeApiKey({ sub: 'input-user' });
const operations = loadOperations();
const op = (operationId) => operationById(operations, operationId);
const fieldOf = (row, wireName, location) =>
	row.fields.find((f) => f.wireName === wireName && (!location || f.in === location));
let server;
let nodeType;

before(async () => {
	server = await startStandIn((req, res, record) =>
		json(res, 200, record.method === 'DELETE' ? undefined : { data: [] }),
	);
	nodeType = loadDnsFilterNode();
});
after(async () => {
	await server.close();
});
beforeEach(() => {
	server.requests.length = 0;
});

/** Runs one operation with `values` keyed by wire name (path and required at top level, optional in their collection). */
async function run(operationId, values, extra = {}) {
	const row = op(operationId);
	const parameters = { resource: row.resource, operation: row.operation, ...extra };
	for (const [key, value] of Object.entries(values)) {
		const [location, wireName] = key.includes(':') ? key.split(':') : [undefined, key];
		const field = fieldOf(row, wireName, location);
		if (!field) throw new Error(`${operationId}: no field ${key}`);
		if (field.collection)
			parameters[field.collection] = {
				...(parameters[field.collection] ?? {}),
				[field.field]: value,
			};
		else parameters[field.field] = value;
	}
	return await runNode({ nodeType, parameters, credentials: { apiKey, baseUrl: server.url } });
}

async function refused(operationId, values, pattern, extra) {
	let result;
	try {
		result = await run(operationId, values, extra);
	} catch (error) {
		// n8n itself refuses to start a workflow whose required parameter is empty (once the editor
		// marks path IDs required): that is a refusal before sending too.
		result = { error };
	}
	assert.ok(result.error, `${JSON.stringify(values)} must fail`);
	assert.match(`${result.error.message} ${result.error.description ?? ''}`, pattern);
	assert.equal(
		server.requests.length,
		0,
		`nothing may reach the server for ${JSON.stringify(values)}`,
	);
	return result.error;
}

async function sent(operationId, values, extra) {
	const result = await run(operationId, values, extra);
	assert.equal(result.error, undefined, result.error?.message);
	assert.equal(server.requests.length, 1);
	return server.requests[0];
}

describe('path IDs that would change the path are refused', () => {
	const dangerous = [
		'.',
		'..',
		'={{ ".." }}',
		'={{ "." }}',
		'12/..',
		'../12',
		'12?force=1',
		'12#x',
		'%2e%2e',
		'%2E',
		'12%2F13',
		'12\\..',
		' .. ',
		'12\n',
	];
	for (const value of dangerous) {
		test(`Delete User Agent with ID ${JSON.stringify(value)}`, async () => {
			await refused('V1_User_Agents-destroy', { id: value }, /"Roaming Client ID" field/);
		});
	}

	test('option-type path parameter (Domain Notes resource) from an expression', async () => {
		const row = op('V1_Domain_Notes-batch_update');
		const error = await refused(
			'V1_Domain_Notes-batch_update',
			{ 'path:id': 5, 'path:resource': '={{ ".." }}', notes: '[]' },
			/"Resource" field is not a usable ID/,
		);
		assert.ok(
			row.fields.some((f) => f.in === 'path' && f.type === 'options'),
			'the row still has an options path parameter',
		);
		assert.match(error.description, /Nothing was sent/);
	});

	test('a numeric path ID: hex, exponent, trailing text, sign, empty are refused; never sent as 0', async () => {
		for (const value of [
			'0x1F',
			'1e2',
			'12abc',
			'-1',
			'+3',
			'1.5',
			'',
			'   ',
			'={{ "" }}',
			'abc',
		]) {
			const error = await refused(
				'V1_Networks-show',
				{ id: value },
				/"Network ID" field (must be a whole number|is required)|Parameter "[\w ]*ID" is required/,
			);
			if (String(value).trim() === '' || value === '={{ "" }}')
				assert.match(error.message, /required/);
		}
	});

	test('accepted: decimal digits (spaces around them ignored), a number, a UUID-like text ID', async () => {
		assert.equal((await sent('V1_Networks-show', { id: ' 12 ' })).path, '/v1/networks/12');
		server.requests.length = 0;
		assert.equal((await sent('V1_Networks-show', { id: 7 })).path, '/v1/networks/7');
		server.requests.length = 0;
		assert.equal(
			(await sent('V1_User_Agents-destroy', { id: 'a1b2-c3d4' })).path,
			'/v1/user_agents/a1b2-c3d4',
		);
		server.requests.length = 0;
		assert.equal(
			(await sent('V1_Distributors-users_show', { id: '42' })).path,
			'/v1/distributors/users/42',
		);
	});
});

describe('Limit, numbers and booleans are checked before sending', () => {
	for (const limit of ['abc', 0, -1, '0', '1e2', 1.5, '12abc', '']) {
		test(`Limit ${JSON.stringify(limit)}`, async () => {
			await refused('V1_Networks-index', {}, /"Limit" field must be a positive whole number/, {
				returnAll: false,
				limit,
			});
		});
	}

	test('a valid Limit is sent as the page size', async () => {
		const request = await sent('V1_Networks-index', {}, { returnAll: false, limit: ' 3 ' });
		assert.equal(request.query.get('page[size]'), '3');
	});

	test('numbers are decimal only', async () => {
		for (const value of ['0x1F', '1e2', '12abc', 'Infinity', '1,5']) {
			await refused(
				'V2_Agent_Local_Users-counts',
				{ msp_id: value },
				/"MSP ID" field must be a whole number/,
			);
		}
		assert.equal(
			(await sent('V2_Agent_Local_Users-counts', { msp_id: ' 12 ' })).query.get('msp_id'),
			'12',
		);
	});

	test('integer lists are decimal only', async () => {
		await refused(
			'V2_Agent_Local_Users-counts',
			{ organization_ids: '1, 0x1F' },
			/"Organization IDs" field must be a comma-separated list of whole numbers/,
		);
		await refused('V2_Agent_Local_Users-counts', { organization_ids: '1e2' }, /whole numbers/);
	});

	test('booleans are true or false, never guessed', async () => {
		for (const value of ['yes', 'no', '1', '0', 'on', 1, 0]) {
			await refused(
				'V1_Networks-show',
				{ id: '3', count_network_ips: value },
				/"Count Network IPs" field must be true or false/,
			);
		}
		assert.equal(
			(await sent('V1_Networks-show', { id: '3', count_network_ips: 'TRUE' })).query.get(
				'count_network_ips',
			),
			'true',
		);
		server.requests.length = 0;
		assert.equal(
			(await sent('V1_Networks-show', { id: '3', count_network_ips: false })).query.get(
				'count_network_ips',
			),
			'false',
		);
	});
});

describe('date fields are sent as YYYY-MM-DD', () => {
	// The editor's generator marks `format: date` parameters as FieldSpec type 'date'; make sure this row is one.
	before(() => {
		fieldOf(op('V1_Distributors-reports_usage_by_organization'), 'date').type = 'date';
	});
	const report = 'V1_Distributors-reports_usage_by_organization';

	test('ISO date, date-time with offset (its own calendar date), a JS Date and a Luxon DateTime', async () => {
		const cases = [
			['2026-03-12', '2026-03-12'],
			['2026-03-12T23:30:00-05:00', '2026-03-12'],
			['2026-03-12T00:00:00', '2026-03-12'],
			['={{ new Date("2026-03-12T10:00:00Z") }}', '2026-03-12'],
			['={{ DateTime.fromISO("2026-07-01T08:00:00", { zone: "UTC" }) }}', '2026-07-01'],
		];
		for (const [value, wire] of cases) {
			server.requests.length = 0;
			assert.equal((await sent(report, { date: value })).query.get('date'), wire, value);
		}
	});

	test('invalid dates are refused naming the field', async () => {
		for (const value of ['2026-02-30', 'tomorrow', '12/03/2026', '2026-3-1', '20260312']) {
			await refused(report, { date: value }, /"Date" field must be a date/);
		}
	});
});

describe('errors name a field by its label in the editor', () => {
	test('for every field of every operation that the editor shows, the error label is that label', () => {
		const { fieldLabel } = loadBuilt('nodes/DnsFilter/actions/buildRequest.js');
		const nodeType = loadDnsFilterNode();
		const { OPERATIONS } = loadBuilt('nodes/DnsFilter/generated/operations.js');
		const shown = new Map();
		for (const property of nodeType.description.properties) {
			for (const operation of property.displayOptions?.show?.operation ?? []) {
				shown.set(`${operation}  ${property.name}`, property.displayName);
				for (const option of property.type === 'collection' ? property.options : [])
					shown.set(`${operation} ${property.name} ${option.name}`, option.displayName);
			}
		}
		let compared = 0;
		const wrong = [];
		for (const spec of OPERATIONS) {
			for (const field of spec.fields) {
				const label = shown.get(`${spec.operation} ${field.collection ?? ''} ${field.field}`);
				if (label === undefined) continue;
				compared++;
				if (fieldLabel(field) !== label)
					wrong.push(`${spec.operation}.${field.field}: "${fieldLabel(field)}" vs "${label}"`);
			}
		}
		assert.ok(compared > 500, `compared ${compared} fields`);
		assert.deepEqual(wrong, []);
	});
});
