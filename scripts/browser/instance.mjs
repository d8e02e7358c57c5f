// A throwaway n8n editor for the browser proof, built from the end-to-end tier's pieces
// (scripts/e2e/harness.mjs): the package packed and installed into a temp user folder, `n8n start`
// on 127.0.0.1 with every outbound call disabled and routed to a refusing sentinel, and the owner
// account created over the REST API.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { createInstance, log, packPackage, restSession } from '../e2e/harness.mjs';
import { startOutboundSentinel } from './outbound-sentinel.mjs';

export const OWNER = {
	email: 'owner@example.com',
	firstName: 'Browser',
	lastName: 'Owner',
	password: 'Dnsfilter-browser-Passw0rd',
};

/**
 * Settings that keep the editor from calling n8n's servers. N8N_VERIFIED_PACKAGES_ENABLED=false
 * stops the community-node catalogue fetch (`/community-nodes` on api.n8n.io) the node panel
 * otherwise makes at start; the rest are set by the e2e harness (diagnostics, version
 * notifications, templates, personalization).
 */
export const OFFLINE_ENV = {
	N8N_VERIFIED_PACKAGES_ENABLED: 'false',
	N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
	N8N_DIAGNOSTICS_ENABLED: 'false',
	N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
	N8N_TEMPLATES_ENABLED: 'false',
	N8N_PERSONALIZATION_ENABLED: 'false',
	N8N_AI_ENABLED: 'false',
};

export async function startEditorInstance({ extraEnv = {} } = {}) {
	const packDir = mkdtempSync(path.join(os.tmpdir(), 'dnsfilter-browser-pack-'));
	const sentinel = await startOutboundSentinel();
	let instance;
	let server;
	try {
		const tarball = await packPackage(packDir);
		instance = await createInstance({ tarball });
		// createInstance hands back the environment object its children are started with.
		Object.assign(instance.env, sentinel.env, OFFLINE_ENV, extraEnv);
		log(`n8n user folder ${instance.userFolder}`);
		const t0 = Date.now();
		server = await instance.startServer({ timeoutMs: 240_000 });
		log(`n8n start ready in ${Math.round((Date.now() - t0) / 1000)} s at ${server.base}`);
		const rest = restSession(server.base);
		const setup = await rest.post('/owner/setup', OWNER);
		if (setup.status !== 200)
			throw new Error(`POST /rest/owner/setup: ${setup.status} ${setup.text}`);
		return {
			base: server.base,
			rest,
			instance,
			sentinel,
			output: () => server.output(),
			async stop() {
				try {
					await server?.stop();
				} finally {
					await instance?.cleanup();
					await sentinel.close();
					rmSync(packDir, { recursive: true, force: true });
				}
			},
		};
	} catch (error) {
		try {
			await server?.stop();
		} catch {}
		await instance?.cleanup();
		await sentinel.close();
		rmSync(packDir, { recursive: true, force: true });
		throw error;
	}
}
