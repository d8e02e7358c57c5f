import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

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
	description:
		'Sends any request below the base URL; retries, errors and paging as for every operation',
};

export const METHODS_WITH_BODY = ['DELETE', 'PATCH', 'POST', 'PUT'];

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
		description:
			"Path below the credential's base URL, starting with /v1/ or /v2/, e.g. /v1/networks/12",
	},
	{
		displayName: 'Query Parameters (JSON)',
		name: 'requestQuery',
		type: 'json',
		displayOptions: { show: { operation: [CUSTOM_API_CALL] } },
		default: '{}',
		description:
			'JSON object; nested objects and lists are sent Rails-style, e.g. {"filter": {"name": "x"}} as filter[name]=x',
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
		description:
			'Whether to walk page[number] / page[size] until the list ends and return every record',
	},
	{
		displayName: 'Include Secrets',
		name: 'includeSecrets',
		type: 'boolean',
		displayOptions: { show: { resource: [CUSTOM_API_CALL], operation: [CUSTOM_API_CALL] } },
		default: false,
		description:
			"Whether to return secrets (a network's secret_key, an API key's token) in full. Off: masked as the matching operation masks them, so they never reach the execution log or an AI agent.",
	},
];
