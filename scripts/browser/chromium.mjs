// Debian's Chromium, driven by playwright-core (which downloads no browser of its own).
// `ensureChromium()` installs the `chromium` package with apt when /usr/bin/chromium is missing;
// `launchChromium()` starts it headless with a fresh profile and every background fetch off.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { chromium, selectors } from 'playwright-core';

export const CHROMIUM_PATH = process.env.DNSFILTER_CHROMIUM_PATH || '/usr/bin/chromium';

/** Chrome's own network chatter (updates, sync, field trials, QUIC probes) stays off. */
export const CHROMIUM_FLAGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--disable-dev-shm-usage',
];

function log(message) {
	process.stdout.write(`[chromium] ${new Date().toISOString().slice(11, 19)} ${message}\n`);
}

function apt(args) {
	// Another apt run on the machine holds the dpkg lock for a while: wait for it, don't fail.
	const result = spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=900', ...args], {
		stdio: 'inherit',
		env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
		timeout: 20 * 60_000,
	});
	if (result.status !== 0)
		throw new Error(`apt-get ${args.join(' ')} failed (${result.status ?? result.signal})`);
}

export function ensureChromium() {
	if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
	if (process.getuid?.() !== 0) {
		throw new Error(
			`${CHROMIUM_PATH} is missing: install Debian's chromium (sudo apt-get install -y chromium)`,
		);
	}
	log(`${CHROMIUM_PATH} missing: apt-get install chromium`);
	apt(['update']);
	apt(['install', '-y', 'chromium']);
	if (!existsSync(CHROMIUM_PATH))
		throw new Error(`apt installed chromium but ${CHROMIUM_PATH} is still missing`);
	return CHROMIUM_PATH;
}

/**
 * A persistent context on a fresh `--user-data-dir` (deleted by `close()`). Requests to
 * anything but 127.0.0.1 are aborted and listed in `outbound`, so a test can assert the editor
 * tried to reach nothing outside this machine.
 */
export async function launchChromium({ viewport = { width: 1440, height: 900 } } = {}) {
	// n8n's editor marks its elements with data-test-id, not Playwright's default data-testid.
	selectors.setTestIdAttribute('data-test-id');
	const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'dnsfilter-chromium-'));
	const context = await chromium.launchPersistentContext(userDataDir, {
		executablePath: CHROMIUM_PATH,
		headless: true,
		chromiumSandbox: false,
		args: CHROMIUM_FLAGS,
		viewport,
		locale: 'en-US',
		timezoneId: 'UTC',
		serviceWorkers: 'block',
	});
	const outbound = [];
	await context.route(
		(url) =>
			!['127.0.0.1', 'localhost'].includes(url.hostname) &&
			!['data:', 'blob:', 'about:'].includes(url.protocol),
		(route) => {
			outbound.push(`${route.request().method()} ${route.request().url()}`);
			return route.abort('blockedbyclient');
		},
	);
	return {
		context,
		outbound,
		async close() {
			try {
				await context.close();
			} finally {
				rmSync(userDataDir, { recursive: true, force: true });
			}
		},
	};
}
