// Contract test: EVERY operation of the DNSFilter document, sent by the built DnsFilter node through
// the real n8n engine, must be a request Prism accepts against the (corrected) document — right
// method, right path, every required parameter, right types and styles, right body shape.
//
// Passes over the 280 operations (one workflow per operation and pass, six at a time, one Prism):
//   1. required parameters + a deterministic sample of the optional query parameters and body
//      fields (test/support/schema-samples.mjs); oneOf/anyOf inputs run once per variant;
//   2. every body operation again with the body entered as JSON Body;
//   3. every optional query parameter and body field at once (so every field of the table is
//      exercised; a coverage test checks that).
// On top of Prism's verdict each exchange is checked by the test itself (problemsWith): method and
// path against the document, every sampled value on the wire (nested query values in the Rails
// form the API parses, which Prism does not look into), nothing undeclared in the query, the body
// exactly as planned, the raw key in Authorization. Mutation checks corrupt the node's own table
// in memory to prove these checks fail. Every change made to the document is in
// test/support/spec-corrections.mjs with its reason; no operation is skipped.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { loadDnsFilterNode, runNode, visibleText } from './support/engine.mjs';
import { makeApiKey } from './support/jwt.mjs';
import { buildParameters, fillPath, loadOperations, pathPattern } from './support/node-params.mjs';
import { errorViolations, loadSpec, responseViolations, startPrism } from './support/prism.mjs';
import { createSampler, hasVariants } from './support/schema-samples.mjs';
import { eachOperation, resolveRef, SPEC_CORRECTIONS } from './support/spec-corrections.mjs';

const apiKey = makeApiKey({ sub: 'contract-user' });
const RAW_SPEC = loadSpec();
const RAW_OPERATIONS = [...eachOperation(RAW_SPEC)];
const RUN_TIMEOUT_MS = 45_000; // engine-level timeout per workflow
const TEST_TIMEOUT_MS = 60_000; // node:test timeout per operation

let prism;
let operations;
let nodeType;
const exercised = new Map(); // operationId → accepted runs
let mutants = 0;
const seen = []; // every output, error and log line of every run, scanned for the key
const fieldsExercised = new Set(); // `${operationId} ${in} ${wireName}` accepted by Prism
const responseProblems = new Set(); // the document's own response examples vs its schemas

before(async () => {
	prism = await startPrism();
	operations = loadOperations();
	nodeType = loadDnsFilterNode();
});
after(async () => {
	await prism?.close();
});

/**
 * Request Options every contract run uses: no retries (a Prism 5xx must not be resent). The node's
 * Request Options have no timeout setting (the transport's own is 120 s), so each exchange is
 * bounded by the recording proxy (upstreamTimeoutMs), each workflow by RUN_TIMEOUT_MS and each
 * test by TEST_TIMEOUT_MS.
 */
function requestOptions() {
	return { requestOptions: { maxRetries: 0, maxWaitSeconds: 0 } };
}

/** Builds the wire values the node should send for one operation of the corrected document. */
export function planRequest(
	spec,
	{ path: template, method, op },
	row,
	variant,
	{ optional = 'some' } = {},
) {
	const sampler = createSampler(spec, { seed: op.operationId, variant, optional });
	const pathValues = {};
	const query = {};
	for (const param of op.parameters ?? []) {
		const schema = param.schema ?? {};
		if (param.in === 'path') pathValues[param.name] = sampler.sample(schema, param.name);
		if (param.in !== 'query') continue;
		if (param.name === 'page' && row.pagination) continue; // Return All / Limit own page[...]
		// Required as the document says (a correction may have hidden `required` from Prism only).
		const required = param.required || param['x-contract-rails-array']?.required;
		if (
			required ||
			optional === 'all' ||
			(optional === 'some' && sampler.choose(`query.${param.name}`))
		)
			query[param.name] = sampler.sample(schema, param.name);
	}
	let body;
	const media = op.requestBody?.content?.['application/json'];
	if (media?.schema) {
		body = sampler.sample(media.schema, 'body');
		// A body with nothing in it tests nothing: make sure at least one property goes.
		const schema = resolveRef(spec, media.schema);
		const rootKey = row.body?.rootKey;
		const holderSchema = rootKey ? resolveRef(spec, schema.properties?.[rootKey] ?? {}) : schema;
		const holder = rootKey ? (body[rootKey] ??= {}) : body;
		if (
			holder &&
			typeof holder === 'object' &&
			!Array.isArray(holder) &&
			Object.keys(holder).length === 0
		) {
			const first = Object.keys(holderSchema.properties ?? {})[0];
			if (first) holder[first] = sampler.sample(holderSchema.properties[first], first);
		}
	}
	return {
		method: method.toUpperCase(),
		template,
		path: fillPath(template, pathValues),
		pathValues,
		query,
		body,
	};
}

/** Everything wrong with one recorded exchange against the plan; empty when the request is right. */
export function problemsWith(plan, exchange, declaredQuery) {
	const problems = [];
	if (!exchange) return ['no request reached Prism'];
	if (exchange.method !== plan.method)
		problems.push(`method ${exchange.method}, spec says ${plan.method}`);
	if (!pathPattern(plan.template).test(exchange.path))
		problems.push(`path ${exchange.path} does not match ${plan.template}`);
	else if (exchange.path !== plan.path)
		problems.push(`path ${exchange.path}, expected ${plan.path}`);
	for (const violation of errorViolations(exchange)) {
		problems.push(
			`Prism: ${(violation.location ?? []).join('.')} ${violation.code ?? ''} ${violation.message}`.trim(),
		);
	}
	if (exchange.status >= 400 && errorViolations(exchange).length === 0 && exchange.prismProblem) {
		problems.push(`Prism refused with ${exchange.status}: ${exchange.prismProblem.title}`);
	}
	// Every sampled query value is on the wire, in the style the document (corrected) gives it.
	for (const [name, value] of Object.entries(plan.query)) {
		if (
			value &&
			typeof value === 'object' &&
			(!Array.isArray(value) || value.some((v) => v && typeof v === 'object'))
		) {
			// Objects (deepObject) and arrays of objects: OpenAPI leaves nested values undefined and
			// Prism checks only the first level, so the test checks the whole encoding itself, in the
			// Rails form the API parses (see railsPairs).
			// Key order of a plain object is free; inside an array of objects order makes the groups.
			const ordered = JSON.stringify(value).includes('[{');
			const canonical = (pairs) =>
				JSON.stringify(
					ordered ? pairs : [...pairs].sort((a, b) => (a.join('=') < b.join('=') ? -1 : 1)),
				);
			const expected = railsPairs(name, value);
			const sent = [...exchange.query.entries()].filter(([key]) => key.startsWith(`${name}[`));
			if (canonical(sent) !== canonical(expected)) {
				problems.push(
					`query ${name}: sent ${JSON.stringify(sent)}, expected Rails pairs ${JSON.stringify(expected)}`,
				);
			}
		} else if (Array.isArray(value)) {
			const sent = exchange.query.getAll(name);
			if (
				JSON.stringify(sent) !==
				JSON.stringify(value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))))
			) {
				problems.push(
					`query ${name}: sent ${JSON.stringify(sent)}, expected ${JSON.stringify(value)}`,
				);
			}
		} else {
			const sent = exchange.query.get(name);
			if (sent !== String(value)) problems.push(`query ${name}: sent ${sent}, expected ${value}`);
		}
	}
	// Nothing undeclared goes in the query string (a misspelt name would otherwise pass Prism).
	for (const key of new Set(exchange.query.keys())) {
		const base = key.replace(/\[.*$/, '');
		if (!declaredQuery.has(base)) problems.push(`undeclared query parameter ${key}`);
	}
	if (exchange.headers.authorization !== apiKey)
		problems.push('Authorization is not the raw API key');
	if (
		exchange.rawBody &&
		!String(exchange.headers['content-type'] ?? '').startsWith('application/json')
	) {
		problems.push(`a body sent as ${exchange.headers['content-type']}, not application/json`);
	}
	if (
		plan.body !== undefined &&
		JSON.stringify(sortKeys(exchange.body)) !== JSON.stringify(sortKeys(plan.body))
	) {
		problems.push(`body ${JSON.stringify(exchange.body)}, expected ${JSON.stringify(plan.body)}`);
	}
	return problems;
}

/**
 * The Rails encoding of a nested query value, as [key, value] pairs in order: objects as
 * name[key]=…, arrays as name[]=… (arrays of objects as name[][key]=…, one group per entry).
 * It is the only query encoding whose nested arrays survive Rails' params parser: a repeated
 * name[key]=1&name[key]=2 keeps only the last value.
 */
export function railsPairs(prefix, value, out = []) {
	if (value === undefined || value === null) return out;
	if (Array.isArray(value)) for (const entry of value) railsPairs(`${prefix}[]`, entry, out);
	else if (typeof value === 'object')
		for (const [key, inner] of Object.entries(value)) railsPairs(`${prefix}[${key}]`, inner, out);
	else out.push([prefix, String(value)]);
	return out;
}

function sortKeys(value) {
	if (Array.isArray(value)) return value.map(sortKeys);
	if (value && typeof value === 'object')
		return Object.fromEntries(
			Object.keys(value)
				.sort()
				.map((k) => [k, sortKeys(value[k])]),
		);
	return value;
}

function casesFor(spec) {
	const cases = [];
	for (const entry of eachOperation(spec)) {
		const { op } = entry;
		const inputs = [
			...(op.parameters ?? []).map((p) => p.schema),
			op.requestBody?.content?.['application/json']?.schema,
		];
		const variants = inputs.some((schema) => schema && hasVariants(spec, schema)) ? [0, 1] : [0];
		for (const variant of variants)
			cases.push({
				entry,
				variant,
				name: `${entry.method.toUpperCase()} ${entry.path} (${op.operationId})${variants.length > 1 ? ` variant ${variant}` : ''}`,
			});
	}
	return cases;
}

async function runCase(
	{ entry, variant },
	{ jsonBody = false, beforeRun, optional = 'some' } = {},
) {
	const row = operations.find((r) => r.operationId === entry.op.operationId);
	assert.ok(row, `the node has no operation for ${entry.op.operationId}`);
	assert.equal(row.method, entry.method.toUpperCase(), `table method for ${entry.op.operationId}`);
	assert.equal(row.path, entry.path, `table path for ${entry.op.operationId}`);
	const plan = planRequest(prism.spec, entry, row, variant, { optional });
	const extra = { ...requestOptions() };
	if (row.pagination) Object.assign(extra, { returnAll: false, limit: 3 });
	let { query, body } = plan;
	if (row.method === 'GET' && row.body) {
		// The table keeps GET /v1/ip_addresses/verify's body as body fields; the node sends them as
		// bracketed query parameters (correction get-request-body-is-sent-as-query).
		const bodyKeys = new Set(
			row.body.rootKey
				? [row.body.rootKey]
				: row.fields.filter((f) => f.in === 'body').map((f) => f.wireName),
		);
		body = Object.fromEntries(Object.entries(query).filter(([k]) => bodyKeys.has(k)));
		query = Object.fromEntries(Object.entries(query).filter(([k]) => !bodyKeys.has(k)));
	}
	const parameters = buildParameters(row, { path: plan.pathValues, query, body, jsonBody, extra });
	const tag = `${entry.op.operationId}~${variant}${jsonBody ? '~json' : ''}${optional === 'all' ? '~all' : ''}${beforeRun ? `~mutant${++mutants}` : ''}`;
	beforeRun?.(row);
	const result = await runNode({
		nodeType,
		parameters,
		credentials: { apiKey, baseUrl: prism.taggedUrl(tag) },
		timeoutMs: RUN_TIMEOUT_MS,
	});
	const exchanges = prism.exchangesFor(tag);
	seen.push(...visibleText(result));
	const declared = new Set(
		(entry.op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
	);
	const problems = problemsWith(plan, exchanges[0], declared);
	for (const later of exchanges.slice(1)) {
		problems.push(
			...errorViolations(later).map(
				(v) => `later request ${later.method} ${later.path}: ${v.message}`,
			),
		);
	}
	const context = `\nparameters: ${JSON.stringify(parameters)}\nwire: ${exchanges
		.map((e) => `${e.method} ${e.path}${e.search} ${e.rawBody} → ${e.status}`)
		.join(
			' | ',
		)}\nnode error: ${result.error?.message ?? 'none'} ${result.error?.description ?? ''}`;
	if (row.pagination && exchanges[0]) {
		// Limit 3 → the first page asks for exactly 3, in the deepObject form Prism has just checked.
		if (exchanges[0].query.get('page[number]') !== '1')
			problems.push(`page[number] ${exchanges[0].query.get('page[number]')}, expected 1`);
		if (exchanges[0].query.get('page[size]') !== '3')
			problems.push(`page[size] ${exchanges[0].query.get('page[size]')}, expected 3`);
	}
	assert.deepEqual(
		problems,
		[],
		`${entry.op.operationId} was not sent as the document says:${context}`,
	);
	// Prism accepted it and answered from the document; the node must turn that into items.
	assert.equal(result.error, undefined, `the node failed on Prism's valid answer:${context}`);
	if (row.output !== 'list')
		assert.equal(
			result.items.length,
			1,
			`one output item for a ${row.output} operation:${context}`,
		);
	assert.ok(
		result.items.every(
			(item) => item.json && typeof item.json === 'object' && item.pairedItem?.item === 0,
		),
		`output items must be objects paired to item 0:${context}`,
	);
	exercised.set(entry.op.operationId, (exercised.get(entry.op.operationId) ?? 0) + 1);
	for (const field of row.fields) {
		const inBody = field.in === 'body' && !jsonBody && row.body?.kind === 'object';
		const holder = row.body?.rootKey ? body?.[row.body.rootKey] : body;
		const sent =
			field.in === 'path' ||
			(field.in === 'query' && field.wireName in query) ||
			(inBody && holder && typeof holder === 'object' && field.wireName in holder);
		if (sent) fieldsExercised.add(`${row.operationId} ${field.in} ${field.wireName}`);
	}
	for (const exchange of exchanges) {
		for (const v of responseViolations(exchange))
			responseProblems.add(`${entry.op.operationId}: ${v.message}`);
	}
	return { exchanges, result };
}

describe('every operation is a request Prism accepts', { concurrency: 6 }, () => {
	for (const testCase of casesFor(RAW_SPEC)) {
		test(testCase.name, { timeout: TEST_TIMEOUT_MS }, async () => {
			// Cases are listed from the raw document; run them against the corrected one.
			const entry = [...eachOperation(prism.spec)].find(
				(e) => e.op.operationId === testCase.entry.op.operationId,
			);
			await runCase({ entry, variant: testCase.variant });
		});
	}
});

describe('bodies entered as JSON are accepted too', { concurrency: 6 }, () => {
	for (const testCase of casesFor(RAW_SPEC).filter(
		(c) => c.variant === 0 && c.entry.op.requestBody,
	)) {
		test(`${testCase.name} with JSON Body`, { timeout: TEST_TIMEOUT_MS }, async () => {
			const entry = [...eachOperation(prism.spec)].find(
				(e) => e.op.operationId === testCase.entry.op.operationId,
			);
			await runCase({ entry, variant: 0 }, { jsonBody: true });
		});
	}
});

describe(
	'every optional parameter and body field at once is accepted too',
	{ concurrency: 6 },
	() => {
		for (const testCase of casesFor(RAW_SPEC).filter((c) => c.variant === 0)) {
			test(`${testCase.name} with all optional fields`, { timeout: TEST_TIMEOUT_MS }, async () => {
				const entry = [...eachOperation(prism.spec)].find(
					(e) => e.op.operationId === testCase.entry.op.operationId,
				);
				await runCase({ entry, variant: 0 }, { optional: 'all' });
			});
		}
	},
);

describe('multi-value parameters', () => {
	test(
		'an integer array query parameter with two values goes as repeated keys Prism accepts',
		{ timeout: TEST_TIMEOUT_MS },
		async () => {
			const entry = [...eachOperation(prism.spec)].find(
				(e) =>
					e.method === 'get' &&
					(e.op.parameters ?? []).some(
						(p) =>
							p.in === 'query' &&
							resolveRef(prism.spec, p.schema ?? {}).type === 'array' &&
							resolveRef(prism.spec, p.schema.items ?? {}).type === 'integer',
					),
			);
			const param = entry.op.parameters.find(
				(p) =>
					p.in === 'query' &&
					resolveRef(prism.spec, p.schema ?? {}).type === 'array' &&
					resolveRef(prism.spec, p.schema.items ?? {}).type === 'integer',
			);
			const row = operations.find((r) => r.operationId === entry.op.operationId);
			const plan = planRequest(prism.spec, entry, row, 0);
			plan.query = {
				...Object.fromEntries(
					Object.entries(plan.query).filter(
						([k]) => entry.op.parameters.find((p) => p.name === k)?.required,
					),
				),
				[param.name]: [11, 12],
			};
			const parameters = buildParameters(row, {
				path: plan.pathValues,
				query: plan.query,
				extra: { ...requestOptions(), ...(row.pagination ? { returnAll: false, limit: 3 } : {}) },
			});
			const tag = 'multi-integer-array';
			const result = await runNode({
				nodeType,
				parameters,
				credentials: { apiKey, baseUrl: prism.taggedUrl(tag) },
				timeoutMs: RUN_TIMEOUT_MS,
			});
			const [exchange] = prism.exchangesFor(tag);
			const declared = new Set(
				entry.op.parameters.filter((p) => p.in === 'query').map((p) => p.name),
			);
			assert.deepEqual(
				problemsWith(plan, exchange, declared),
				[],
				`${entry.op.operationId} ${exchange?.search}`,
			);
			assert.deepEqual(exchange.query.getAll(param.name), ['11', '12']);
			assert.equal(result.error, undefined);
		},
	);

	test(
		'an integer list inside an object filter keeps both values (collection_id[value][]=…)',
		{ timeout: TEST_TIMEOUT_MS },
		async () => {
			const entry = [...eachOperation(prism.spec)].find(
				(e) => e.op.operationId === 'V1_Agent_Local_Users-index',
			);
			const row = operations.find((r) => r.operationId === entry.op.operationId);
			const plan = planRequest(prism.spec, entry, row, 0, { optional: 'none' });
			plan.query = { collection_id: { operator: 'is', value: [11, 12] } };
			const parameters = buildParameters(row, {
				query: plan.query,
				extra: { ...requestOptions(), returnAll: false, limit: 3 },
			});
			const tag = 'multi-object-array';
			const result = await runNode({
				nodeType,
				parameters,
				credentials: { apiKey, baseUrl: prism.taggedUrl(tag) },
				timeoutMs: RUN_TIMEOUT_MS,
			});
			const [exchange] = prism.exchangesFor(tag);
			const declared = new Set(
				entry.op.parameters.filter((p) => p.in === 'query').map((p) => p.name),
			);
			assert.deepEqual(
				problemsWith(plan, exchange, declared),
				[],
				decodeURIComponent(exchange?.search ?? ''),
			);
			assert.deepEqual(exchange.query.getAll('collection_id[value][]'), ['11', '12']);
			assert.equal(result.error, undefined);
		},
	);

	test(
		'two notes of the batch update go as an ordered Rails array of hashes',
		{ timeout: TEST_TIMEOUT_MS },
		async () => {
			const entry = [...eachOperation(prism.spec)].find(
				(e) => e.op.operationId === 'V1_Domain_Notes-batch_update',
			);
			const row = operations.find((r) => r.operationId === entry.op.operationId);
			const plan = planRequest(prism.spec, entry, row, 0);
			plan.query = {
				notes: [
					{ domain: 'a.example', note: 'first' },
					{ domain: 'b.example', note: 'second' },
				],
			};
			const parameters = buildParameters(row, {
				path: plan.pathValues,
				query: plan.query,
				extra: requestOptions(),
			});
			const tag = 'multi-notes';
			const result = await runNode({
				nodeType,
				parameters,
				credentials: { apiKey, baseUrl: prism.taggedUrl(tag) },
				timeoutMs: RUN_TIMEOUT_MS,
			});
			const [exchange] = prism.exchangesFor(tag);
			const declared = new Set(
				entry.op.parameters.filter((p) => p.in === 'query').map((p) => p.name),
			);
			assert.deepEqual(problemsWith(plan, exchange, declared), [], exchange?.search);
			assert.equal(
				decodeURIComponent(exchange.search),
				'?notes[][domain]=a.example&notes[][note]=first&notes[][domain]=b.example&notes[][note]=second',
			);
			assert.equal(result.error, undefined);
		},
	);
});

describe('coverage', () => {
	test('both arms of oneOf [integer, "self"] were sent for Get User', () => {
		const paths = prism.exchanges
			.filter((e) => e.tag?.startsWith('V1_Users-show~'))
			.map((e) => e.path);
		assert.ok(paths.includes('/v1/users/self'), JSON.stringify(paths));
		assert.ok(
			paths.some((p) => /^\/v1\/users\/\d+$/.test(p)),
			JSON.stringify(paths),
		);
	});

	test('the document has 280 operations with unique operationIds, and the node has them all', () => {
		assert.equal(RAW_OPERATIONS.length, 280);
		const ids = RAW_OPERATIONS.map((e) => e.op.operationId);
		assert.equal(new Set(ids).size, 280);
		const table = new Set(operations.map((r) => r.operationId));
		assert.deepEqual(
			ids.filter((id) => !table.has(id)),
			[],
			'operations missing from the node',
		);
	});

	test('280/280 operations were exercised and accepted by Prism', () => {
		const missing = RAW_OPERATIONS.map((e) => e.op.operationId).filter((id) => !exercised.has(id));
		assert.deepEqual(missing, [], `${280 - missing.length}/280 operations accepted`);
		assert.equal(exercised.size, 280);
	});

	test("report: where Prism's answers (built from the document's examples) break the document", (t) => {
		// Not a request problem, so not a failure: listed so the document's mistakes are visible.
		t.diagnostic(`${responseProblems.size} response-side mismatches in the document`);
		for (const line of [...responseProblems].sort()) t.diagnostic(line);
	});

	test('every field of every operation went over the wire in an accepted request', () => {
		const all = operations.flatMap((row) =>
			row.fields.map((field) => `${row.operationId} ${field.in} ${field.wireName}`),
		);
		const missing = all.filter((key) => !fieldsExercised.has(key));
		assert.deepEqual(missing, [], `${all.length - missing.length}/${all.length} fields exercised`);
	});

	test('the API key appears in no output, error or log line of any run', () => {
		assert.ok(seen.length > 280);
		const haystack = seen.join('\n');
		assert.equal(haystack.includes(apiKey), false, 'the API key leaked');
		assert.equal(haystack.includes(apiKey.split('.')[2]), false, 'the key signature leaked');
	});

	test('every correction names the operations it touched, with a reason', () => {
		for (const correction of prism.corrections) {
			assert.ok(correction.reason.length > 40, `${correction.id} needs a reason`);
			assert.ok(correction.touched.length > 0, `${correction.id} touched nothing: remove it`);
		}
		assert.equal(prism.corrections.length, SPEC_CORRECTIONS.length);
	});
});

describe('the check can fail', () => {
	const find = (operationId) =>
		[...eachOperation(prism.spec)].find((e) => e.op.operationId === operationId);

	async function raw(tag, method, path, { body, headers = {} } = {}) {
		const response = await fetch(`${prism.taggedUrl(tag)}${path}`, {
			method,
			headers: {
				authorization: apiKey,
				...(body !== undefined ? { 'content-type': 'application/json' } : {}),
				...headers,
			},
			body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
			signal: AbortSignal.timeout(20_000),
		});
		await response.arrayBuffer();
		return prism.exchangesFor(tag)[0];
	}

	function planFor(operationId) {
		const entry = find(operationId);
		const row = operations.find((r) => r.operationId === operationId);
		const declared = new Set(
			(entry.op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
		);
		return { plan: planRequest(prism.spec, entry, row, 0), declared };
	}

	test('the node sending a wrong type (text for an integer body field) is rejected by Prism', async () => {
		// The node checks its own typed fields, so the wrong type goes through the JSON Body, which
		// it passes on as entered.
		const row = operations.find((r) => r.operationId === 'V1_Networks-create');
		const { plan } = planFor('V1_Networks-create');
		const body = { network: { ...plan.body.network, organization_id: 'not-a-number' } };
		const parameters = buildParameters(row, { body, jsonBody: true, extra: requestOptions() });
		const tag = 'negative-wrong-type';
		const { error } = await runNode({
			nodeType,
			parameters,
			credentials: { apiKey, baseUrl: prism.taggedUrl(tag) },
			timeoutMs: RUN_TIMEOUT_MS,
		});
		const [exchange] = prism.exchangesFor(tag);
		assert.ok(exchange, 'the request reached Prism');
		assert.ok(
			errorViolations(exchange).some((v) => /organization_id must be integer/.test(v.message)),
			JSON.stringify(exchange.violations),
		);
		assert.ok(exchange.status === 422 || exchange.status === 400, `status ${exchange.status}`);
		assert.ok(error, 'the node must surface the refusal as an error');
		assert.match(error.message, /HTTP (422|400)/);
	});

	// Mutation checks: corrupt one row of the node's own operation table in memory (the node and
	// these tests share the module), run the ordinary contract case, and expect it to fail.
	async function withCorruptedRow(operationId, corrupt) {
		const row = operations.find((r) => r.operationId === operationId);
		const saved = structuredClone(row);
		try {
			const entry = find(operationId);
			// Parameters are built from the true row; only then is the node's view corrupted.
			await assert.rejects(runCase({ entry, variant: 0 }, { beforeRun: corrupt }), (error) => {
				assert.match(error.message, /was not sent as the document says/);
				return true;
			});
		} finally {
			for (const key of Object.keys(row)) delete row[key];
			Object.assign(row, saved);
		}
	}

	test('a node that forgets the root key fails the contract case', async () => {
		await withCorruptedRow('V1_Networks-update', (row) => {
			delete row.body.rootKey;
		});
	});

	test('a node that uses the wrong method fails the contract case', async () => {
		await withCorruptedRow('V1_Networks-update', (row) => {
			row.method = 'PUT';
		});
	});

	test('a node that misspells a query parameter fails the contract case', async () => {
		// GET /v1/agent_local_user_bulk_deletes/counts requires the query parameter `id`.
		await withCorruptedRow('V1_Agent_Local_User_Bulk_Deletes-counts', (row) => {
			row.fields.find((f) => f.in === 'query' && f.wireName === 'id').wireName = 'ids';
		});
	});

	test('a node that sends an integer as text fails the contract case', async () => {
		await withCorruptedRow('V1_Networks-update', (row) => {
			const field = row.fields.find((f) => f.wireName === 'organization_id');
			field.type = 'string'; // 7 would go as "7"
		});
	});

	test('a node that sends a required body field under another name fails the contract case', async () => {
		await withCorruptedRow('V1_Networks-update', (row) => {
			row.fields.find((f) => f.wireName === 'name').wireName = 'title';
		});
	});

	test('a wrong method is reported', async () => {
		const { plan, declared } = planFor('V1_Networks-show');
		const exchange = await raw('negative-method', 'PUT', plan.path);
		const problems = problemsWith(plan, exchange, declared);
		assert.ok(
			problems.some((p) => /method PUT/.test(p)),
			problems.join('\n'),
		);
		assert.ok(
			problems.some((p) => /^Prism/.test(p)),
			`Prism itself must refuse it too: ${problems.join('\n')}`,
		);
	});

	test('a wrong path is reported', async () => {
		const { plan, declared } = planFor('V1_Networks-show');
		const exchange = await raw('negative-path', 'GET', '/v1/network/7');
		const problems = problemsWith(plan, exchange, declared);
		assert.ok(
			problems.some((p) => /does not match/.test(p)),
			problems.join('\n'),
		);
		assert.ok(
			problems.some((p) => /^Prism/.test(p)),
			problems.join('\n'),
		);
	});

	test('a missing required query parameter is reported', async () => {
		const entry = [...eachOperation(prism.spec)].find(
			(e) =>
				e.method === 'get' &&
				(e.op.parameters ?? []).some(
					(p) =>
						p.in === 'query' &&
						p.required &&
						resolveRef(prism.spec, p.schema ?? {}).type === 'string',
				),
		);
		assert.ok(entry, 'the document has a GET with a required string query parameter');
		const row = operations.find((r) => r.operationId === entry.op.operationId);
		const { path } = planRequest(prism.spec, entry, row, 0);
		const exchange = await raw('negative-missing', 'GET', path);
		assert.ok(
			errorViolations(exchange).some((v) => v.code === 'required' || /required/.test(v.message)),
			JSON.stringify(exchange.violations),
		);
	});

	test('a body without its root key is reported', async () => {
		const { plan, declared } = planFor('V1_Networks-create');
		const exchange = await raw('negative-root-key', 'POST', plan.path, { body: plan.body.network });
		const problems = problemsWith(plan, exchange, declared);
		assert.ok(
			problems.some((p) => /required property 'network'/.test(p)),
			problems.join('\n'),
		);
		assert.ok(
			problems.some((p) => /additional properties/.test(p)),
			problems.join('\n'),
		);
	});

	test('page[number] that is not an integer is reported (deepObject correction in effect)', async () => {
		const exchange = await raw(
			'negative-page',
			'GET',
			'/v1/networks?page[number]=first&page[size]=2',
		);
		assert.ok(
			errorViolations(exchange).some((v) => /page\.number must be integer/.test(v.message)),
			JSON.stringify(exchange.violations),
		);
	});

	test('a malformed JSON body, on which Prism hangs, fails within the timeout instead of hanging the run', async () => {
		const started = Date.now();
		const exchange = await raw('negative-malformed', 'POST', '/v1/networks', {
			body: '{"network":',
		});
		assert.ok(errorViolations(exchange).length > 0);
		assert.ok(Date.now() - started < 20_000);
	});
});
