import type { IDataObject, IExecuteFunctions, IHttpRequestMethods, INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ApiRequest } from '../../transport';
import { dnsFilterApiRequest, dnsFilterApiRequestPaged } from '../../transport';
import { isRecord } from '../../utils/isRecord';
import { appendRailsPairs, parseJsonValue } from '../buildRequest';
import { requestSettingsFor } from '../requestSettings';
import { isEmptyBody, recordsOf, shapeList, shapeRecord, successResult } from '../shapeOutput';

/**
 * "Custom API Call": any DNSFilter endpoint (one newer than the OpenAPI document, say) through the
 * node's own transport, so it gets the same 429 handling, errors, throttle and paging.
 *
 * n8n appends its own "Custom API Call" (value `__CUSTOM_API_CALL__`, which only the HTTP Request
 * node can run) to every resource and operation selector of a node whose credential has
 * `authenticate`, unless the selector's last option is already named "Custom API Call". These two
 * options are that last option, so the entry users see is this one and it works.
 */

export const CUSTOM_API_CALL = 'customApiCall';

export const customApiCallResource: INodePropertyOptions = {
	name: 'Custom API Call',
	value: CUSTOM_API_CALL,
	description: 'Any DNSFilter endpoint, by method and path',
};

export const customApiCallOperation: INodePropertyOptions = {
	name: 'Custom API Call',
	value: CUSTOM_API_CALL,
	action: 'Send a custom API request',
	description: 'Sends any request below the base URL; retries, errors and paging as for every operation',
};

const METHODS_WITH_BODY = ['DELETE', 'PATCH', 'POST', 'PUT'];

export const customApiCallProperties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [CUSTOM_API_CALL] } },
		options: [customApiCallOperation],
		default: 'customApiCall',
	},
	{
		displayName: 'Method',
		name: 'requestMethod',
		type: 'options',
		displayOptions: { show: { operation: [CUSTOM_API_CALL] } },
		options: [
			{ name: 'DELETE', value: 'DELETE' },
			{ name: 'GET', value: 'GET' },
			{ name: 'PATCH', value: 'PATCH' },
			{ name: 'POST', value: 'POST' },
			{ name: 'PUT', value: 'PUT' },
		],
		default: 'GET',
	},
	{
		displayName: 'Path',
		name: 'requestPath',
		type: 'string',
		required: true,
		displayOptions: { show: { operation: [CUSTOM_API_CALL] } },
		default: '',
		placeholder: '/v1/networks',
		description: 'Path below the credential\'s base URL, starting with /v1/ or /v2/, e.g. /v1/networks/12',
	},
	{
		displayName: 'Query Parameters (JSON)',
		name: 'requestQuery',
		type: 'json',
		displayOptions: { show: { operation: [CUSTOM_API_CALL] } },
		default: '{}',
		description: 'JSON object; nested objects and lists are sent Rails-style, e.g. {"filter": {"name": "x"}} as filter[name]=x',
	},
	{
		displayName: 'Body (JSON)',
		name: 'requestBody',
		type: 'json',
		displayOptions: { show: { operation: [CUSTOM_API_CALL], requestMethod: METHODS_WITH_BODY } },
		default: '',
		description: 'Request body as JSON; leave empty to send none',
	},
	{
		displayName: 'Return All Pages',
		name: 'requestReturnAll',
		type: 'boolean',
		displayOptions: { show: { operation: [CUSTOM_API_CALL], requestMethod: ['GET'] } },
		default: false,
		description: 'Whether to walk page[number] / page[size] until the list ends and return every record',
	},
];

/**
 * Checks a custom path: below the base URL (no origin, no `//`), under /v1/ or /v2/, no `..`
 * segment (plain or percent-encoded), no query or fragment (those go in Query Parameters).
 * Returns an error message, or undefined when the path is fine.
 */
export function customPathProblem(path: string): string | undefined {
	if (path === '') return 'The "Path" field is required';
	if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith('//')) return 'The "Path" must be a path below the base URL, not a URL';
	if (!/^\/v[12]\//.test(path)) return 'The "Path" must start with /v1/ or /v2/';
	if (/[\s\\]/.test(path)) return 'The "Path" must not contain spaces or backslashes';
	if (/[?#]/.test(path)) return 'The "Path" must not contain ? or #; put query parameters in "Query Parameters (JSON)"';
	const segments = path.split('/').map((segment) => {
		try {
			return decodeURIComponent(segment);
		} catch {
			return segment;
		}
	});
	if (segments.some((segment) => segment === '..' || segment === '.')) return 'The "Path" must not contain . or .. segments';
	return undefined;
}

function isScalarList(value: unknown): boolean {
	return Array.isArray(value) && value.every((entry) => !isRecord(entry) && !Array.isArray(entry));
}

export async function customApiCall(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const node = this.getNode();
	const fail = (message: string, description?: string): never => {
		throw new NodeOperationError(node, message, { itemIndex, description });
	};
	const method = String(this.getNodeParameter('requestMethod', itemIndex, 'GET')).toUpperCase() as IHttpRequestMethods;
	const path = String(this.getNodeParameter('requestPath', itemIndex, '') ?? '').trim();
	const problem = customPathProblem(path);
	if (problem) fail(problem, `Got "${path}". Example: /v1/networks or /v2/dictionary/ai_applications.`);

	const query = parseJsonValue(this.getNodeParameter('requestQuery', itemIndex, '{}'), 'object', 'Query Parameters (JSON)', fail) as IDataObject | undefined;
	const qs: IDataObject = {};
	const railsPairs: string[] = [];
	for (const [key, value] of Object.entries(query ?? {})) {
		if (isRecord(value) || (Array.isArray(value) && !isScalarList(value))) appendRailsPairs(railsPairs, key, value);
		else qs[key] = value;
	}
	const request: ApiRequest = { method, path: railsPairs.length ? `${path}?${railsPairs.join('&')}` : path };
	if (Object.keys(qs).length) request.qs = qs;
	if (METHODS_WITH_BODY.includes(method)) {
		const body = parseJsonValue(this.getNodeParameter('requestBody', itemIndex, ''), 'any', 'Body (JSON)', fail);
		if (body !== undefined) request.body = body as IDataObject;
	}

	const settings = requestSettingsFor(this, itemIndex);
	if (method === 'GET' && this.getNodeParameter('requestReturnAll', itemIndex, false) === true) {
		const style = path.startsWith('/v1/traffic_reports/') ? 'trafficReport' : 'v1';
		const { records } = await dnsFilterApiRequestPaged.call(this, request, { style, returnAll: true, ...settings });
		return shapeList(records, false);
	}
	const response = await dnsFilterApiRequest.call(this, request, settings);
	if (response.statusCode === 204 || isEmptyBody(response.body)) return [successResult(undefined)];
	const body = response.body;
	if (Array.isArray(body) || (isRecord(body) && Array.isArray(body.data))) return shapeList(recordsOf(body), false);
	return [shapeRecord(body, false)];
}
