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
			description:
				'Root of the DNSFilter API, without a trailing slash. https:// only; plain http:// only to this machine (localhost, 127.x.x.x, [::1]) unless Allow Plain HTTP is on.',
		},
		{
			displayName: 'Allow Plain HTTP',
			name: 'allowPlainHttp',
			type: 'boolean',
			default: false,
			description:
				'Whether a Base URL starting with http:// may point at another machine. The API key then travels unencrypted: only for a trusted proxy on a private network.',
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
			// Refused before the key is attached (the node's requests check the same in the transport):
			// plain http to another machine without the explicit allow, or a query or fragment that
			// would swallow the path.
			baseURL:
				'={{ (() => { const url = String($credentials.baseUrl).trim().replace(/\\/+$/, ""); if (/[?#]/.test(url)) { throw new Error("The DNSFilter credential\'s Base URL must not contain ? or #: remove everything from there on. Nothing was sent."); } if (/^http:\\/\\//i.test(url) && $credentials.allowPlainHttp !== true && !/^http:\\/\\/(localhost|[^/:]+\\.localhost|127(\\.\\d{1,3}){3}|\\[::1\\])(:\\d+)?(\\/|$)/i.test(url)) { throw new Error("The DNSFilter credential\'s Base URL is plain http:// to another machine, which would send the API key unencrypted: use https://, or switch on Allow Plain HTTP for a trusted proxy. Nothing was sent."); } return url; })() }}',
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
