// A server that echoes the key or a secret in any answer, answers that arrive but cannot be read,
// error bodies that are huge, empty-looking or nested past the stack, and a Base URL or query that
// would send the key or the request somewhere else: through the real engine, over HTTP.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';

import { loadBuilt, loadDnsFilterNode, runNode } from './support/engine.mjs';
import { leakedFragments, runOperation, standInForFile } from './support/hostile-servers.mjs';
import { makeApiKey } from './support/jwt.mjs';
import { json, text } from './support/standin-server.mjs';

const require = createRequire(import.meta.url);
const apiKey = makeApiKey({ sub: 'round-two-leaks' });
let api;
standInForFile((server) => {
	api = server;
});

const NO_RETRY = { requestOptions: { maxRetries: 0 } };
const credentials = (extra = {}) => ({ apiKey, baseUrl: api.url, ...extra });
const getNetwork = (extra = NO_RETRY, options = {}) =>
	runOperation('V1_Networks-show', {
		path: { id: 7 },
		extra,
		credentials: credentials(options.credentials),
		continueOnFail: options.continueOnFail,
	});
const custom = (parameters, options = {}) =>
	runNode({
		nodeType: loadDnsFilterNode(),
		parameters: {
			resource: 'customApiCall',
			operation: 'customApiCall',
			requestOptions: { maxRetries: 0 },
			...parameters,
		},
		credentials: credentials(options.credentials),
		continueOnFail: options.continueOnFail,
	});
const visible = (result) =>
	[
		JSON.stringify(result.items),
		result.error
			? `${result.error.message} ${result.error.description} ${JSON.stringify(result.error)}`
			: '',
		...result.logLines,
		JSON.stringify(result.run),
	].join('\n');
const chopped = (secret, size) =>
	Array.from({ length: Math.ceil(secret.length / size) }, (_, i) =>
		secret.slice(i * size, (i + 1) * size),
	);

describe('the key echoed in an answer that succeeded is redacted from the output', () => {
	const echoes = {
		'the Authorization header echoed back': (key) => ({
			data: {
				id: '7',
				type: 'networks',
				attributes: { name: 'hq', request: { headers: { authorization: key } } },
			},
		}),
		'the key as an object key': (key) => ({
			data: { id: '7', attributes: { name: 'hq', seen: { [key]: true } } },
		}),
		'the key in 15-character pieces': (key) => ({
			data: { id: '7', attributes: { name: 'hq', pieces: chopped(key, 15) } },
		}),
		'the key in 12-character pieces in one string': (key) => ({
			data: { id: '7', attributes: { name: 'hq', note: chopped(key, 12).join(' ') } },
		}),
		'the key hidden behind JSON escapes': () => null,
	};
	for (const [name, body] of Object.entries(echoes)) {
		test(`a 200 with ${name}: the key is in no output item, log or run data`, async () => {
			api.setHandler((req, res) => {
				if (name.includes('escapes')) {
					const escaped = [...apiKey]
						.map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
						.join('');
					res.writeHead(200, { 'content-type': 'application/json' });
					return res.end(`{"data":{"id":"7","attributes":{"name":"hq","echo":"${escaped}"}}}`);
				}
				return json(res, 200, body(req.headers.authorization));
			});
			const result = await getNetwork({ ...NO_RETRY, simplify: false });
			assert.equal(result.error, undefined, result.error?.message);
			assert.equal(result.items.length, 1);
			assert.equal(result.items[0].json.attributes?.name, 'hq', 'the rest of the answer is kept');
			const seen = visible(result);
			assert.equal(seen.includes(apiKey), false, 'the whole key');
			assert.deepEqual(leakedFragments(seen, apiKey, 12), [], 'no 12-character piece');
			assert.match(JSON.stringify(result.items), /\[redacted\]/);
		});
	}

	test('Custom API Call and a Return All list are redacted the same way', async () => {
		api.setHandler((req, res) => {
			const page = Number(new URL(req.url, 'http://x').searchParams.get('page[number]') ?? 1);
			return json(res, 200, {
				data:
					page === 1
						? [
								{
									id: '1',
									type: 'networks',
									attributes: { name: 'a', echo: req.headers.authorization },
								},
							]
						: [],
			});
		});
		const listed = await runOperation('V1_Networks-index', {
			extra: { returnAll: true, ...NO_RETRY },
			credentials: credentials(),
		});
		const called = await custom({ requestPath: '/v1/networks/1' });
		for (const result of [listed, called]) {
			assert.equal(result.error, undefined, result.error?.message);
			assert.equal(visible(result).includes(apiKey), false);
		}
	});

	test('an answer without any trace of the key is handed on unchanged', async () => {
		const attributes = {
			name: 'hq',
			text: 'eyJhbGciOiJIUzI1NiJ9 is a header, not our key',
			list: [1, 2, { deep: ['x'] }],
		};
		api.setHandler((req, res) =>
			json(res, 200, { data: { id: '7', type: 'networks', attributes } }),
		);
		const result = await getNetwork({ ...NO_RETRY, simplify: false });
		assert.deepEqual(result.items[0].json.attributes, attributes);
	});
});

describe('the key and known secrets in error answers are redacted', () => {
	test('a 400 with the key as an object key, and an HTML title inside a JSON string', async () => {
		for (const body of [
			(key) => json(api.res, 400, { [key]: 'bad', error: { [key]: 'nested' } }),
			(key) =>
				json(api.res, 400, { error: `<html><head><title>Denied ${key}</title></head></html>` }),
			(key) =>
				text(
					api.res,
					400,
					`<html><head><title>Denied ${key} now</title></head><body>x</body></html>`,
					'text/html',
				),
			(key) =>
				text(api.res, 200, `<html><head><title>Portal ${key}</title></head></html>`, 'text/html'),
			(key) => json(api.res, 422, chopped(key, 15)),
		]) {
			api.setHandler((req, res) => {
				api.res = res;
				body(req.headers.authorization);
			});
			for (const continueOnFail of [false, true]) {
				const result = await getNetwork(NO_RETRY, { continueOnFail });
				const seen = visible(result);
				assert.ok(continueOnFail ? result.items[0]?.json.error : result.error, 'the run fails');
				assert.equal(seen.includes(apiKey), false, `the whole key: ${body}`);
				assert.deepEqual(leakedFragments(seen, apiKey, 12), [], `12-character pieces: ${body}`);
			}
		}
	});

	test('a secret_key sent and echoed in a 422, or found in the error body, is hidden from the error', async () => {
		const secret = 'c0ffee5ecretkey0123456789abcdef';
		for (const answer of [
			() => [`Secret key ${secret} is already taken`],
			() => ({ error: `secret ${secret} rejected`, type: 'validation' }),
			() => ({
				error: { message: 'Invalid network', type: 'validation' },
				network: { secret_key: secret },
			}),
			() => ({ error: `${'x'.repeat(590)} ${secret}` }),
		]) {
			api.setHandler((req, res) => json(res, 422, answer()));
			const result = await custom({
				requestMethod: 'POST',
				requestPath: '/v1/networks',
				requestBody: JSON.stringify({ network: { name: 'hq', secret_key: secret } }),
			});
			assert.ok(result.error, 'the run fails');
			// The node's own parameters (which hold what was sent) are in the run data by design: the error is what must not repeat it.
			const seen = `${result.error.message} ${result.error.description} ${JSON.stringify({ ...result.error, node: undefined })} ${result.logLines.join('\n')}`;
			assert.equal(seen.includes(secret), false, `the secret shows: ${result.error.message}`);
			assert.equal(seen.includes(secret.slice(0, 16)), false, 'nor its first half');
		}
		// A secret the server finds in the answer's own body (not sent) is recognised by its name.
		api.setHandler((req, res) =>
			json(res, 400, { error: `key ${secret} expired`, network: { secret_key: secret } }),
		);
		const result = await getNetwork();
		assert.equal(visible(result).includes(secret), false);
		assert.match(result.error.message, /key \[secret\] expired/);
	});
});

describe('Custom API Call masks secrets as the generated operations do', () => {
	const network = {
		id: '3',
		type: 'networks',
		attributes: { name: 'hq', secret_key: 'abcdef0123456789abcdef0123456789' },
	};
	const key = {
		id: '9',
		type: 'api_keys',
		attributes: { name: 'ci', token: 'tok_0123456789abcdef0123456789' },
	};
	test('GET of a network and of the API-key list: masked; Include Secrets shows them', async () => {
		api.setHandler((req, res) =>
			req.url.startsWith('/v1/api_keys')
				? json(res, 200, { data: [key] })
				: json(res, 200, { data: network }),
		);
		const one = await custom({ requestPath: '/v1/networks/3' });
		assert.match(one.items[0].json.attributes.secret_key, /^•+6789$/);
		const keys = await custom({ requestPath: '/v1/api_keys' });
		assert.match(keys.items[0].json.attributes.token, /^•+6789$/);
		const shown = await custom({ requestPath: '/v1/networks/3', includeSecrets: true });
		assert.equal(shown.items[0].json.attributes.secret_key, network.attributes.secret_key);
		const paged = await custom({ requestPath: '/v1/api_keys', requestReturnAll: true });
		assert.equal(visible(paged).includes(key.attributes.token), false);
	});

	test('a path the document does not describe masks every known secret name; an operation that returns a secret by purpose keeps it', async () => {
		api.setHandler((req, res) => json(res, 200, { data: network }));
		const unknown = await custom({ requestPath: '/v2/some_new_endpoint/3' });
		assert.match(unknown.items[0].json.attributes.secret_key, /^•+/);
		api.setHandler((req, res) =>
			json(res, 200, { data: { ...key, attributes: { ...key.attributes } } }),
		);
		const created = await custom({
			requestMethod: 'POST',
			requestPath: '/v1/api_keys',
			requestBody: '{"api_key":{"name":"ci"}}',
		});
		assert.equal(created.items[0].json.attributes.token, key.attributes.token);
	});

	test('a query key such as __proto__ or constructor is sent as written', async () => {
		api.setHandler((req, res) => json(res, 200, { data: [] }));
		const result = await custom({
			requestPath: '/v1/networks',
			requestQuery:
				'{"__proto__": "1", "constructor": "x", "ids": [1, 2], "filter": {"__proto__": "y"}}',
		});
		assert.equal(result.error, undefined, result.error?.message);
		const { query } = api.requests[0];
		assert.equal(query.get('__proto__'), '1');
		assert.equal(query.get('constructor'), 'x');
		assert.deepEqual(query.getAll('ids'), ['1', '2']);
		assert.equal(query.get('filter[__proto__]'), 'y');
	});
});

describe('a Base URL that would send the key elsewhere is refused before anything is sent', () => {
	for (const [baseUrl, fragment] of [
		['http://api.dnsfilter.com', /plain http:\/\/ to api\.dnsfilter\.com/],
		['HTTP://api.dnsfilter.com/', /plain http:\/\//],
		['http://10.0.0.5:8080', /plain http:\/\//],
		['https://api.dnsfilter.com?x=1', /must not contain "\?" or "#"/],
		['https://api.dnsfilter.com/#frag', /must not contain "\?" or "#"/],
	]) {
		test(baseUrl, async () => {
			const result = await getNetwork(NO_RETRY, { credentials: { baseUrl } });
			assert.ok(result.error, 'the run fails');
			assert.match(result.error.message, /"Base URL"/);
			assert.match(result.error.message, fragment);
			assert.match(result.error.description, /Nothing was sent/);
		});
	}

	test('the stand-in was never reached by any of them', async () => {
		await getNetwork(NO_RETRY, { credentials: { baseUrl: `${api.url}?x=1` } });
		await getNetwork(NO_RETRY, { credentials: { baseUrl: `${api.url}/#frag` } });
		assert.equal(api.requests.length, 0);
	});

	test('plain http to this machine works; to another machine only with Allow Plain HTTP', async () => {
		api.setHandler((req, res) => json(res, 200, { data: { id: '7', attributes: { name: 'hq' } } }));
		const local = await getNetwork(NO_RETRY, {
			credentials: { baseUrl: api.url.replace('127.0.0.1', 'localhost') },
		});
		assert.equal(local.error, undefined, local.error?.message);
		const { readCredentialSettings } = loadBuilt('nodes/DnsFilter/transport/credentialSettings.js');
		const node = {
			name: 'DNSFilter',
			type: 'x',
			typeVersion: 1,
			parameters: {},
			id: '1',
			position: [0, 0],
		};
		assert.throws(
			() => readCredentialSettings(node, { apiKey, baseUrl: 'http://proxy.internal' }, 0),
			/plain http/,
		);
		assert.equal(
			readCredentialSettings(
				node,
				{ apiKey, baseUrl: 'http://proxy.internal/', allowPlainHttp: true },
				0,
			).baseUrl,
			'http://proxy.internal',
		);
		for (const loopback of [
			'http://127.0.0.2:1',
			'http://[::1]:8080',
			'http://localhost',
			'http://api.localhost:1',
		]) {
			assert.equal(
				readCredentialSettings(node, { apiKey, baseUrl: loopback }, 0).origin,
				new URL(loopback).origin,
			);
		}
	});

	test("the credential's own test refuses the same Base URLs without sending the key", () => {
		const { Workflow } = require('n8n-workflow');
		const { DnsFilterApi } = loadBuilt('credentials/DnsFilterApi.credentials.js');
		const expression = new DnsFilterApi().test.request.baseURL;
		const nodeTypes = {
			getByName: () => ({ description: { properties: [] } }),
			getByNameAndVersion: () => ({ description: { properties: [], inputs: [], outputs: [] } }),
			getKnownTypes: () => ({}),
		};
		const workflow = new Workflow({
			nodes: [{ id: '1', name: 'n', type: 'x', typeVersion: 1, position: [0, 0], parameters: {} }],
			connections: {},
			active: false,
			nodeTypes,
		});
		const resolve = (values) => {
			try {
				return workflow.expression.getParameterValue(expression, null, 0, 0, 'n', [], 'internal', {
					$credentials: values,
				});
			} catch {
				return undefined;
			}
		};
		assert.equal(resolve({ baseUrl: 'https://api.dnsfilter.com/' }), 'https://api.dnsfilter.com');
		assert.equal(resolve({ baseUrl: 'http://127.0.0.1:5678' }), 'http://127.0.0.1:5678');
		assert.equal(
			resolve({ baseUrl: 'http://proxy.internal', allowPlainHttp: true }),
			'http://proxy.internal',
		);
		for (const refused of [
			'http://api.dnsfilter.com',
			'https://api.dnsfilter.com?x=1',
			'https://api.dnsfilter.com#x',
		]) {
			assert.ok(
				!/^https?:\/\/[^/]/.test(String(resolve({ baseUrl: refused }) ?? '')),
				`${refused} gives no address to send to`,
			);
		}
	});
});

describe('answers that arrived but cannot be read say so, and are not sent again', () => {
	test('headers above 16 KB', async () => {
		api.setHandler((req, res) => {
			res.writeHead(200, { 'content-type': 'application/json', 'x-padding': 'a'.repeat(20_000) });
			res.end('{"data":{"id":"7"}}');
		});
		const result = await getNetwork({ requestOptions: { maxRetries: 3 } });
		assert.match(
			result.error.message,
			/answer to GET \/v1\/networks\/7 could not be read: its headers are larger than the 16 KB/,
		);
		assert.doesNotMatch(result.error.message, /Could not reach/);
		assert.match(result.error.description, /not sent again/);
		assert.equal(api.requests.length, 1, 'one request, no retry');
	});

	for (const encoding of ['gzip', 'deflate', 'br']) {
		test(`Content-Encoding: ${encoding} on a plain body`, async () => {
			api.setHandler((req, res) => {
				res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': encoding });
				res.end('{"data":{"id":"7","attributes":{"name":"plain"}}}');
			});
			const result = await getNetwork({ requestOptions: { maxRetries: 3 } });
			assert.ok(result.error, 'the run fails');
			assert.match(
				result.error.message,
				/could not be read: its body is not the (?:"\w+"|compressed) data its Content-Encoding header announces/,
			);
			assert.equal(api.requests.length, 1, 'one request, no retry');
		});
	}
});

describe('error bodies that are huge, deep or empty-looking still give a readable message', () => {
	const cases = {
		'a 150 KB JSON error message': () =>
			JSON.stringify({
				error: `Validation failed: ${'name is too long; '.repeat(8_000)}`,
				type: 'validation',
			}),
		'a 150 KB HTML page inside one comment': () =>
			`<html><!-- ${'x'.repeat(150_000)} --><body>Bad gateway</body></html>`,
		'a 150 KB HTML tag attribute': () =>
			`<div data-x="${'y'.repeat(150_000)}">Bad request: name missing</div>`,
		'150 KB of whitespace before the message': () =>
			`${' '.repeat(150_000)}{"error":"late message"}`,
		'an error of whitespace only': () => JSON.stringify({ error: '     ' }),
		'JSON nested 6,000 levels': () => `${'{"error":'.repeat(6_000)}"deep"${'}'.repeat(6_000)}`,
		'an array nested 20,000 levels': () => `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
	};
	for (const [name, body] of Object.entries(cases)) {
		test(name, async () => {
			api.setHandler((req, res) =>
				text(res, 400, body(), name.includes('HTML') ? 'text/html' : 'application/json'),
			);
			const result = await getNetwork();
			assert.ok(result.error, 'the run fails');
			const message = result.error.message;
			assert.match(message, /\[HTTP 400\]$/);
			const words = message.replace(/\s*\[HTTP 400\]$/, '').trim();
			assert.ok(words.length >= 3, `a readable message, got ${JSON.stringify(message)}`);
			assert.ok(message.length < 800, `short: ${message.length} characters`);
			assert.doesNotMatch(`${message} ${result.error.description}`, /Maximum call stack/);
			assert.match(result.error.description, /GET \/v1\/networks\/7 → HTTP 400/);
		});
	}

	test('a 2xx answer nested past the bound fails with an error naming the request', async () => {
		for (const body of [
			`{"data":${'['.repeat(5_000)}${']'.repeat(5_000)}}`,
			`{"data":{"id":"7","attributes":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}}}`,
		]) {
			api.setHandler((req, res) => text(res, 200, body, 'application/json'));
			const result = await getNetwork();
			assert.match(
				result.error.message,
				/answer to GET \/v1\/networks\/7 nests deeper than \d+ levels/,
			);
			assert.doesNotMatch(result.error.message, /Maximum call stack/);
		}
	});
});
