// Hand-written exceptions read by the generator. Edit this file (never the generated output) and
// run `npm run generate`.

export const OVERRIDES = {
	/** Per tag: `value` (resource parameter value), `singular` / `plural` labels. */
	resources: {
		'Agent Local Users CSV Export': { singular: 'Agent Local User CSV Export' },
		'Networks CSV Exports': { singular: 'Network CSV Export' },
		'Policies Bulk Actions': { singular: 'Policy Bulk Action' },
		'User (Current)': { value: 'currentUser', singular: 'Current User', plural: 'Current Users' },
		Metrics: { singular: 'Metric' },
	},

	/** Tags whose operations are named by their action alone ("Top Domains", "Query Logs"). */
	reportResources: ['Traffic Reports'],

	/** Per operationId: `name` (label) and/or `value` (operation parameter value). */
	operations: {
		'V1_Dictionary_Lookups-qp_methods': { name: 'Get QP Methods' },
		'V1_Distributors-distributors_index': { name: 'Get Many Distributors' },
		'V1_Distributors-distributors_update': { name: 'Update Distributor' },
		'V1_Distributors-reports_covered_users_summary_by_organization': { name: 'Get Covered Users Summary by Organization' },
		'V1_Distributors-reports_usage_by_organization': { name: 'Get Usage by Organization' },
		'V1_Distributors-reports_usage_by_sku': { name: 'Get Usage by SKU' },
		'V1_Distributors-skus_available': { name: 'Get Available SKUs' },
		'V1_Distributors-users_reset_password_url': { name: 'Get Distributor User Reset Password URL' },
		'V1_Domains-user_lookup': { name: 'Look Up Domain' },
		'V1_IP_Addresses-myip': { name: 'Get My IP Address' },
		'V1_Invoices-current': { name: 'Get Current Invoice' },
		'V1_Networks-bulk_destroy_status': { name: 'Get Network Bulk Delete Status' },
		'V1_Networks-lookup': { name: 'Get Network by IP' },
		'V1_Networks-msp': { name: 'Get Many MSP Networks' },
		'V1_Networks-msp_all': { name: 'Get All MSP Networks' },
		'V1_Policies_Bulk_Actions-add_allowlist_domains': { name: 'Bulk Add Allowlist Domains' },
		'V1_Policies_Bulk_Actions-add_blocklist_domains': { name: 'Bulk Add Blocklist Domains' },
		'V1_Policies_Bulk_Actions-remove_allowlist_domains': { name: 'Bulk Remove Allowlist Domains' },
		'V1_Policies_Bulk_Actions-remove_blocklist_domains': { name: 'Bulk Remove Blocklist Domains' },
		'V1_User_Agent_Bulk_Updates-has_mixed': { name: 'Check Mixed Agent Values' },
		'V2_Dictionary_Lookups-ai_applications': { name: 'Get AI Applications' },
		'V2_Dictionary_Lookups-cyber_sight_activity_types': { name: 'Get CyberSight Activity Types' },
		'V2_Dictionary_Lookups-vpn_settings_state_types': { name: 'Get VPN Settings State Types' },
		'V2_User_Organization_UI_Settings-suppress_license_warning': { name: 'Suppress License Warning' },
	},

	/**
	 * Hand-written operations shown beside the generated ones (their handlers are registered in
	 * nodes/DnsFilter/actions/custom/index.ts, their extra fields declared there too).
	 * Each: { resource, value, name, action }.
	 */
	customOperations: [{ resource: 'apiKey', value: 'checkCurrentKey', name: 'Check Current Key', action: 'Check the current API key' }],

	/**
	 * CSV export jobs: create operationId → the operationId that reads the job state. Pairs are
	 * also found by rule (a `create` and a `show` in a tag whose name contains "CSV Export"); this
	 * list is for pairs the rule cannot see.
	 */
	exportStatus: {},
};
