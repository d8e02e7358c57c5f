// The credential's throttle fields state their bounds as literals (n8n's lint reads them
// statically); the node enforces CREDENTIAL_LIMITS. Both must say the same thing, or the editor
// accepts a value the run then refuses.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';

const require_ = createRequire(import.meta.url);
const { DnsFilterApi } = require_('../dist/credentials/DnsFilterApi.credentials.js');
const { CREDENTIAL_LIMITS } = require_('../dist/nodes/DnsFilter/transport/credentialSettings.js');

test('each bounded credential field shows the bounds and the label the node enforces', () => {
	const fields = new DnsFilterApi().properties;
	const names = Object.keys(CREDENTIAL_LIMITS);
	assert.ok(names.length >= 2);
	for (const name of names) {
		const field = fields.find((property) => property.name === name);
		assert.ok(field, `the credential has no field ${name}`);
		const { min, max, label } = CREDENTIAL_LIMITS[name];
		assert.equal(field.displayName, label, `${name}: label`);
		assert.equal(field.typeOptions?.minValue, min, `${name}: minimum`);
		assert.equal(field.typeOptions?.maxValue, max, `${name}: maximum`);
	}
});
