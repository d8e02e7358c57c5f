import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { findOperationById } from '../../generated/operations';
import { resourceProperty } from '../../generated/resources';
import type { OperationContext } from '../customRegistry';
import { customOperations, customProperties, operationKey, outputHooks } from '../customRegistry';
import { withApiKeyInsight } from './apiKeyInsight';
import { apiKeyInsightProperties, CHECK_CURRENT_KEY_OPERATION, checkCurrentKey, thresholdFor } from './checkCurrentKey';
import { CUSTOM_API_CALL, customApiCall, customApiCallProperties } from './customApiCall';

/**
 * Registers the hand-written behaviour with the router (imported once, for its side effects, by
 * DnsFilter.node.ts). The "Check Current Key" option itself is listed in
 * scripts/generator/overrides.mjs → customOperations; "Custom API Call" ends every selector.
 */

customOperations[operationKey('apiKey', CHECK_CURRENT_KEY_OPERATION)] = async function (context) {
	return [await checkCurrentKey.call(this, context.itemIndex)];
};

// Custom API Call is an operation of every resource (and a resource of its own).
for (const option of resourceProperty.options ?? []) {
	if (!('value' in option)) continue;
	customOperations[operationKey(String(option.value), CUSTOM_API_CALL)] = async function (context) {
		return await customApiCall.call(this, context.itemIndex);
	};
}

function addKeyInsight(this: IExecuteFunctions, items: IDataObject[], context: OperationContext): IDataObject[] {
	const now = new Date();
	const threshold = thresholdFor(this, context.itemIndex);
	return items.map((json) => withApiKeyInsight(json, now, threshold));
}

// Found by operationId, so a renamed operation value cannot silently drop the hook.
for (const operationId of ['V1_Api_Keys-index', 'V1_Api_Keys-show']) {
	const row = findOperationById(operationId);
	if (!row) continue;
	const key = operationKey(row.resource, row.operation);
	outputHooks[key] = [...(outputHooks[key] ?? []), addKeyInsight];
}

for (const property of [...apiKeyInsightProperties, ...customApiCallProperties]) {
	if (!customProperties.includes(property)) customProperties.push(property);
}
