// The per-try deadlines share one timer per timeout length (transport/deadlines.ts): each
// deadline still fires on its own time, never early, and a cleared one never fires. Generous
// bounds: this catches a deadline that is lost or far late, not milliseconds.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { loadBuilt } from './support/engine.mjs';

const { deadlineAfter, heldDeadlines } = loadBuilt('nodes/DnsFilter/transport/deadlines.js');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

describe('shared deadline queue', () => {
	test('deadlines of one length fire in start order, each after its own full length, cleared ones never', async () => {
		const ms = 600;
		const fired = [];
		const started = [];
		const deadlines = [];
		for (let i = 0; i < 5; i++) {
			started.push(Date.now());
			const index = i;
			deadlines.push(deadlineAfter(ms, () => fired.push({ index, at: Date.now() })));
			await sleep(40);
		}
		// The first one (the queue's head) and a middle one end before their deadline.
		deadlines[0].clear();
		deadlines[2].clear();
		await sleep(ms + 900);
		assert.deepEqual(
			fired.map((f) => f.index),
			[1, 3, 4],
		);
		for (const { index, at } of fired) {
			assert.ok(
				at - started[index] >= ms,
				`deadline ${index} fired ${at - started[index]} ms after it started, before ${ms} ms`,
			);
			assert.ok(
				at - started[index] < ms + 800,
				`deadline ${index} fired ${at - started[index]} ms after it started`,
			);
		}
		assert.equal(deadlines[1].expired, true);
		assert.equal(deadlines[0].expired, false);
		assert.equal(deadlines[2].expired, false);
	});

	test('a deadline added after the queue emptied still fires; different lengths keep their own times', async () => {
		const first = deadlineAfter(100, () => {});
		first.clear();
		let longFired = 0;
		let shortFired = 0;
		const startedAt = Date.now();
		deadlineAfter(600, () => (longFired = Date.now()));
		await sleep(20);
		deadlineAfter(150, () => (shortFired = Date.now()));
		await sleep(1200);
		assert.ok(
			shortFired - startedAt >= 150 && shortFired - startedAt < 700,
			`short deadline at ${shortFired - startedAt} ms`,
		);
		assert.ok(
			longFired - startedAt >= 600 && longFired - startedAt < 1150,
			`long deadline at ${longFired - startedAt} ms`,
		);
	});

	test('thousands of tries that end in time leave nothing held, also behind a slow one', async () => {
		const ms = 200;
		let fired = 0;
		for (let i = 0; i < 5000; i++) deadlineAfter(ms, () => fired++).clear();
		assert.equal(heldDeadlines(), 0);
		// A slow try at the head: the ones after it that end are dropped once it ends.
		const slow = deadlineAfter(ms, () => fired++);
		for (let i = 0; i < 3000; i++) deadlineAfter(ms, () => fired++).clear();
		assert.ok(heldDeadlines() <= 3001);
		await sleep(ms + 400);
		assert.equal(fired, 1);
		assert.equal(slow.expired, true);
		assert.equal(heldDeadlines(), 0);
	});
});
