import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { CREDENTIAL_TYPE, decodeApiKey, dnsFilterApiRequest } from '../../transport';
import { requestSettingsFor } from '../requestSettings';
import {
	apiKeyStateOf,
	computeKeyInsight,
	DEFAULT_EXPIRING_SOON_DAYS,
	MAX_ACTIVE_KEYS_PER_USER,
	normaliseThreshold,
} from '../../records/apiKeyInsight';

/**
 * "API Key → Check Current Key": what the credential's own key says about itself, read from its
 * JWT claims without a request (the key may be expired, and DNSFilter warns nobody). The key,
 * its signature and its raw claims never leave this function; only dates, the subject and the
 * last four characters (which the dashboard shows too) do.
 */

export const CHECK_CURRENT_KEY_OPERATION = 'checkCurrentKey';

/** Top-level parameters: the threshold for list/get/check, the key count for check only. */
export const apiKeyInsightProperties: INodeProperties[] = [
	{
		displayName: 'Expiring Soon Threshold (Days)',
		name: 'expiringSoonThresholdDays',
		type: 'number',
		default: DEFAULT_EXPIRING_SOON_DAYS,
		typeOptions: { minValue: 0, numberPrecision: 0 },
		description:
			'Keys with at most this many whole days left get isExpiringSoon = true. DNSFilter itself sends no expiry warning.',
		displayOptions: {
			show: {
				resource: ['apiKey'],
				operation: ['getManyApiKeys', 'getApiKey', CHECK_CURRENT_KEY_OPERATION],
			},
		},
	},
	{
		displayName: 'Include Key Count',
		name: 'includeKeyCount',
		type: 'boolean',
		default: false,
		description:
			"Whether to also list the user's API keys (one request) and report how many are active out of the 5 DNSFilter allows",
		displayOptions: { show: { resource: ['apiKey'], operation: [CHECK_CURRENT_KEY_OPERATION] } },
	},
];

export function thresholdFor(context: IExecuteFunctions, itemIndex: number): number {
	return normaliseThreshold(
		context.getNodeParameter('expiringSoonThresholdDays', itemIndex, DEFAULT_EXPIRING_SOON_DAYS),
	);
}

function iso(date: Date | undefined): string | null {
	return date ? date.toISOString() : null;
}

export async function checkCurrentKey(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<IDataObject> {
	const threshold = thresholdFor(this, itemIndex);
	const includeKeyCount = this.getNodeParameter('includeKeyCount', itemIndex, false) === true;
	const credentials = await this.getCredentials(CREDENTIAL_TYPE, itemIndex);
	const apiKey = String(credentials.apiKey ?? '').trim();
	let decoded;
	try {
		decoded = decodeApiKey(apiKey);
	} catch (error) {
		throw new NodeOperationError(this.getNode(), (error as Error).message, { itemIndex });
	}
	const now = new Date();
	const insight = computeKeyInsight({ expiry: decoded.expiresAt }, now, threshold);
	const lastFour = apiKey.slice(-4);
	const result: IDataObject = {
		subject: decoded.subject ?? null,
		issuedAt: iso(decoded.issuedAt),
		expiresAt: iso(decoded.expiresAt),
		...insight,
		expiringSoonThresholdDays: threshold,
		lastFour,
		checkedAt: now.toISOString(),
	};
	if (!decoded.expiresAt) {
		result.note =
			'The key carries no expiry claim; its expiry is shown in the DNSFilter dashboard.';
	}
	if (includeKeyCount && !insight.isExpired) {
		const response = await dnsFilterApiRequest.call(
			this,
			{ method: 'GET', path: '/v1/api_keys' },
			requestSettingsFor(this, itemIndex),
		);
		const body = response.body as IDataObject | IDataObject[] | undefined;
		const records = (
			Array.isArray(body) ? body : Array.isArray(body?.data) ? body.data : []
		) as IDataObject[];
		const states = records.map((record) => ({
			record,
			state: apiKeyStateOf(record),
			insight: computeKeyInsight(apiKeyStateOf(record), now, threshold),
		}));
		const active = states.filter(
			({ state, insight: keyInsight }) =>
				(state.status ?? 'active').toLowerCase() === 'active' && !keyInsight.isExpired,
		);
		const match = states.find(({ record }) => {
			const attributes = (record.attributes ?? record) as IDataObject;
			return typeof attributes.last_four === 'string' && attributes.last_four === lastFour;
		});
		result.keyCount = records.length;
		result.activeKeyCount = active.length;
		result.maxActiveKeys = MAX_ACTIVE_KEYS_PER_USER;
		result.canCreateKey = active.length < MAX_ACTIVE_KEYS_PER_USER;
		result.otherKeysExpiringSoon = states.filter(
			({ record, insight: keyInsight }) => keyInsight.isExpiringSoon && record !== match?.record,
		).length;
		if (match) {
			result.keyId = match.record.id ?? null;
			const attributes = (match.record.attributes ?? match.record) as IDataObject;
			if (attributes.name !== undefined) result.keyName = attributes.name;
			if (attributes.status !== undefined) result.status = attributes.status;
		}
	}
	return result;
}
