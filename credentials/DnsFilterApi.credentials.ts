import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class DnsFilterApi implements ICredentialType {
	name = 'dnsFilterApi';

	displayName = 'DNSFilter API';

	icon: Icon = {
		light: 'file:../nodes/DnsFilter/dnsfilter.svg',
		dark: 'file:../nodes/DnsFilter/dnsfilter.dark.svg',
	};

	documentationUrl = 'https://help.dnsfilter.com/hc/en-us/articles/21169189058323-API-Tokens';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'The DNSFilter API key (a JSON Web Token). Create one under Account Settings → Security → API Keys; it is shown only once.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.dnsfilter.com',
			required: true,
			description: 'Root of the DNSFilter API, without a trailing slash',
		},
		{
			displayName: 'Requests per Window (per n8n Process)',
			name: 'throttleRequests',
			type: 'number',
			default: 2000,
			typeOptions: { minValue: 0, maxValue: 1000000, numberPrecision: 0 },
			description:
				'Client-side budget for this credential within one n8n process. DNSFilter allows about 2,000 requests per 300 seconds per organization, shared with the dashboard. The node also paces itself from the RateLimit headers of each answer, so several n8n processes share that budget without a split; divide this value between processes only behind a proxy that drops those headers. 0 turns the throttle off.',
		},
		{
			displayName: 'Window Length (Seconds)',
			name: 'throttleWindowSeconds',
			type: 'number',
			default: 300,
			typeOptions: { minValue: 1, maxValue: 86400 },
			description: 'Length of the rate-limit window the budget above applies to (at most one day)',
		},
	];

	// DNSFilter expects the raw key in Authorization, without a "Bearer" prefix.
	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '={{$credentials.apiKey}}',
			},
		},
	};

	// n8n reports a failed declarative test by HTTP status text alone ("Unauthorized"); these rules
	// say what the status means for a DNSFilter key and what to do. Node executions show the API's
	// own message.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/v1/current_user',
			method: 'GET',
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'DNSFilter rejected the API key (HTTP 401): it is invalid, expired or revoked. Create a new key under Account Settings → Security → API Keys.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						"DNSFilter accepted the API key but refused access (HTTP 403): the key's user lacks the permission to read its own profile.",
				},
			},
		],
	};
}
