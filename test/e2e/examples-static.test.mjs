// Static checks of examples/*.json against the installed n8n and the built node: every node type
// and version exists, DNSFilter nodes name real resource/operation pairs and only known
// parameters, credentials are referenced by name only, and nothing secret is shipped.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import {
	CREDENTIAL_NAME,
	CREDENTIAL_TYPE,
	NODE_TYPE,
	n8nBin,
	repoRoot,
} from '../../scripts/e2e/harness.mjs';

const require = createRequire(import.meta.url);
const examplesDir = path.join(repoRoot, 'examples');
const files = readdirSync(examplesDir)
	.filter((f) => f.endsWith('.json'))
	.sort();

const n8nModules = path.resolve(path.dirname(n8nBin), '..', '..');
const baseTypes = JSON.parse(
	readFileSync(path.join(n8nModules, 'n8n-nodes-base', 'dist', 'types', 'nodes.json'), 'utf8'),
);
const baseVersions = new Map();
for (const type of baseTypes) {
	const versions = [type.version].flat();
	baseVersions.set(
		`n8n-nodes-base.${type.name}`,
		new Set([...(baseVersions.get(`n8n-nodes-base.${type.name}`) ?? []), ...versions]),
	);
}

const { DnsFilter } = require(
	path.join(repoRoot, 'dist', 'nodes', 'DnsFilter', 'DnsFilter.node.js'),
);
const description = new DnsFilter().description;
const { DnsFilterTrigger } = require(
	path.join(repoRoot, 'dist', 'nodes', 'DnsFilter', 'DnsFilterTrigger.node.js'),
);
const triggerDescription = new DnsFilterTrigger().description;
const TRIGGER_TYPE = `${NODE_TYPE}Trigger`;

/** Parameter names the DNSFilter Trigger shows for an event at a version (n8n adds pollTimes to polling nodes). */
function visibleTriggerParameters(event, version) {
	const shown = triggerDescription.properties.filter((p) => {
		const show = p.displayOptions?.show;
		if (show?.event && !show.event.includes(event)) return false;
		if (show?.['@version'] && !show['@version'].includes(version)) return false;
		return true;
	});
	return ['pollTimes', ...shown.map((p) => p.name)];
}

/** Parameter names the DNSFilter node shows for a resource/operation pair. */
function visibleParameters(resource, operation) {
	return description.properties
		.filter((p) => {
			const show = p.displayOptions?.show;
			if (!show) return true;
			if (show.resource && !show.resource.includes(resource)) return false;
			if (show.operation && !show.operation.includes(operation)) return false;
			return true;
		})
		.map((p) => p.name);
}

function operationValues(resource) {
	const prop = description.properties.find(
		(p) => p.name === 'operation' && p.displayOptions?.show?.resource?.includes(resource),
	);
	return (prop?.options ?? []).map((o) => o.value);
}

describe('example workflows (static)', () => {
	test('there are the five documented examples', () => {
		assert.deepEqual(files, [
			'api-key-hygiene.json',
			'bulk-rotate-under-rate-limit.json',
			'threat-blocked-to-siem.json',
			'traffic-report-to-siem.json',
			'webhook-network-secret-key-revocation.json',
		]);
	});

	for (const file of files) {
		test(file, () => {
			const text = readFileSync(path.join(examplesDir, file), 'utf8');
			const wf = JSON.parse(text);
			assert.ok(wf.name.startsWith('DNSFilter: '), 'named for the workflow list');
			assert.ok(Array.isArray(wf.nodes) && wf.nodes.length > 2);
			assert.equal(wf.active, false);
			const names = new Set(wf.nodes.map((n) => n.name));
			assert.equal(names.size, wf.nodes.length, 'node names are unique');
			for (const [from, outputs] of Object.entries(wf.connections)) {
				assert.ok(names.has(from), `connection from unknown node ${from}`);
				for (const target of outputs.main.flat())
					assert.ok(names.has(target.node), `connection to unknown node ${target.node}`);
			}
			let dnsFilterNodes = 0;
			for (const node of wf.nodes) {
				if (node.type === NODE_TYPE) {
					dnsFilterNodes++;
					assert.equal(node.typeVersion, description.version);
					const { resource, operation } = node.parameters;
					assert.ok(
						operationValues(resource).includes(operation),
						`${node.name}: ${resource}/${operation} exists`,
					);
					const known = new Set(visibleParameters(resource, operation));
					for (const key of Object.keys(node.parameters)) {
						assert.ok(
							known.has(key),
							`${node.name}: parameter "${key}" is shown for ${resource}/${operation}`,
						);
					}
					assert.deepEqual(Object.keys(node.credentials), [CREDENTIAL_TYPE]);
					assert.equal(node.credentials[CREDENTIAL_TYPE].name, CREDENTIAL_NAME);
				} else if (node.type === TRIGGER_TYPE) {
					dnsFilterNodes++;
					assert.ok(
						triggerDescription.version.includes(node.typeVersion),
						`${node.name}: trigger version ${node.typeVersion} exists`,
					);
					const { event } = node.parameters;
					const events = triggerDescription.properties
						.find((p) => p.name === 'event')
						.options.map((o) => o.value);
					assert.ok(events.includes(event), `${node.name}: event ${event} exists`);
					const known = new Set(visibleTriggerParameters(event, node.typeVersion));
					for (const key of Object.keys(node.parameters))
						assert.ok(known.has(key), `${node.name}: parameter "${key}" is shown for ${event}`);
					for (const collection of ['threatFilters', 'threatOptions']) {
						const names = new Set(
							(triggerDescription.properties.find((p) => p.name === collection)?.options ?? []).map(
								(o) => o.name,
							),
						);
						for (const key of Object.keys(node.parameters[collection] ?? {}))
							assert.ok(names.has(key), `${node.name}: ${collection}.${key} exists`);
					}
					assert.deepEqual(Object.keys(node.credentials), [CREDENTIAL_TYPE]);
					assert.equal(node.credentials[CREDENTIAL_TYPE].name, CREDENTIAL_NAME);
				} else {
					const versions = baseVersions.get(node.type);
					assert.ok(versions, `${node.name}: ${node.type} exists in n8n`);
					assert.ok(
						versions.has(node.typeVersion),
						`${node.name}: ${node.type} v${node.typeVersion} exists`,
					);
					assert.equal(
						node.credentials,
						undefined,
						`${node.name}: no other credentials are shipped`,
					);
				}
			}
			assert.ok(dnsFilterNodes >= 1);
			// Nothing that looks like a key, token or secret value is shipped.
			assert.doesNotMatch(text, /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/, 'no JWT');
			assert.doesNotMatch(text, /nsk_[0-9a-f]{8,}/, 'no network secret');
		});
	}
});
