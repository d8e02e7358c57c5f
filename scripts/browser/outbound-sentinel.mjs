// A recording HTTP proxy on 127.0.0.1 that forwards nothing. n8n is started with HTTP(S)_PROXY
// pointing here (and NODE_USE_ENV_PROXY=1 so Node's own fetch honours it too): any call n8n tries
// to make to the outside world (community-node catalogue, templates, version checks, telemetry)
// lands in `attempts` and is refused, so a test can assert there were none.
import http from 'node:http';

export async function startOutboundSentinel() {
	const attempts = [];
	const waiters = new Set();
	const record = (attempt) => {
		attempts.push(attempt);
		for (const wake of waiters) wake(attempt);
		waiters.clear();
	};
	const server = http.createServer((req, res) => {
		record(`${req.method} ${req.url}`);
		res.writeHead(403, { 'content-type': 'text/plain' });
		res.end('outbound calls are disabled in this test');
	});
	server.on('connect', (req, socket) => {
		record(`CONNECT ${req.url}`);
		socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const url = `http://127.0.0.1:${server.address().port}`;
	return {
		url,
		attempts,
		/** Environment for a child process whose every non-loopback HTTP(S) call must come here. */
		env: {
			HTTP_PROXY: url,
			HTTPS_PROXY: url,
			http_proxy: url,
			https_proxy: url,
			NO_PROXY: '127.0.0.1,localhost,::1',
			no_proxy: '127.0.0.1,localhost,::1',
			NODE_USE_ENV_PROXY: '1',
		},
		/** Resolves with the first attempt (at once if there was one), or undefined after `timeoutMs`. */
		firstAttempt(timeoutMs) {
			if (attempts.length) return Promise.resolve(attempts[0]);
			return new Promise((resolve) => {
				const timer = setTimeout(() => {
					waiters.delete(wake);
					resolve(undefined);
				}, timeoutMs);
				const wake = (attempt) => {
					clearTimeout(timer);
					resolve(attempt);
				};
				waiters.add(wake);
			});
		},
		async close() {
			server.closeAllConnections?.();
			await new Promise((resolve) => server.close(resolve));
		},
	};
}
