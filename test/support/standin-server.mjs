// A local stand-in for the DNSFilter API: real HTTP on 127.0.0.1, a handler per test, and a
// record of every request so tests can assert exactly what went over the wire.
import http from 'node:http';

export function json(res, status, body, headers = {}) {
	const text = body === undefined ? '' : JSON.stringify(body);
	res.writeHead(status, { 'content-type': 'application/json', ...headers });
	res.end(text);
}

export function text(res, status, body, contentType = 'text/plain', headers = {}) {
	res.writeHead(status, { 'content-type': contentType, ...headers });
	res.end(body);
}

/**
 * `handler(req, res, record)` answers one request; `record` has method, path, query (a
 * URLSearchParams), headers and the parsed body. Unhandled requests get a V1-style 404.
 */
export async function startStandIn(handler) {
	const requests = [];
	let current = handler;
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (chunk) => chunks.push(chunk));
		req.on('end', async () => {
			const url = new URL(req.url, 'http://127.0.0.1');
			const raw = Buffer.concat(chunks).toString('utf8');
			let body;
			try {
				body = raw ? JSON.parse(raw) : undefined;
			} catch {
				body = raw;
			}
			const record = {
				method: req.method,
				path: url.pathname,
				query: url.searchParams,
				search: url.search,
				headers: req.headers,
				body,
				rawBody: raw,
				at: Date.now(),
			};
			requests.push(record);
			try {
				const handled = await current?.(req, res, record);
				if (handled === false || !res.headersSent) {
					if (!res.headersSent)
						json(res, 404, { error: `No route for ${req.method} ${url.pathname}` });
				}
			} catch (error) {
				if (!res.headersSent) json(res, 500, { error: String(error?.message ?? error) });
			}
		});
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address();
	return {
		url: `http://127.0.0.1:${port}`,
		requests,
		setHandler(next) {
			current = next;
		},
		async close() {
			server.closeAllConnections?.();
			await new Promise((resolve) => server.close(resolve));
		},
	};
}
