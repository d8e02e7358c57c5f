import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { OperationContext } from '../customRegistry';
import { customOperations, customProperties, operationKey, outputHooks } from '../customRegistry';
import { withApiKeyInsight } from './apiKeyInsight';
import { apiKeyInsightProperties, CHECK_CURRENT_KEY_OPERATION, checkCurrentKey, thresholdFor } from './checkCurrentKey';

/**
 * Registers the hand-written behaviour with the router (imported once, for its side effects, by
 * DnsFilter.node.ts). The "Check Current Key" option itself is listed in
 * scripts/generator/overrides.mjs → customOperations.
 */

customOperations[operationKey('apiKey', CHECK_CURRENT_KEY_OPERATION)] = async function (context) {
	return [await checkCurrentKey.call(this, context.itemIndex)];
};

function addKeyInsight(this: IExecuteFunctions, items: IDataObject[], context: OperationContext): IDataObject[] {
	const now = new Date();
	const threshold = thresholdFor(this, context.itemIndex);
	return items.map((json) => withApiKeyInsight(json, now, threshold));
}

for (const operation of ['index', 'show']) {
	const key = operationKey('apiKey', operation);
	outputHooks[key] = [...(outputHooks[key] ?? []), addKeyInsight];
}

for (const property of apiKeyInsightProperties) {
	if (!customProperties.some((existing) => existing.name === property.name)) customProperties.push(property);
}
