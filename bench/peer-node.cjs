// The peer: a node built the way @devlikeapro/n8n-openapi-node's README shows, from the same
// DNSFilter OpenAPI document, read at module load (the README's `import * as doc from './openapi.json'`).
const path = require('node:path');
const { N8NPropertiesBuilder } = require('@devlikeapro/n8n-openapi-node');

const doc = require(path.resolve(__dirname, '..', '..', 'shared', 'dnsfilter', 'openapi.json'));

const properties = new N8NPropertiesBuilder(doc, {}).build();

class PeerDnsFilter {
	constructor() {
		this.description = {
			displayName: 'DNSFilter (peer)',
			name: 'peerDnsFilter',
			icon: 'file:dnsfilter.svg',
			group: ['transform'],
			version: 1,
			subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
			description: 'Interact with the DNSFilter API',
			defaults: { name: 'DNSFilter' },
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: 'dnsFilterApi', required: true }],
			requestDefaults: {
				headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
				baseURL: '={{$credentials.baseUrl}}',
			},
			properties,
		};
	}
}

module.exports = { PeerDnsFilter };
