// End-to-end in a real n8n: the Threat Blocked example (examples/threat-blocked-to-siem.json), its
// SIEM webhook pointed at the stand-in's collector and enabled, published and polled by `n8n start`
// every minute (n8n's shortest poll). Across polls: new entries, a late one, a poll the stand-in
// answers with a maintenance page, and a burst larger than Max Entries per Poll. The collector must
// receive every blocked threat exactly once.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
	CREDENTIAL_NAME,
	CREDENTIAL_TYPE,
	createInstance,
	loadExample,
	log,
	makeFakeJwt,
	packPackage,
} from '../../scripts/e2e/harness.mjs';
import { startStandIn } from './standin.mjs';

const API_KEY = makeFakeJwt();
const CREDENTIAL_ID = 'dnsfE2eCredThr01';
const WORKFLOW_ID = 'dnsfE2eThreats01';
const POLL_TIMEOUT_MS = 150_000;

let standIn;
let instance;
let packDir;
let threatSerial = 0;

/** A blocked threat at `timeMs`, told apart by its FQDN. */
function threat(timeMs) {
	threatSerial++;
	return {
		time: new Date(timeMs).toISOString(),
		fqdn: `t${threatSerial}.phish.example`,
		domain: 'phish.example',
		networkid: 2001,
		network_name: 'Head office',
		request_address: '198.51.100.7',
		result: 'blocked',
		threat: true,
		categories: [62],
		categories_names: ['Phishing & Deception'],
		question_type: 'A',
		agentid: null,
		policy_id: 77,
	};
}

const queryLogRequests = () =>
	standIn.requests.filter((r) => r.path === '/v1/traffic_reports/query_logs');
const delivered = () => standIn.state.siemEvents.map((body) => body?.event?.fqdn);

/**
 * Waits for the next poll: a query-log request after the `seen` ones, then quiet (no query-log
 * request for 8 s, no delivery for 5 s). Polls come at least a minute apart.
 */
async function nextPoll(seen, what) {
	const deadline = Date.now() + POLL_TIMEOUT_MS;
	while (queryLogRequests().length <= seen) {
		if (Date.now() > deadline) throw new Error(`no poll within ${POLL_TIMEOUT_MS} ms (${what})`);
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
	let lastRequests = -1;
	let lastDelivered = -1;
	let quietSince = Date.now();
	for (;;) {
		const requests = queryLogRequests().length;
		const deliveries = standIn.state.siemEvents.length;
		if (requests !== lastRequests || deliveries !== lastDelivered) {
			lastRequests = requests;
			lastDelivered = deliveries;
			quietSince = Date.now();
		}
		if (Date.now() - quietSince >= 8_000) break;
		if (Date.now() > deadline)
			throw new Error(`the poll did not settle within ${POLL_TIMEOUT_MS} ms (${what})`);
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
	const requests = queryLogRequests().slice(seen);
	log(
		`${what}: ${requests.length} query-log requests, ${standIn.state.siemEvents.length} events delivered so far`,
	);
	return { requests, seen: queryLogRequests().length };
}

describe('real n8n: Threat Blocked example polled by n8n start', { timeout: 20 * 60_000 }, () => {
	before(async () => {
		packDir = mkdtempSync(path.join(os.tmpdir(), 'dnsfilter-e2e-pack-'));
		const tarball = await packPackage(packDir);
		standIn = await startStandIn({ apiKey: API_KEY });
		instance = await createInstance({ tarball });
		await instance.importCredentials([
			{
				id: CREDENTIAL_ID,
				name: CREDENTIAL_NAME,
				type: CREDENTIAL_TYPE,
				data: {
					apiKey: API_KEY,
					baseUrl: standIn.url,
					throttleRequests: 2000,
					throttleWindowSeconds: 300,
				},
			},
		]);
		const wf = loadExample('threat-blocked-to-siem.json', {
			id: WORKFLOW_ID,
			credentialId: CREDENTIAL_ID,
		});
		const send = wf.nodes.find((n) => n.name === 'Send to SIEM webhook');
		send.parameters.url = `${standIn.url}/siem/events`;
		delete send.disabled;
		await instance.importWorkflows([wf]);
		await instance.publish(WORKFLOW_ID);
	});

	after(async () => {
		await instance?.cleanup();
		await standIn?.close();
		if (packDir) rmSync(packDir, { recursive: true, force: true });
	});

	test('entries across polls, a late one, an error poll between good ones, a burst: each delivered exactly once', async () => {
		standIn.reset();
		const existing = standIn.state.queryLogs.filter(
			(r) => r.result === 'blocked' && r.threat,
		).length;
		assert.ok(existing > 0, 'the stand-in has blocked threats before activation');
		const server = await instance.startServer();
		try {
			// Activation: the baseline records what is there and delivers nothing.
			let poll = await nextPoll(0, 'activation (baseline)');
			assert.equal(standIn.state.siemEvents.length, 0, 'nothing from before activation');
			for (const request of poll.requests) {
				assert.equal(request.query.result, 'blocked');
				assert.equal(request.query.security_report, 'true');
			}

			// New entries and one logged 5 minutes late.
			const now = Date.now();
			const fresh = [
				threat(now - 2000),
				threat(now - 1000),
				threat(now - 500),
				threat(now - 5 * 60_000),
			];
			standIn.state.queryLogs.push(...fresh);
			poll = await nextPoll(poll.seen, 'poll 2');
			assert.deepEqual(
				[...delivered()].sort(),
				fresh.map((e) => e.fqdn).sort(),
				'the new ones and the late one',
			);

			// The next poll meets a maintenance page; entries keep arriving meanwhile.
			standIn.state.failQueryLogs = 1;
			const duringError = [threat(Date.now() - 300), threat(Date.now() - 200)];
			standIn.state.queryLogs.push(...duringError);
			poll = await nextPoll(poll.seen, 'poll 3 (maintenance page)');
			assert.equal(standIn.state.failQueryLogs, 0, 'the maintenance page was served');
			assert.equal(
				standIn.state.siemEvents.length,
				fresh.length,
				'the failed poll delivered nothing',
			);

			// A burst of 700 over the last minute: Max Entries per Poll is 500 in the example.
			const burstStart = Date.now();
			const burst = Array.from({ length: 700 }, (_, i) => threat(burstStart - 60_000 + i * 80));
			standIn.state.queryLogs.push(...burst);
			poll = await nextPoll(poll.seen, 'poll 4 (after the error, with the burst)');
			const afterFour = standIn.state.siemEvents.length - fresh.length;
			assert.ok(afterFour <= 500, `at most Max Entries per Poll: ${afterFour}`);
			assert.ok(afterFour > 0);
			poll = await nextPoll(poll.seen, 'poll 5');
			if (standIn.state.siemEvents.length < fresh.length + duringError.length + burst.length)
				poll = await nextPoll(poll.seen, 'poll 6');

			const expected = [...fresh, ...duringError, ...burst].map((e) => e.fqdn).sort();
			assert.deepEqual(
				[...delivered()].sort(),
				expected,
				'every blocked threat once: none lost, none twice',
			);
			for (const body of standIn.state.siemEvents) {
				assert.equal(body.sourcetype, 'dnsfilter:threat');
				assert.equal(typeof body.time, 'number');
			}
		} finally {
			await server.stop();
		}
		await instance.unpublish(WORKFLOW_ID);
		const executions = await instance.queryDb(
			`SELECT mode, status FROM execution_entity WHERE workflowId = '${WORKFLOW_ID}'`,
		);
		assert.ok(
			executions.filter((e) => e.status === 'success').length >= 3,
			JSON.stringify(executions),
		);
		// The key never reached n8n's output.
		const [, payload, signature] = API_KEY.split('.');
		const transcript = instance.transcript.join('\n');
		assert.equal(
			transcript.includes(signature) || transcript.includes(payload),
			false,
			'no key in the n8n output',
		);
	});
});
