// Runs Stoplight Prism as a strict request validator for the contract tests.
//
// Mode: `prism mock` (static responses) on a corrected copy of the DNSFilter document (see
// spec-corrections.mjs). Prism validates every request — path, method, security, path/query
// parameters with their styles, request body — and refuses a violating one with a 4xx (the
// document's 400/422, or its own 422 problem+json) and an `sl-violations` header; a valid request
// gets a response Prism builds from the document, so no hand-written stand-in has to produce 280
// schema-valid bodies (which `prism proxy` would need).
// Why not `--errors`: with it, Prism also turns *response* violations into 500s, and the
// document's own response examples contradict their schemas in places (e.g. an integer example
// for a string `data.id`), which would fail requests that are perfectly valid. Without it, request
// violations are still refused, and response violations are only reported in the header, where
// `errorViolations` ignores them and `responseViolations` keeps them for the report.
//
// In front of Prism sits a small recording proxy: the node talks to it, it forwards to Prism and
// keeps, for every exchange, exactly what went over the wire (method, path, query, headers,
// body) plus Prism's verdict (status, parsed `sl-violations`, response body). A base URL of the
// form `${url}/__tag/<tag>` tags the exchanges of one engine run, so runs can go in parallel and
// every request is attributed to the operation that sent it. The proxy also bounds every
// upstream call with a timeout: Prism hangs on a malformed JSON body, and a hung exchange must
// fail one test, not the whole run.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { freePort } from './free-port.mjs';
import { correctSpec } from './spec-corrections.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SPEC_PATH = path.resolve(root, '../shared/dnsfilter/openapi.json');
const PRISM_BIN = path.join(root, 'node_modules', '.bin', 'prism');
const TMP = path.join(root, 'test', '.tmp');

export function loadSpec() {
	return JSON.parse(readFileSync(SPEC_PATH, 'utf8'));
}

function parseViolations(header) {
	if (!header) return [];
	try {
		const parsed = JSON.parse(Array.isArray(header) ? header.join('') : header);
		return Array.isArray(parsed) ? parsed : [parsed];
	} catch {
		return [{ severity: 'Error', message: `unparseable sl-violations header: ${header}` }];
	}
}

const isResponseSide = (v) => Array.isArray(v.location) && v.location[0] === 'response';

/** The violations that make a request invalid (Prism's severities: Error, Warning, Info, Hint). */
export function errorViolations(exchange) {
	return (exchange?.violations ?? []).filter(
		(v) => String(v.severity).toLowerCase() === 'error' && !isResponseSide(v),
	);
}

/** Where Prism's own answer broke the document (the document's examples vs its schemas). */
export function responseViolations(exchange) {
	return (exchange?.violations ?? []).filter(isResponseSide);
}

async function waitForPrism(url, child, logs, timeoutMs) {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (child.exitCode !== null)
			throw new Error(`Prism exited with ${child.exitCode}:\n${logs.join('').slice(-4000)}`);
		if (logs.join('').includes('Prism is listening')) {
			// Listening per its own log; one real round trip to be sure.
			const ok = await new Promise((resolve) => {
				const req = http.get(`${url}/__prism_ready_probe`, (res) => {
					res.resume();
					resolve(true);
				});
				req.on('error', () => resolve(false));
				req.setTimeout(2000, () => {
					req.destroy();
					resolve(false);
				});
			});
			if (ok) return;
		}
		await new Promise((resolve) => setTimeout(resolve, 150));
	}
	throw new Error(
		`Prism did not become ready within ${timeoutMs} ms:\n${logs.join('').slice(-4000)}`,
	);
}

/**
 * Starts Prism on the corrected document and the recording proxy in front of it.
 * Returns { url, prismUrl, exchanges, exchangesFor(tag), corrections, spec, close }.
 */
export async function startPrism({
	upstreamTimeoutMs = 10_000,
	readyTimeoutMs = 60_000,
	spec: rawSpec = loadSpec(),
} = {}) {
	mkdirSync(TMP, { recursive: true });
	const { spec, applied } = correctSpec(rawSpec);
	const specFile = path.join(TMP, `openapi.corrected.${process.pid}.${Date.now()}.json`);
	writeFileSync(specFile, JSON.stringify(spec));

	const port = await freePort();
	const prismUrl = `http://127.0.0.1:${port}`;
	const logs = [];
	const child = spawn(
		PRISM_BIN,
		['mock', '--host', '127.0.0.1', '--port', String(port), '--dynamic', 'false', specFile],
		{
			cwd: root,
			detached: true, // own process group, so close() can end Prism and anything it spawned
			stdio: ['ignore', 'pipe', 'pipe'],
		},
	);
	child.stdout.on('data', (chunk) => logs.push(chunk.toString()));
	child.stderr.on('data', (chunk) => logs.push(chunk.toString()));
	const killGroup = () => {
		try {
			if (child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
		} catch {
			/* already gone */
		}
	};
	process.once('exit', killGroup);

	try {
		await waitForPrism(prismUrl, child, logs, readyTimeoutMs);
	} catch (error) {
		killGroup();
		rmSync(specFile, { force: true });
		throw error;
	}

	const exchanges = [];
	const proxy = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (chunk) => chunks.push(chunk));
		req.on('end', () => {
			const url = new URL(req.url, 'http://127.0.0.1');
			let tag;
			let wirePath = url.pathname;
			const tagged = /^\/__tag\/([^/]+)(\/.*)?$/.exec(url.pathname);
			if (tagged) {
				tag = decodeURIComponent(tagged[1]);
				wirePath = tagged[2] ?? '/';
			}
			const rawBody = Buffer.concat(chunks);
			let body;
			try {
				body = rawBody.length ? JSON.parse(rawBody.toString('utf8')) : undefined;
			} catch {
				body = rawBody.toString('utf8');
			}
			const exchange = {
				tag,
				method: req.method,
				path: wirePath,
				query: url.searchParams,
				search: url.search,
				headers: req.headers,
				body,
				rawBody: rawBody.toString('utf8'),
				at: Date.now(),
			};
			exchanges.push(exchange);
			const headers = { ...req.headers, host: `127.0.0.1:${port}` };
			const upstream = http.request(
				{ host: '127.0.0.1', port, method: req.method, path: `${wirePath}${url.search}`, headers },
				(upstreamRes) => {
					const out = [];
					upstreamRes.on('data', (chunk) => out.push(chunk));
					upstreamRes.on('end', () => {
						const responseText = Buffer.concat(out).toString('utf8');
						exchange.status = upstreamRes.statusCode;
						exchange.violations = parseViolations(upstreamRes.headers['sl-violations']);
						try {
							exchange.responseBody = responseText ? JSON.parse(responseText) : undefined;
						} catch {
							exchange.responseBody = responseText;
						}
						// When the document defines no 400/422 response, Prism answers 422 application/problem+json
						// and lists the violations in the body's `validation` instead of the header. Any other
						// problem+json (NO_PATH_MATCHED_ERROR, NO_METHOD_MATCHED_ERROR, 401 security…) is Prism
						// refusing the request too.
						if (
							String(upstreamRes.headers['content-type'] ?? '').includes('application/problem+json')
						) {
							exchange.prismProblem = exchange.responseBody;
							const listed = Array.isArray(exchange.responseBody?.validation)
								? exchange.responseBody.validation
								: [];
							exchange.violations.push(
								...(listed.length
									? listed
									: [
											{
												severity: 'Error',
												code: exchange.responseBody?.type,
												message: `${exchange.responseBody?.title}: ${exchange.responseBody?.detail}`,
											},
										]),
							);
						}
						res.writeHead(upstreamRes.statusCode, upstreamRes.headers);
						res.end(responseText);
					});
				},
			);
			upstream.setTimeout(upstreamTimeoutMs, () => {
				exchange.status = 504;
				exchange.timedOut = true;
				exchange.violations = [
					{
						severity: 'Error',
						message: `Prism did not answer within ${upstreamTimeoutMs} ms (malformed body?)`,
					},
				];
				upstream.destroy();
				if (!res.headersSent) {
					res.writeHead(504, { 'content-type': 'application/json' });
					res.end(JSON.stringify({ error: 'Prism timed out' }));
				}
			});
			upstream.on('error', (error) => {
				if (exchange.status) return;
				exchange.status = 502;
				exchange.violations = [
					{ severity: 'Error', message: `proxy could not reach Prism: ${error.message}` },
				];
				if (!res.headersSent) {
					res.writeHead(502, { 'content-type': 'application/json' });
					res.end(JSON.stringify({ error: 'Prism unreachable' }));
				}
			});
			if (rawBody.length) upstream.write(rawBody);
			upstream.end();
		});
	});
	await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
	const url = `http://127.0.0.1:${proxy.address().port}`;

	return {
		url,
		prismUrl,
		spec,
		specFile,
		corrections: applied,
		exchanges,
		logs,
		/** Base URL whose requests are recorded under `tag`. */
		taggedUrl(tag) {
			return `${url}/__tag/${encodeURIComponent(tag)}`;
		},
		exchangesFor(tag) {
			return exchanges.filter((e) => e.tag === tag);
		},
		async close() {
			proxy.closeAllConnections?.();
			await new Promise((resolve) => proxy.close(resolve));
			if (child.exitCode === null) {
				const exited = new Promise((resolve) => child.once('exit', resolve));
				killGroup();
				const timer = setTimeout(() => {
					try {
						process.kill(-child.pid, 'SIGKILL');
					} catch {
						/* gone */
					}
				}, 3000);
				await exited;
				clearTimeout(timer);
			}
			process.removeListener('exit', killGroup);
			rmSync(specFile, { force: true });
		},
	};
}
