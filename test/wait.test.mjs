// transport/wait.ts: the cancel-aware wait used for Retry-After, backoff, throttle and export
// polling, with the repo's n8n-workflow (2.x). The end-to-end tier runs the same checks with
// each matrix n8n's own n8n-workflow, where 1.x's `sleep` ignores the signal.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

import { loadBuilt } from './support/engine.mjs';
import {
	alreadyStoppedDoesNotWait,
	bareSleepOnStop,
	stopEndsTheWait,
	stopReasonIsKept,
	waitsTheFullTimeWithoutStop,
} from './support/wait-checks.mjs';

const subject = {
	wait: loadBuilt('nodes/DnsFilter/transport/wait.js'),
	workflow: createRequire(import.meta.url)('n8n-workflow'),
};

describe('cancellableSleep with n8n-workflow 2.x', () => {
	test('Stop ends the wait at once and the abort listener is removed', () =>
		stopEndsTheWait(subject));
	test('rejects with the abort reason, as 2.x sleep does', () => stopReasonIsKept(subject));
	test('an execution already stopped does not wait', () => alreadyStoppedDoesNotWait(subject));
	test('without Stop it waits the full time', () => waitsTheFullTimeWithoutStop(subject));
	test('2.x sleep itself honours the signal (the helper adds nothing there)', async () => {
		assert.equal(await bareSleepOnStop(subject), 'honours');
	});
});
