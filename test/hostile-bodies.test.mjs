// Error bodies cost linear time, 2xx answers that are not the
// expected JSON fail clearly, the API key is redacted from everything, and answers above the
// size bound fail instead of filling memory.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { loadBuilt } from './support/engine.mjs';
import {
	endlessBody,
	gzipBomb,
	leakedFragments,
	runOperation,
	standInForFile,
} from './support/hostile-servers.mjs';
import { makeApiKey } from './support/jwt.mjs';
import { json, text } from './support/standin-server.mjs';

const apiKey = makeApiKey({ sub: 'bodies-user' });
let api;
standInForFile((server) => {
	api = server;
});

const NO_RETRY = { requestOptions: { maxRetries: 0, maxWaitSeconds: 0 } };
const credentials = () => ({ apiKey, baseUrl: api.url });
const getNetwork = (extra = NO_RETRY, more = {}) =>
	runOperation('V1_Networks-show', {
		path: { id: '42' },
		extra,
		credentials: credentials(),
		...more,
	});
const listNetworks = (extra = {}) =>
	runOperation('V1_Networks-index', {
		extra: { ...NO_RETRY, ...extra },
		credentials: credentials(),
	});

const MB = 1024 * 1024;
const hostileBodies = {
	'a megabyte of "<"': '<'.repeat(MB),
	'"<title>" repeated': '<title>'.repeat(Math.ceil(MB / 7)),
	'"<a " repeated, never closed': '<a '.repeat(Math.ceil(MB / 3)),
	'nested JSON "[[[["': '['.repeat(MB),
	'balanced nested JSON': `${'['.repeat(MB / 2)}${']'.repeat(MB / 2)}`,
	'one long line of "a"': 'a'.repeat(MB),
	'whitespace runs': ' \t\n'.repeat(Math.ceil(MB / 3)),
	'"{"error": "<<<…" JSON': JSON.stringify({ error: '<'.repeat(MB) }),
};

describe('hostile error bodies are read in linear time, a bounded prefix', () => {
	test('extractApiError on each 1 MB hostile body: all of them well under a second', () => {
		const { extractApiError } = loadBuilt('nodes/DnsFilter/transport/errors.js');
		const timings = {};
		const started = process.hrtime.bigint();
		for (const [name, body] of Object.entries(hostileBodies)) {
			const one = process.hrtime.bigint();
			const details = extractApiError(body);
			timings[name] = Number(process.hrtime.bigint() - one) / 1e6;
			assert.ok(
				(details?.message ?? '').length <= 700,
				`${name}: message of ${details?.message.length} chars`,
			);
		}
		const totalMs = Number(process.hrtime.bigint() - started) / 1e6;
		console.log(
			`# hostile error body parse times (ms): ${JSON.stringify(timings)}; total ${totalMs.toFixed(1)} ms`,
		);
		// Generous for a busy 2-core machine; the quadratic regex took ~15 minutes for one of these.
		assert.ok(
			totalMs < 1000,
			`parsing ${Object.keys(hostileBodies).length} hostile bodies took ${totalMs} ms`,
		);
	});

	for (const [name, body] of Object.entries(hostileBodies)) {
		test(`through the engine: HTTP 400 with ${name}`, async () => {
			api.setHandler((req, res) => text(res, 400, body, 'text/html'));
			const started = Date.now();
			const result = await getNetwork();
			const elapsed = Date.now() - started;
			assert.ok(result.error, 'the 400 fails the item');
			assert.match(result.error.message, /\[HTTP 400\]/);
			assert.ok(
				result.error.message.length < 800,
				`message of ${result.error.message.length} chars`,
			);
			assert.ok(elapsed < 5000, `the run took ${elapsed} ms`);
		});
	}

	test('an HTML error page still shows its title', async () => {
		api.setHandler((req, res) =>
			text(
				res,
				502,
				`<html><head><title>502 Bad Gateway</title></head><body>${'<p>'.repeat(50_000)}</body></html>`,
				'text/html',
			),
		);
		const result = await getNetwork();
		assert.match(result.error.message, /502 Bad Gateway \[HTTP 502\]/);
	});
});

describe('a 2xx that is not the JSON the operation expects fails, naming what came back', () => {
	test('invalid JSON on a single-record operation', async () => {
		api.setHandler((req, res) =>
			text(res, 200, '{"data": {"id": 42, "name": "trunc', 'application/json'),
		);
		const { error, items } = await getNetwork();
		assert.equal(items.length, 0);
		assert.match(error.message, /answered GET \/v1\/networks\/42 with HTTP 200 but not JSON/);
		assert.match(
			error.description,
			/Content-Type: application\/json; first bytes: \{"data": \{"id": 42, "name": "trunc/,
		);
	});

	test('an HTML page (captive portal) names its title', async () => {
		api.setHandler((req, res) =>
			text(
				res,
				200,
				'<!doctype html><html><head><title>Hotel WiFi Login</title></head><body>Sign in</body></html>',
				'text/html; charset=utf-8',
			),
		);
		const { error } = await getNetwork();
		assert.match(error.message, /but not JSON/);
		assert.match(
			error.description,
			/Content-Type: text\/html; charset=utf-8; HTML page titled "Hotel WiFi Login"/,
		);
	});

	test('an empty 200 on an operation that returns a record', async () => {
		api.setHandler((req, res) => text(res, 200, '', 'application/json'));
		const { error } = await getNetwork();
		assert.match(error.message, /but not the JSON body this operation returns/);
		assert.match(error.description, /empty body/);
	});

	for (const [name, body] of [
		['an object without "data"', { status: 'ok', count: 3 }],
		['"data" holding a string', { data: 'none' }],
		['"data" holding null', { data: null }],
	]) {
		test(`a list operation answered with ${name} fails instead of returning 0 items`, async () => {
			api.setHandler((req, res) => json(res, 200, body));
			const { error, items } = await listNetworks({ returnAll: true });
			assert.equal(items.length, 0);
			assert.match(error.message, /but not a JSON list/);
			assert.match(error.description, /Content-Type: application\/json; first bytes: \{"/);
		});
	}

	for (const [name, answer] of [
		['HTML', (req, res) => text(res, 200, '<html><title>Maintenance</title></html>', 'text/html')],
		['an empty body', (req, res) => text(res, 200, '', 'application/json')],
		['invalid JSON', (req, res) => text(res, 200, '[{"id":1},', 'application/json')],
		['a JSON string', (req, res) => json(res, 200, 'ok')],
	]) {
		test(`a list operation answered with ${name} fails instead of returning 0 items`, async () => {
			api.setHandler(answer);
			const { error, items } = await listNetworks({ returnAll: false, limit: 10 });
			assert.equal(items.length, 0);
			assert.ok(error, 'an error, not an empty list');
			assert.match(error.message, /with HTTP 200 but not/);
		});
	}

	test('an empty 200 without a JSON content type on a record operation is a success (the spec declares such answers)', async () => {
		api.setHandler((req, res) => {
			res.writeHead(200);
			res.end();
		});
		const { error, items } = await getNetwork();
		assert.equal(error, undefined);
		assert.equal(items[0].json.success, true);
	});

	test('a 200 with a UTF-8 BOM before valid JSON is read normally', async () => {
		api.setHandler((req, res) =>
			text(res, 200, '\uFEFF{"data":{"id":42,"name":"bom"}}', 'application/json'),
		);
		const { error, items } = await getNetwork();
		assert.equal(error, undefined);
		assert.equal(items[0].json.name, 'bom');
	});

	test('204 and an empty 200 on a DELETE stay a success', async () => {
		for (const status of [204, 200]) {
			api.setHandler((req, res) => {
				res.writeHead(status);
				res.end();
			});
			const { error, items } = await runOperation('V1_Networks-destroy', {
				path: { id: '42' },
				extra: NO_RETRY,
				credentials: credentials(),
			});
			assert.equal(error, undefined, `HTTP ${status}`);
			assert.equal(items[0].json.success, true);
		}
	});
});

describe('the API key is redacted from every message and output', () => {
	const echoes = {
		'the whole key': apiKey,
		'a 20-character fragment of it': apiKey.slice(40, 60),
		'its signature part': apiKey.split('.')[2],
		'its base64 form': Buffer.from(apiKey).toString('base64'),
		'the key URL-encoded in a sentence': `token=${encodeURIComponent(apiKey)}&x=1`,
	};
	for (const [name, echoed] of Object.entries(echoes)) {
		test(`a 400 echoing ${name}: not in the error, its description, cause or Continue-on-Fail output`, async () => {
			api.setHandler((req, res) =>
				json(res, 400, {
					error: `Invalid token ${echoed} for this request`,
					type: `auth ${echoed}`,
				}),
			);
			for (const continueOnFail of [false, true]) {
				const result = await getNetwork(NO_RETRY, { continueOnFail });
				const shown = continueOnFail ? result.items[0].json.error : result.error.message;
				assert.match(shown, /Invalid token \S*\[redacted\]\S* for this request/);
				assert.equal(result.seen.includes(echoed), false, `${name} appears in what the user sees`);
				assert.deepEqual(leakedFragments(result.seen, apiKey), []);
			}
		});
	}

	test('an HTML error page and a non-JSON 200 echoing the key are redacted too', async () => {
		for (const [status, body] of [
			[403, `<html><title>Denied for ${apiKey}</title></html>`],
			[200, `not json ${apiKey}`],
		]) {
			api.setHandler((req, res) => text(res, status, body, 'text/html'));
			const result = await getNetwork();
			assert.ok(result.error);
			assert.deepEqual(leakedFragments(result.seen, apiKey), [], `HTTP ${status}`);
			assert.match(`${result.error.message} ${result.error.description}`, /\[redacted\]/);
		}
	});
});

describe('answers above the size bound fail, with bounded memory', () => {
	test('a 300 MB gzip bomb (~300 KB on the wire) fails at the default 50 MB bound, quickly', async () => {
		const bomb = await gzipBomb(300);
		assert.ok(bomb.length < 2 * MB, `the bomb is ${bomb.length} bytes compressed`);
		api.setHandler((req, res) => {
			res.writeHead(200, {
				'content-type': 'application/json',
				'content-encoding': 'gzip',
				'content-length': String(bomb.length),
			});
			res.end(bomb);
		});
		global.gc?.();
		const heapBefore = process.memoryUsage().heapUsed;
		let peakRss = process.memoryUsage().rss;
		const sampler = setInterval(() => {
			peakRss = Math.max(peakRss, process.memoryUsage().rss);
		}, 20);
		const started = Date.now();
		const result = await getNetwork();
		const elapsed = Date.now() - started;
		clearInterval(sampler);
		const rssBefore = process.memoryUsage().rss;
		console.log(
			`# gzip bomb: failed after ${elapsed} ms; heap growth ${Math.round((process.memoryUsage().heapUsed - heapBefore) / MB)} MB; peak RSS ${Math.round(peakRss / MB)} MB (now ${Math.round(rssBefore / MB)} MB)`,
		);
		assert.ok(result.error, 'the bomb fails the item');
		assert.match(result.error.message, /larger than 50 MB; reading stopped there/);
		assert.match(result.error.description, /Max Response Size \(MB\)/);
		assert.ok(elapsed < 15_000, `took ${elapsed} ms`);
		// 300 MB decompressed never lives in memory: what is kept is bounded by the 50 MB cap.
		assert.ok(peakRss < 900 * MB, `peak RSS ${Math.round(peakRss / MB)} MB`);
	});

	test('"Max Response Size (MB)" lowers the bound; the server sees the connection closed early', async () => {
		const record = {};
		api.setHandler(endlessBody(record, { megabytes: 200 }));
		const started = Date.now();
		const result = await getNetwork({
			requestOptions: { maxRetries: 0, maxWaitSeconds: 0, maxResponseMb: 2 },
		});
		assert.match(result.error.message, /larger than 2 MB/);
		assert.ok(Date.now() - started < 10_000);
		// Give the server a moment to notice the closed socket.
		for (let wait = 0; wait < 50 && record.finished === undefined; wait++)
			await new Promise((r) => setTimeout(r, 20));
		await new Promise((r) => setTimeout(r, 200));
		assert.equal(record.finished, false, 'the node stopped reading long before the end');
		assert.ok(
			record.sentBytes < 100 * MB,
			`the server sent ${Math.round(record.sentBytes / MB)} MB before the client hung up`,
		);
	});

	test('an answer under the bound is read whole', async () => {
		const name = 'n'.repeat(3 * MB);
		api.setHandler((req, res) => json(res, 200, { data: { id: 42, name } }));
		const result = await getNetwork({ requestOptions: { maxRetries: 0, maxResponseMb: 4 } });
		assert.equal(result.error, undefined);
		assert.equal(result.items[0].json.name.length, 3 * MB);
	});

	test('an absurd Max Response Size is refused before anything is sent', async () => {
		api.setHandler((req, res) => json(res, 200, { data: { id: 42 } }));
		const result = await getNetwork({ requestOptions: { maxResponseMb: 0 } });
		assert.match(
			result.error.message,
			/"Max Response Size \(MB\)" under Request Options must be a number from 1 to 1,024; it is 0/,
		);
		assert.equal(api.requests.length, 0);
	});
});
