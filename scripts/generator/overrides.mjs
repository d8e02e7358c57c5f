// Hand-written exceptions read by the generator. Edit this file (never the generated output) and
// run `npm run generate`.

export const OVERRIDES = {
	/**
	 * Per tag: `value` (resource parameter value), `singular` / `plural` labels, or `mergeInto`
	 * (another tag) for a tag without a read operation of its own: a resource must open on a read
	 * operation, so switching resource never lands on a write.
	 */
	resources: {
		'Policies Bulk Actions': { mergeInto: 'Policies' },
		Trials: { mergeInto: 'Organizations' },
		'User Organization UI Settings': { mergeInto: 'User UI Settings' },
		'Agent Local Users CSV Export': { singular: 'Agent Local User CSV Export' },
		'Networks CSV Exports': { singular: 'Network CSV Export' },
		'User (Current)': { value: 'currentUser', singular: 'Current User', plural: 'Current Users' },
		// The API says user agent; the dashboard and the traffic reports say roaming client.
		'User Agents': { value: 'userAgent', singular: 'Roaming Client' },
		'User Agent Bulk Deletes': {
			value: 'userAgentBulkDelete',
			singular: 'Roaming Client Bulk Delete',
		},
		'User Agent Bulk Updates': {
			value: 'userAgentBulkUpdate',
			singular: 'Roaming Client Bulk Update',
		},
		'User Agent Cleanups': { value: 'userAgentCleanup', singular: 'Roaming Client Cleanup' },
		'User Agent CSV Exports': {
			value: 'userAgentCsvExport',
			singular: 'Roaming Client CSV Export',
		},
		'User Agent Releases': { value: 'userAgentRelease', singular: 'Roaming Client Release' },
		Metrics: { singular: 'Metric' },
	},

	/** Tags whose operations are named by their action alone ("Top Domains", "Query Logs"). */
	reportResources: ['Traffic Reports'],

	/** Per operationId: `name` (label) and/or `value` (operation parameter value). */
	operations: {
		'V1_Dictionary_Lookups-qp_methods': { name: 'Get QP Methods' },
		// One object (the distributor and its parent organization), not a list.
		'V1_Distributors-distributors_index': { name: 'Get Distributor' },
		'V1_Distributors-distributors_update': { name: 'Update Distributor' },
		'V1_Distributors-reports_covered_users_summary_by_organization': {
			name: 'Get Covered Users Summary by Organization',
		},
		'V1_Distributors-reports_usage_by_organization': { name: 'Get Usage by Organization' },
		'V1_Distributors-reports_usage_by_sku': { name: 'Get Usage by SKU' },
		'V1_Distributors-skus_available': { name: 'Get Available SKUs' },
		'V1_Distributors-users_reset_password_url': { name: 'Get Distributor User Reset Password URL' },
		'V1_Domains-user_lookup': { name: 'Look Up Domain' },
		'V1_IP_Addresses-myip': { name: 'Get My IP Address' },
		'V1_Invoices-current': { name: 'Get Current Invoice' },
		'V1_Metrics-organization_usage': { name: 'Get Organization Usage' },
		'V1_Metrics-organization_usage_detailed': { name: 'Get Detailed Organization Usage' },
		'V1_Networks-bulk_destroy_status': { name: 'Get Network Bulk Delete Status' },
		'V1_Networks-lookup': { name: 'Get Network by IP' },
		'V1_Networks-msp': { name: 'Get Many MSP Networks' },
		'V1_Networks-msp_all': { name: 'Get All MSP Networks' },
		// The API's paths say blacklist/whitelist; its own summaries say block/allow and blocklist.
		'V1_Policies-add_blacklist_category': { name: 'Add Category to Policy Blocklist' },
		'V1_Policies-remove_blacklist_category': { name: 'Remove Category From Policy Blocklist' },
		'V1_Policies-add_blacklist_domain': { name: 'Add Domain to Policy Blocklist' },
		'V1_Policies-remove_blacklist_domain': { name: 'Remove Domain From Policy Blocklist' },
		'V1_Policies-add_whitelist_domain': { name: 'Add Domain to Policy Allowlist' },
		'V1_Policies-remove_whitelist_domain': { name: 'Remove Domain From Policy Allowlist' },
		'V1_Policies-add_allowed_application': { name: 'Add Allowed Application to Policy' },
		'V1_Policies-remove_allowed_application': { name: 'Remove Allowed Application From Policy' },
		'V1_Policies-add_blocked_application': { name: 'Add Blocked Application to Policy' },
		'V1_Policies-remove_blocked_application': { name: 'Remove Blocked Application From Policy' },
		'V1_Organizations-promote_to_msp': { name: 'Promote Organization to MSP' },
		'V1_Policies_Bulk_Actions-add_allowlist_domains': { name: 'Bulk Add Allowlist Domains' },
		'V1_Policies_Bulk_Actions-add_blocklist_domains': { name: 'Bulk Add Blocklist Domains' },
		'V1_Policies_Bulk_Actions-remove_allowlist_domains': { name: 'Bulk Remove Allowlist Domains' },
		'V1_Policies_Bulk_Actions-remove_blocklist_domains': { name: 'Bulk Remove Blocklist Domains' },
		'V1_Traffic_Reports-total_domain_requests': { name: 'Get Requests for Domain' },
		'V1_Traffic_Reports-total_organizations_requests': { name: 'Get Organization Request Totals' },
		'V1_Trials-create': { name: 'Create Organization Trial' },
		'V1_User_Agent_Bulk_Updates-has_mixed': { name: 'Check Mixed Roaming Client Values' },
		'V1_User_Agents-csv': { name: 'Get Roaming Clients as CSV' },
		'V2_Dictionary_Lookups-ai_applications': { name: 'Get AI Applications' },
		'V2_Dictionary_Lookups-cyber_sight_activity_types': { name: 'Get CyberSight Activity Types' },
		'V2_Dictionary_Lookups-vpn_settings_state_types': { name: 'Get VPN Settings State Types' },
		'V2_User_Organization_UI_Settings-suppress_license_warning': {
			name: 'Suppress License Warning',
		},
	},

	/**
	 * Path segments before `{id}` that are not a plural record name, with the record the ID
	 * belongs to ("Bulk Create Job ID").
	 */
	idSegments: {
		agent_local_users_csv_export: 'agent local user CSV export',
		bulk_create: 'bulk create job',
		bulk_destroy: 'bulk delete job',
		bulk_update: 'bulk update job',
		networks_csv_export: 'network CSV export',
		organization_usage: 'organization',
		organization_usage_detailed: 'organization',
		user_agent_bulk_deletes: 'roaming client bulk delete',
		user_agent_bulk_updates: 'roaming client bulk update',
		user_agent_cleanups: 'roaming client cleanup',
		user_agent_csv_exports: 'roaming client CSV export',
		user_agents: 'roaming client',
	},

	/** Per tag, per `<in> <wireName>`: a field label (`name`) and/or `description`. */
	fields: {
		'Collection Users': {
			'body collection_id': {
				name: 'Collection ID in Body',
				description: 'ID of the collection, sent in the body; usually the same as Collection ID',
			},
		},
		'Domain Notes': {
			'path resource': {
				name: 'Record Type',
				description: 'Kind of record the domain notes belong to',
			},
			'path id': {
				name: 'Record ID',
				description: 'ID of the policy, MSP or organization the notes belong to',
			},
			'path domain': { name: 'Domain', description: 'Domain whose note is read or changed' },
			'body domain': {
				name: 'Note Domain',
				description: 'Domain the note is saved for, sent as domain in the body',
			},
		},
		'Enterprise Connections': {
			'body options': {
				name: 'Connection Options',
				description: 'JSON object sent as options in the body',
			},
		},
		'Traffic Reports': {
			'query limit': {
				name: 'Max Locations',
				description: 'Max number of locations in the report, sent as limit',
			},
		},
	},

	/**
	 * Hand-written operations shown beside the generated ones (their handlers are registered in
	 * nodes/DnsFilter/actions/registry.ts, their extra fields listed there too).
	 * Each: { resource, value, name, action }.
	 */
	customOperations: [
		{
			resource: 'apiKey',
			value: 'checkCurrentKey',
			name: 'Check Current Key',
			action: 'Check the current API key',
			description:
				"Reads the credential's own key (no request unless the key count is asked for); returns one item",
		},
	],

	/**
	 * The node's own "Custom API Call" (options and fields in nodes/DnsFilter/descriptions/customApiCall.ts, handler in nodes/DnsFilter/actions/handwritten/customApiCall.ts): a resource
	 * and, last in every operation selector, an operation. The identifiers name its exported options.
	 */
	customApiCall: {
		value: 'customApiCall',
		resourceOption: 'customApiCallResource',
		operationOption: 'customApiCallOperation',
	},

	/**
	 * CSV export jobs: create operationId → the operationId that reads the job state. Pairs are
	 * also found by rule (a `create` and a `show` in a tag whose name contains "CSV Export"); this
	 * list is for pairs the rule cannot see.
	 */
	exportStatus: {},

	/**
	 * Record pickers the document cannot decide (scripts/generator/locators.mjs), keyed by
	 * `in wireName` or `METHOD /path in wireName`: `list` (the list operation's path) or `skip` (the reason).
	 */
	locators: {
		// Distributor records: the MSP and organization lists of a distributor key, not the key's own.
		'query distributor_id': {
			skip: 'a distributor ID (a string the distributor assigns), not listed by the API',
		},
		'body distributor_id': {
			skip: 'a distributor ID (a string the distributor assigns), not listed by the API',
		},
		'query external_id': { skip: 'an ID from another system, not a DNSFilter record' },
		'body external_id': { skip: 'an ID from another system, not a DNSFilter record' },
		'body unique_id': { skip: 'an ID from another system, not a DNSFilter record' },
		'body search_id': { skip: 'names a saved search, not a listed record' },
	},
};
