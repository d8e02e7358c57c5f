// Shared helpers for the benchmarks: statistics, memory high-water sampling, deterministic
// randomness, and a result line protocol between bench/run.mjs and its child processes.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
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

export const round = (value, digits = 2) =>
	Number.isFinite(value) ? Number(value.toFixed(digits)) : value;
export const mb = (bytes) => round(bytes / 1024 / 1024, 1);

/**
 * Keeps the heap's high-water by sampling v8.getHeapStatistics() every `intervalMs` (a few µs a
 * call; process.memoryUsage() reads /proc and would bill the slower side more CPU). RSS comes
 * from the kernel's own high-water (resourceUsage().maxRSS), which misses no peak.
 */
export function memorySampler(intervalMs = 10) {
	const start = process.memoryUsage();
	const peak = { rss: start.rss, heapUsed: start.heapUsed };
	const sample = () => {
		const used = v8.getHeapStatistics().used_heap_size;
		if (used > peak.heapUsed) peak.heapUsed = used;
	};
	const timer = setInterval(sample, intervalMs);
	timer.unref();
	return {
		baseline: start,
		stop() {
			clearInterval(timer);
			sample();
			peak.rss = Math.max(process.memoryUsage.rss(), process.resourceUsage().maxRSS * 1024);
			return {
				baselineRssMb: mb(start.rss),
				baselineHeapMb: mb(start.heapUsed),
				peakRssMb: mb(peak.rss),
				peakHeapUsedMb: mb(peak.heapUsed),
				rssGrowthMb: mb(peak.rss - start.rss),
				heapGrowthMb: mb(peak.heapUsed - start.heapUsed),
				// Heap still held once garbage is collected (the caller keeps its results alive).
				retainedHeapMb: global.gc
					? (global.gc(), mb(process.memoryUsage().heapUsed - start.heapUsed))
					: undefined,
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
