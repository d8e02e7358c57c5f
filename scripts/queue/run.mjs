#!/usr/bin/env node
// `npm run test:queue`: build, install (or reuse) Node 24 + n8n 2.41.1 in the e2e cache, install
// Debian's redis-server and postgresql when missing, then run test/queue/*.test.mjs. The tests start
// and stop their own Redis, Postgres, n8n main and workers on 127.0.0.1.
import { ensureN8n } from '../e2e/install-n8n.mjs';
import { runTier } from '../tier-runner.mjs';
import { ensureServicePackages } from './services.mjs';

await runTier({
	tier: 'test:queue',
	folder: 'queue',
	setupLabel: 'n8n, redis-server, postgresql',
	setup: async () => {
		await ensureN8n();
		ensureServicePackages();
	},
	timeoutMs: Number(process.env.DNSFILTER_QUEUE_TEST_TIMEOUT_MS || 25 * 60_000),
});
