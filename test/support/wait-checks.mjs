// Behaviour checks for transport/wait.ts (cancellableSleep), run against whichever n8n-workflow
// the built module loads: the repo's (2.x) in `npm test`, each matrix n8n's own (1.x too) in the
// end-to-end tier. `wait` is the loaded module, `workflow` the n8n-workflow it resolved.
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { createRequire } from 'node:module';
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Generous bounds (2 shared cores): a wait that ignores Stop runs its full WAIT_MS. */
const WAIT_MS = 5000;
const STOP_AFTER_MS = 200;
const ENDS_WITHIN_MS = 1500;

/**
 * Loads the built wait.js so that its `require('n8n-workflow')` resolves to `workflowDir`, the way
 * the installed package resolves the n8n-workflow of the n8n that loads it: a copy of the file
 * next to a node_modules/n8n-workflow link.
 */
export function loadWaitWith(builtWaitJs, workflowDir) {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'dnsfilter-wait-'));
	mkdirSync(path.join(dir, 'node_modules'));
	symlinkSync(workflowDir, path.join(dir, 'node_modules', 'n8n-workflow'), 'dir');
	copyFileSync(builtWaitJs, path.join(dir, 'wait.js'));
	const require = createRequire(path.join(dir, 'wait.js'));
	return { wait: require('./wait.js'), workflow: require('n8n-workflow'), dir };
}

async function timed(promise) {
	const started = Date.now();
	try {
		await promise;
		return { ms: Date.now() - started };
	} catch (error) {
		return { ms: Date.now() - started, error };
	}
}

export async function stopEndsTheWait({ wait }) {
	const controller = new AbortController();
	setTimeout(() => controller.abort(), STOP_AFTER_MS);
	const { ms, error } = await timed(wait.cancellableSleep(WAIT_MS, controller.signal));
	assert.ok(error, `the wait resolved instead of rejecting after Stop (${ms} ms)`);
	assert.ok(ms < ENDS_WITHIN_MS, `Stop took effect after ${ms} ms; the wait was ${WAIT_MS} ms`);
	assert.equal(
		getEventListeners(controller.signal, 'abort').length,
		0,
		'the abort listener was removed',
	);
}

export async function stopReasonIsKept({ wait }) {
	const controller = new AbortController();
	const reason = new Error('stopped by the user');
	setTimeout(() => controller.abort(reason), STOP_AFTER_MS);
	const { error } = await timed(wait.cancellableSleep(WAIT_MS, controller.signal));
	assert.equal(error, reason);
}

export async function alreadyStoppedDoesNotWait({ wait }) {
	const controller = new AbortController();
	controller.abort();
	const { ms, error } = await timed(wait.cancellableSleep(WAIT_MS, controller.signal));
	assert.ok(error, 'rejected');
	assert.ok(ms < ENDS_WITHIN_MS, `${ms} ms`);
}

export async function waitsTheFullTimeWithoutStop({ wait }) {
	const controller = new AbortController();
	const { ms, error } = await timed(wait.cancellableSleep(600, controller.signal));
	assert.equal(error, undefined);
	assert.ok(ms >= 550, `resolved after ${ms} ms, before the 600 ms wait`);
	assert.equal(
		getEventListeners(controller.signal, 'abort').length,
		0,
		'the abort listener was removed',
	);
	const plain = await timed(wait.cancellableSleep(300));
	assert.equal(plain.error, undefined);
	assert.ok(plain.ms >= 250, `${plain.ms} ms`);
}

/** What the bare `sleep(ms, signal)` of this n8n-workflow does on Stop: 'honours' or 'ignores'. */
export async function bareSleepOnStop({ workflow }) {
	const controller = new AbortController();
	setTimeout(() => controller.abort(), STOP_AFTER_MS);
	const { ms } = await timed(workflow.sleep(1500, controller.signal));
	return ms < 1000 ? 'honours' : 'ignores';
}
