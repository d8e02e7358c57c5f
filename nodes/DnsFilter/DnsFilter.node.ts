import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

import { MAIN_CONNECTION } from './connectionTypes';
import { listSearch } from './records/recordLists';
import { secretProperties } from './actions/maskSecrets';
import { registry } from './actions/registry';
import { requestOptionsProperty } from './actions/requestSettings';
import { router } from './actions/router';
import { generatedProperties } from './generated/descriptions';
import { resourceProperty } from './generated/resources';
import { OPERATION_SUBTITLE } from './generated/subtitle';

/** Options and Additional Fields go after every field of the operation, the hand-written ones included. */
const isCollection = (property: INodeProperties) =>
	property.type === 'collection' &&
	(property.name === 'options' || property.name === 'additionalFields');

export class DnsFilter implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DNSFilter',
		name: 'dnsFilter',
		icon: { light: 'file:dnsfilter.svg', dark: 'file:dnsfilter.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: OPERATION_SUBTITLE,
		description: 'Manage DNSFilter networks, policies, agents, users and reports',
		defaults: {
			name: 'DNSFilter',
		},
		usableAsTool: true,
		inputs: [MAIN_CONNECTION],
		outputs: [MAIN_CONNECTION],
		credentials: [
			{
				name: 'dnsFilterApi',
				required: true,
			},
		],
		properties: [
			resourceProperty,
			...generatedProperties.filter((property) => !isCollection(property)),
			...registry.properties,
			...secretProperties,
			...generatedProperties.filter(isCollection),
			requestOptionsProperty,
		],
	};

	methods = { listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
