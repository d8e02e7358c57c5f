import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import './actions/custom';
import { concurrencyOption } from './actions/custom/boundedConcurrency';
import { customProperties } from './actions/customRegistry';
import { router } from './actions/router';
import { generatedProperties } from './generated/descriptions';
import { resourceProperty } from './generated/resources';

/** Shared by every operation: how hard to retry before giving up. */
const requestOptions: INodeProperties = {
	displayName: 'Request Options',
	name: 'requestOptions',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Max Retries',
			name: 'maxRetries',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 0 },
			default: 5,
			description:
				'How many times to retry after a 429 (always) or a 5xx / network error (GET, PUT and DELETE only)',
		},
		{
			displayName: 'Max Total Wait (Seconds)',
			name: 'maxWaitSeconds',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 120,
			description: 'Upper bound on the total time spent waiting between retries for one request',
		},
		concurrencyOption,
	],
};

export class DnsFilter implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DNSFilter',
		name: 'dnsFilter',
		icon: { light: 'file:dnsfilter.svg', dark: 'file:dnsfilter.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Manage DNSFilter networks, policies, agents, users and reports',
		defaults: {
			name: 'DNSFilter',
		},
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'dnsFilterApi',
				required: true,
			},
		],
		properties: [resourceProperty, ...generatedProperties, ...customProperties, requestOptions],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
