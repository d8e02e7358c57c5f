#!/usr/bin/env node
// `npm run test:browser`: build, install (or reuse) Node 24 + n8n in the end-to-end cache, make
// sure Debian's Chromium is there, then run test/browser/*.test.mjs with node's test runner.
// Arguments are passed on as test files.
import { ensureN8n } from '../e2e/install-n8n.mjs';
import { runTier } from '../tier-runner.mjs';
import { ensureChromium } from './chromium.mjs';

await runTier({
	tier: 'test:browser',
	folder: 'browser',
	setupLabel: 'n8n and chromium',
	setup: async (log) => {
		await ensureN8n();
		log(`using ${ensureChromium()}`);
	},
	timeoutMs: Number(process.env.DNSFILTER_BROWSER_TEST_TIMEOUT_MS || 12 * 60_000),
});
