// The redactor alone, on texts and JSON values: what counts as a trace of the key and what does not.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { loadBuilt } from './support/engine.mjs';
import { leakedFragments } from './support/hostile-servers.mjs';
import { makeApiKey } from './support/jwt.mjs';

const { redactorFor, redactJson, REDACTED } = loadBuilt('nodes/DnsFilter/transport/redact.js');
const key = makeApiKey({ sub: 'redactor-unit', org: 'acme' });
// Another JWT with the same header, claims of its own and a signature of its own.
const other = [
	'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9',
	Buffer.from('{"iss":"elsewhere","aud":"x","n":7}').toString('base64url'),
	'Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6J7k8L9z0X1c',
].join('.');
const redact = redactorFor(key);
const chop = (text, size) =>
	Array.from({ length: Math.ceil(text.length / size) }, (_, i) =>
		text.slice(i * size, (i + 1) * size),
	);

describe('texts', () => {
	test('the whole key, its encodings and runs of 12 of its characters are redacted', () => {
		for (const shown of [
			key,
			encodeURIComponent(key),
			Buffer.from(key).toString('base64'),
			key.slice(50, 62),
			key.split('.')[2],
		]) {
			const out = redact(`before ${shown} after`);
			assert.equal(out.includes(shown), false, shown);
			assert.match(out, /^before .*\[redacted\].* after$/);
		}
	});

	for (const size of [12, 13, 15, 20]) {
		for (const separator of [' ', ', ', '","', '|']) {
			test(`the key chopped into ${size}-character pieces joined by ${JSON.stringify(separator)}: no piece survives`, () => {
				const out = redact(`x ${chop(key, size).join(separator)} y`);
				assert.deepEqual(leakedFragments(out, key, 6), []);
				assert.ok(out.startsWith('x ') && out.endsWith(' y'), out);
			});
		}
	}

	test('another JWT, with the same header, is left alone; so is ordinary text', () => {
		for (const text of [
			`token ${other} here`,
			'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9 alone',
			'Network "HQ" updated at 2026-12-03T10:00:00Z',
			'a'.repeat(5000),
		]) {
			assert.equal(redact(text), text);
		}
	});

	test('traces: true for any echo, false for a text without one', () => {
		assert.equal(redact.traces(`{"a":"${key.slice(-20)}"}`), true);
		assert.equal(redact.traces(`{"a":"${chop(key, 12)[9]}"}`), true);
		assert.equal(redact.traces('{"a":"\\u0041"}'), true, 'a needless escape may hide the key');
		assert.equal(redact.traces(`{"a":"${other}","b":"\\u00e9\\u0026"}`), false);
	});

	test('a key shorter than 8 characters is not a key to look for', () => {
		assert.equal(redactorFor('abc')('abc abc'), 'abc abc');
	});
});

describe('JSON values', () => {
	test('strings and object keys, at any depth, without recursion; the value given is not changed', () => {
		let deep = { leaf: key };
		for (let i = 0; i < 20_000; i++) deep = { next: deep };
		const value = { [key]: 1, list: chop(key, 15), deep, keep: { n: 1, s: 'plain' } };
		const out = redactJson(value, redact);
		const text = JSON.stringify(out.list) + Object.keys(out).join(',');
		assert.deepEqual(leakedFragments(text, key, 6), []);
		let walk = out.deep;
		while (walk.next) walk = walk.next;
		assert.equal(walk.leaf, REDACTED);
		assert.equal(value[key], 1, 'the original keeps its key');
		assert.deepEqual(out.keep, { n: 1, s: 'plain' });
		assert.ok(Object.keys(out).includes(REDACTED));
	});

	test('a name such as __proto__ stays an ordinary key', () => {
		const value = JSON.parse(`{"__proto__": {"x": "${key}"}, "constructor": "${key}"}`);
		const out = redactJson(value, redact);
		assert.equal(Object.getPrototypeOf(out), Object.prototype);
		assert.deepEqual(Object.keys(out), ['__proto__', 'constructor']);
		assert.equal(out.constructor, REDACTED);
	});
});
