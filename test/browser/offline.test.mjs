// The outbound sentinel is not blind: with the community-node catalogue left on (n8n's default,
// N8N_VERIFIED_PACKAGES_ENABLED=true) the same n8n setup as the editor walk reaches out to
// n8n's servers as soon as the editor asks for the community node types (the node panel does),
// and the sentinel records it. The editor walk
// (editor-walk.test.mjs) runs with it off and asserts the sentinel recorded nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { OWNER, startEditorInstance } from '../../scripts/browser/instance.mjs';
import { log } from '../../scripts/e2e/harness.mjs';

let editor;

describe(
	'real n8n: the outbound sentinel catches the catalogue fetch when it is not disabled',
	{ timeout: 5 * 60_000 },
	() => {
		before(async () => {
			editor = await startEditorInstance({ extraEnv: { N8N_VERIFIED_PACKAGES_ENABLED: 'true' } });
		});

		after(async () => {
			await editor?.stop();
		});

		test('with N8N_VERIFIED_PACKAGES_ENABLED=true, n8n calls out to n8n.io and the sentinel refuses it', async () => {
			const login = await editor.rest.post('/login', {
				emailOrLdapLoginId: OWNER.email,
				password: OWNER.password,
			});
			assert.equal(login.status, 200, login.text);
			const types = await editor.rest.get('/community-node-types');
			assert.equal(types.status, 200, types.text);
			const attempt = await editor.sentinel.firstAttempt(60_000);
			log(`outbound attempts with the catalogue on: ${JSON.stringify(editor.sentinel.attempts)}`);
			assert.ok(attempt, 'n8n made no outbound call within 60 s');
			assert.match(attempt, /n8n\.io/);
		});
	},
);
