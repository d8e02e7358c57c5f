// Stand-ins that misbehave on purpose: redirects elsewhere, bodies that trickle,
// explode when decompressed, or never end, and the helpers the hostile tests share to run the
// real DnsFilter node through the engine. Every server keeps its own log of requests
// (`server.requests`), so a test can show that a server was never reached.
import { once } from 'node:events';
import { after, before, beforeEach } from 'node:test';
import zlib from 'node:zlib';

import { loadDnsFilterNode, runNode, visibleText } from './engine.mjs';
import { buildParameters, loadOperations, operationById } from './node-params.mjs';
import { startStandIn } from './standin-server.mjs';

export { startStandIn };

/**
 * One stand-in for a whole test file: started before its tests, closed after them, its request
 * log emptied before each test so that "never reached" reads that test's requests only.
 */
export function standInForFile(onStart) {
	let server;
	before(async () => {
		server = await startStandIn();
		onStart(server);
	});
	after(async () => {
		await server.close();
	});
	beforeEach(() => {
		server.requests.length = 0;
	});
}

/** Runs the real DnsFilter node's operation `operationId` (looked up, not hard-coded) once. */
export async function runOperation(
	operationId,
	{
		path = {},
		query = {},
		extra = {},
		credentials,
		continueOnFail,
		items,
		timeoutMs = 60_000,
		cancelAfterMs,
	} = {},
) {
	const row = operationById(loadOperations(), operationId);
	const parameters = buildParameters(row, { path, query, extra });
	const result = await runNode({
		nodeType: loadDnsFilterNode(),
		parameters,
		credentials,
		continueOnFail,
		items,
		timeoutMs,
		cancelAfterMs,
	});
	return { ...result, seen: visibleText(result).join('\n') };
}

/** Writes a response head, then the body one byte per `intervalMs`, until `res` closes. Records when it closed. */
export function trickleBody(
	record,
	{ intervalMs = 1000, body = '{"data":{"id":1,"name":"slow"}}', headers = {} } = {},
) {
	return async (req, res) => {
		res.writeHead(200, {
			'content-type': 'application/json',
			'content-length': String(body.length),
			...headers,
		});
		res.flushHeaders();
		for (let index = 0; index < body.length; index++) {
			if (res.destroyed || res.writableEnded) break;
			res.write(body[index]);
			await new Promise((resolve) => setTimeout(resolve, intervalMs));
			if (res.destroyed) break;
		}
		if (!res.destroyed) res.end();
		record.closedAt = Date.now();
	};
}

/** Writes the status line and headers one byte per `intervalMs` straight to the socket. */
export function trickleHeaders(record, { intervalMs = 500 } = {}) {
	return async (req) => {
		const socket = req.socket;
		const head =
			'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Padding: ' +
			'x'.repeat(200) +
			'\r\nContent-Length: 2\r\n\r\n{}';
		for (const char of head) {
			if (socket.destroyed) break;
			socket.write(char);
			await new Promise((resolve) => setTimeout(resolve, intervalMs));
		}
		record.closedAt = Date.now();
		if (!socket.destroyed) socket.end();
	};
}

let bombCache;
/** `megabytes` MB of zeros, gzip-compressed (about 1,000:1), built in chunks so the test never holds the whole. */
export async function gzipBomb(megabytes = 300) {
	if (bombCache?.megabytes === megabytes) return bombCache.compressed;
	const gzip = zlib.createGzip({ level: 9 });
	const parts = [];
	gzip.on('data', (chunk) => parts.push(chunk));
	const zeros = Buffer.alloc(1024 * 1024, 0x20);
	for (let index = 0; index < megabytes; index++) {
		if (!gzip.write(zeros)) await once(gzip, 'drain');
	}
	gzip.end();
	await once(gzip, 'end');
	const compressed = Buffer.concat(parts);
	bombCache = { megabytes, compressed };
	return compressed;
}

/**
 * Streams `megabytes` MB (a JSON string padded with spaces) respecting backpressure, and records
 * how many bytes went out before the client hung up (`record.sentBytes`, `record.finished`).
 */
export function endlessBody(record, { megabytes = 200 } = {}) {
	return async (req, res) => {
		res.writeHead(200, { 'content-type': 'application/json' });
		const chunk = Buffer.alloc(64 * 1024, 0x20);
		record.sentBytes = 0;
		record.finished = false;
		const closed = once(res, 'close');
		res.write('{"data":"');
		const total = megabytes * 16;
		for (let index = 0; index < total; index++) {
			if (res.destroyed) break;
			const ok = res.write(chunk);
			record.sentBytes += chunk.length;
			if (!ok) {
				await Promise.race([once(res, 'drain'), closed]);
			}
		}
		if (!res.destroyed) {
			res.end('"}');
			record.finished = true;
		}
	};
}

/** Every run of 16 or more characters of `secret` that appears in `text` (the key-fragment check). */
export function leakedFragments(text, secret, length = 16) {
	const found = [];
	for (let start = 0; start + length <= secret.length; start++) {
		const fragment = secret.slice(start, start + length);
		if (text.includes(fragment)) found.push(fragment);
	}
	return found;
}
