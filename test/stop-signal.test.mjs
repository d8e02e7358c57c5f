// One listener on an execution's Stop signal for every try running under it (transport/stopSignal.ts).
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, test } from 'node:test';

import { loadBuilt } from './support/engine.mjs';

const { onStop } = loadBuilt('nodes/DnsFilter/transport/stopSignal.js');

describe('Stop fan-out', () => {
	test('a thousand followers share one listener, and each is called once at Stop', () => {
		const stop = new AbortController();
		const calls = new Array(1000).fill(0);
		const detach = calls.map((_, i) => onStop(stop.signal, () => calls[i]++));
		assert.equal(getEventListeners(stop.signal, 'abort').length, 1);
		// Followers that left before Stop are not called.
		for (let i = 0; i < 100; i++) detach[i]();
		stop.abort();
		stop.abort();
		assert.deepEqual(calls.slice(0, 100), new Array(100).fill(0));
		assert.deepEqual(calls.slice(100), new Array(900).fill(1));
		// Detaching after Stop is harmless.
		for (const leave of detach) leave();
		assert.equal(getEventListeners(stop.signal, 'abort').length, 0);
	});

	test('the listener leaves with the last follower and comes back with the next', () => {
		const stop = new AbortController();
		const first = onStop(stop.signal, () => assert.fail('detached'));
		const second = onStop(stop.signal, () => assert.fail('detached'));
		first();
		assert.equal(getEventListeners(stop.signal, 'abort').length, 1, 'one follower still attached');
		second();
		assert.equal(getEventListeners(stop.signal, 'abort').length, 0, 'nothing stays between tries');
		second();
		let called = 0;
		onStop(stop.signal, () => called++);
		assert.equal(getEventListeners(stop.signal, 'abort').length, 1);
		stop.abort();
		assert.equal(called, 1);
	});

	test('a follower of a signal already stopped is called at once', () => {
		const stop = new AbortController();
		stop.abort();
		let called = 0;
		const detach = onStop(stop.signal, () => called++);
		assert.equal(called, 1);
		detach();
		assert.equal(getEventListeners(stop.signal, 'abort').length, 0);
	});

	test('followers of different signals do not hear each other', () => {
		const a = new AbortController();
		const b = new AbortController();
		let heardA = 0;
		let heardB = 0;
		onStop(a.signal, () => heardA++);
		onStop(b.signal, () => heardB++);
		a.abort();
		assert.equal(heardA, 1);
		assert.equal(heardB, 0);
		b.abort();
		assert.equal(heardB, 1);
	});
});
