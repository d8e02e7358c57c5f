// Shared helpers for the benchmarks: statistics, memory high-water sampling, deterministic
// randomness, and a result line protocol between bench/run.mjs and its child processes.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchDir = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(benchDir, '..');
export const specPath = path.resolve(root, '..', 'shared', 'dnsfilter', 'openapi.json');
export const tmpDir = path.join(benchDir, '.tmp');

/** n8n-core writes an instance config on first use: keep it under bench/.tmp (gitignored). */
export function benchEnv(extra = {}) {
	const userFolder = path.join(tmpDir, 'n8n');
	mkdirSync(userFolder, { recursive: true });
	return {
		...process.env,
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: 'dnsfilter-node-bench-only',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		...extra,
	};
}

export const RESULT_PREFIX = 'BENCH_RESULT ';

export function emit(result) {
	process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

export function median(values) {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = sorted.length >> 1;
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const round = (value, digits = 2) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : value);
export const mb = (bytes) => round(bytes / 1024 / 1024, 1);

/**
 * Samples process.memoryUsage() every `intervalMs` and keeps the high-water marks. RSS is also
 * read from the kernel's own high-water (resourceUsage().maxRSS), which catches peaks between samples.
 */
export function memorySampler(intervalMs = 10) {
	const start = process.memoryUsage();
	const peak = { rss: start.rss, heapUsed: start.heapUsed, heapTotal: start.heapTotal, external: start.external };
	const sample = () => {
		const now = process.memoryUsage();
		for (const key of Object.keys(peak)) if (now[key] > peak[key]) peak[key] = now[key];
	};
	const timer = setInterval(sample, intervalMs);
	timer.unref();
	return {
		baseline: start,
		stop() {
			clearInterval(timer);
			sample();
			const maxRss = process.resourceUsage().maxRSS * 1024;
			return {
				baselineRssMb: mb(start.rss),
				baselineHeapMb: mb(start.heapUsed),
				peakRssMb: mb(Math.max(peak.rss, maxRss)),
				peakHeapUsedMb: mb(peak.heapUsed),
				rssGrowthMb: mb(Math.max(peak.rss, maxRss) - start.rss),
				heapGrowthMb: mb(peak.heapUsed - start.heapUsed),
				// Heap still held once garbage is collected (the caller keeps its results alive).
				retainedHeapMb: global.gc ? (global.gc(), mb(process.memoryUsage().heapUsed - start.heapUsed)) : undefined,
			};
		},
	};
}

/** mulberry32: a tiny seeded PRNG, so the 429 pattern is the same on every run. */
export function seededRandom(seed) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}
