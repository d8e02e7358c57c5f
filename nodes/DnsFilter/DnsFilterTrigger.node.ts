import type {
	IDataObject,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';

import { MAIN_CONNECTION } from './connectionTypes';
import { DEFAULT_EXPIRING_SOON_DAYS, normaliseThreshold } from './actions/custom/apiKeyInsight';
import type { PollOutcome, TriggerEvent } from './actions/custom/triggerEvents';
import {
	diffEndedKeys,
	diffExpiringKeys,
	diffNewRecords,
	isKeyEvent,
	NEW_RECORD_SOURCES,
	sampleFor,
	usableState,
} from './actions/custom/triggerEvents';
import { dnsFilterApiRequest, dnsFilterApiRequestPaged } from './transport';

export class DnsFilterTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DNSFilter Trigger',
		name: 'dnsFilterTrigger',
		icon: { light: 'file:dnsfilter.svg', dark: 'file:dnsfilter.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["event"]}}',
		description:
			'Starts the workflow when DNSFilter changes: API keys expiring or ending, new networks, roaming clients, policies, block pages or organizations',
		defaults: { name: 'DNSFilter Trigger' },
		polling: true,
		inputs: [],
		outputs: [MAIN_CONNECTION],
		credentials: [{ name: 'dnsFilterApi', required: true }],
		properties: [
			{
				displayName: 'Event',
				name: 'event',
				type: 'options',
				noDataExpression: true,
				required: true,
				default: 'apiKeyExpiringSoon',
				options: [
					{
						name: 'API Key Expiring Soon',
						value: 'apiKeyExpiringSoon',
						description:
							"One of the credential user's API keys has at most the threshold of days left (DNSFilter sends no warning itself)",
					},
					{
						name: 'API Key Revoked or Expired',
						value: 'apiKeyRevokedOrExpired',
						description: "One of the credential user's API keys was revoked or passed its expiry",
					},
					{
						name: 'New Block Page',
						value: 'newBlockPage',
						description: 'A block page was added',
					},
					{
						name: 'New Network',
						value: 'newNetwork',
						description: 'A network (site) was added',
					},
					{
						name: 'New Organization',
						value: 'newOrganization',
						description: 'An organization the user can see was added, e.g. an MSP sub-organization',
					},
					{
						name: 'New Policy',
						value: 'newPolicy',
						description: 'A filtering policy was added',
					},
					{
						name: 'New Roaming Client (User Agent)',
						value: 'newRoamingClient',
						description: 'A roaming client registered',
					},
				],
			},
			{
				displayName:
					'The first poll after activation only records what exists; later polls report each change once. Every poll lists the whole collection, which counts against the organization\'s rate limit (about 2,000 requests per 300 s, 100 records per request): poll large collections, such as roaming clients, less often.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				displayOptions: { show: { event: ['apiKeyExpiringSoon', 'apiKeyRevokedOrExpired'] } },
				options: [
					{
						displayName: 'Expiring Soon Threshold (Days)',
						name: 'expiringSoonThresholdDays',
						type: 'number',
						default: DEFAULT_EXPIRING_SOON_DAYS,
						typeOptions: { minValue: 0, numberPrecision: 0 },
						description: 'A key with at most this many whole days left counts as expiring soon',
					},
					{
						displayName: 'Report Existing Keys on First Poll',
						name: 'includeExisting',
						type: 'boolean',
						default: false,
						description:
							'Whether the first poll after activation also reports keys that already match, instead of only recording them',
					},
				],
			},
		],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const event = this.getNodeParameter('event') as TriggerEvent;
		const options = this.getNodeParameter('options', {}) as IDataObject;
		const thresholdDays = normaliseThreshold(options.expiringSoonThresholdDays ?? DEFAULT_EXPIRING_SOON_DAYS);
		const now = new Date();

		const records = await listRecords.call(this, event);

		if (this.getMode() === 'manual') {
			const sample = sampleFor(event, records, now, thresholdDays);
			return sample ? [this.helpers.returnJsonArray([sample])] : null;
		}

		const staticData = this.getWorkflowStaticData('node');
		const previous = usableState(staticData, event);
		const keyOptions = { thresholdDays, includeExisting: options.includeExisting === true };
		let outcome: PollOutcome;
		if (event === 'apiKeyExpiringSoon') outcome = diffExpiringKeys(records, previous, now, keyOptions);
		else if (event === 'apiKeyRevokedOrExpired') outcome = diffEndedKeys(records, previous, now, keyOptions);
		else outcome = diffNewRecords(event, records, previous, now);

		for (const key of Object.keys(staticData)) delete staticData[key];
		Object.assign(staticData, outcome.state);

		return outcome.emit.length ? [this.helpers.returnJsonArray(outcome.emit)] : null;
	}
}

async function listRecords(this: IPollFunctions, event: TriggerEvent): Promise<unknown[]> {
	if (isKeyEvent(event)) {
		// The API key list has no paging parameters: a user has a handful of keys.
		const response = await dnsFilterApiRequest.call(this, { method: 'GET', path: '/v1/api_keys' });
		const body = response.body as IDataObject | unknown[] | undefined;
		if (Array.isArray(body)) return body;
		return Array.isArray(body?.data) ? body.data : [];
	}
	const { records } = await dnsFilterApiRequestPaged.call(
		this,
		{ method: 'GET', path: NEW_RECORD_SOURCES[event].path },
		{ style: 'v1', returnAll: true },
	);
	return records;
}
