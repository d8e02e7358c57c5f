// Naming: resource values/labels from tags, operation values/labels from operationIds, parameter
// names/labels from wire names. Everything here is a pure function of its input, so the output is
// stable; hand-picked exceptions live in overrides.mjs.
import { OVERRIDES } from './overrides.mjs';

/** Words shown in a fixed spelling in labels. */
const ACRONYMS = {
	ai: 'AI',
	api: 'API',
	csv: 'CSV',
	dns: 'DNS',
	fqdn: 'FQDN',
	fqdns: 'FQDNs',
	id: 'ID',
	ids: 'IDs',
	idp: 'IdP',
	ip: 'IP',
	ips: 'IPs',
	lan: 'LAN',
	mac: 'MAC',
	mrr: 'MRR',
	msp: 'MSP',
	msps: 'MSPs',
	nat: 'NAT',
	pii: 'PII',
	pin: 'PIN',
	psa: 'PSA',
	qp: 'QP',
	qps: 'QPS',
	scim: 'SCIM',
	sku: 'SKU',
	skus: 'SKUs',
	sso: 'SSO',
	ui: 'UI',
	url: 'URL',
	urls: 'URLs',
	utc: 'UTC',
	uuid: 'UUID',
	uuids: 'UUIDs',
	vpn: 'VPN',
};

/** Splits any identifier-ish string into lowercase words: `user_id:`, `ep-grd`, `Api Keys`, `fooBar`. */
export function words(text) {
	return String(text)
		.replace(/([a-z0-9])([A-Z])/g, '$1 $2')
		.split(/[^A-Za-z0-9]+/)
		.filter(Boolean)
		.map((word) => word.toLowerCase());
}

export function titleWord(word) {
	if (ACRONYMS[word]) return ACRONYMS[word];
	return word.charAt(0).toUpperCase() + word.slice(1);
}

/** Title Case with acronyms, the form n8n's lint wants for display names. */
export function title(text) {
	return words(text).map(titleWord).join(' ');
}

export function camel(text) {
	const parts = words(text);
	if (parts.length === 0) return 'value';
	const joined = parts
		.map((word, index) => (index === 0 ? word : word.charAt(0).toUpperCase() + word.slice(1)))
		.join('');
	return /^[0-9]/.test(joined) ? `n${joined}` : joined;
}

export function pascal(text) {
	const value = camel(text);
	return value.charAt(0).toUpperCase() + value.slice(1);
}

export function singularWord(word) {
	const lower = word.toLowerCase();
	if (lower.endsWith('ies') && lower.length > 4)
		return `${word.slice(0, -3)}${word.at(-3) === 'I' ? 'Y' : 'y'}`;
	if (/(ss|x|ch|sh)es$/i.test(lower)) return word.slice(0, -2);
	if (/(ss|us|is)$/i.test(lower)) return word;
	if (lower.endsWith('s') && lower.length > 2) return word.slice(0, -1);
	return word;
}

export function pluralWord(word) {
	const lower = word.toLowerCase();
	if (ACRONYMS[lower] && ACRONYMS[`${lower}s`]) return ACRONYMS[`${lower}s`];
	if (lower.endsWith('s') && !/(ss|us|is)$/.test(lower)) return word;
	if (/[^aeiou]y$/.test(lower)) return `${word.slice(0, -1)}ies`;
	if (/(ss|x|ch|sh|us)$/.test(lower)) return `${word}es`;
	return `${word}s`;
}

function replaceLast(list, fn) {
	if (list.length === 0) return list;
	return [...list.slice(0, -1), fn(list.at(-1))];
}

/** `{ value, singular, plural }` for a tag: `Api Keys` → `apiKey`, `API Key`, `API Keys`. */
export function resourceNaming(tag) {
	const override = OVERRIDES.resources[tag] ?? {};
	const tagWords = words(tag);
	const singularWords = override.singular
		? words(override.singular)
		: replaceLast(tagWords, singularWord);
	const singular = singularWords.map(titleWord).join(' ');
	const plural = override.plural ?? replaceLast(singularWords, pluralWord).map(titleWord).join(' ');
	return { value: override.value ?? camel(singularWords.join(' ')), singular, plural };
}

/** The action part of an operationId: `V1_Networks-generate_secret_key` → `generate_secret_key`. */
export function actionOf(operationId) {
	const dash = operationId.lastIndexOf('-');
	return dash >= 0 ? operationId.slice(dash + 1) : operationId;
}

export function versionOf(operationId) {
	const match = /^(V\d+)_/i.exec(operationId);
	return match ? match[1].toLowerCase() : '';
}

// Verbs that may start an action (`revoke_secret_key`), with the word shown for them.
const LEADING_VERBS = {
	add: 'Add',
	cancel: 'Cancel',
	change: 'Change',
	check: 'Check',
	create: 'Create',
	delete: 'Delete',
	dequeue: 'Dequeue',
	destroy: 'Delete',
	generate: 'Create',
	get: 'Get',
	promote: 'Promote',
	reactivate: 'Reactivate',
	remove: 'Remove',
	resend: 'Resend',
	reset: 'Reset',
	revoke: 'Revoke',
	rotate: 'Rotate',
	send: 'Send',
	suggest: 'Suggest',
	suppress: 'Suppress',
	update: 'Update',
	verify: 'Verify',
};

// Rails-style action names that end a `noun_action` pair (`msps_index`, `address_show`).
const TRAILING_ACTIONS = new Set([
	'all',
	'cancel',
	'counts',
	'create',
	'destroy',
	'index',
	'reactivate',
	'show',
	'status',
	'update',
]);

function phrase(list) {
	return list.map(titleWord).join(' ');
}

function singularPhrase(list) {
	return phrase(replaceLast(list, singularWord));
}

function pluralPhrase(list) {
	return phrase(replaceLast(list, (word) => pluralWord(singularWord(word))));
}

function standardAction(action, subject, subjectPlural) {
	switch (action) {
		case 'index':
			return `Get Many ${subjectPlural}`;
		case 'all':
			return `Get All ${subjectPlural}`;
		case 'show':
			return `Get ${subject}`;
		case 'create':
			return `Create ${subject}`;
		case 'update':
			return `Update ${subject}`;
		case 'destroy':
			return `Delete ${subject}`;
		case 'count':
		case 'counts':
			return `Get ${subject} Counts`;
		case 'cancel':
			return `Cancel ${subject}`;
		case 'reactivate':
			return `Reactivate ${subject}`;
		default:
			return undefined;
	}
}

/** Groupings a traffic report breaks its figures down by, as the dashboard names them. */
const REPORT_GROUPS = {
	agents: 'Roaming Client',
	collections: 'Collection',
	geo: 'Location',
	networks: 'Network',
	organizations: 'Organization',
	users: 'User',
};

function byGroup(group) {
	return group && REPORT_GROUPS[group] ? ` by ${REPORT_GROUPS[group]}` : '';
}

/**
 * Traffic-report actions read as what they return: `total_threats_users` → "Get Total Threats by
 * User", `total_categories_agents` → "Get Category Requests by Roaming Client", `qps_active_users`
 * → "Get Queries per Second by User", `top_domains` → "Get Top Domains".
 */
function reportLabel(w) {
	const [first, ...rest] = w;
	if (first === 'qps') return `Get Queries per Second${byGroup(rest.at(-1))}`;
	if (first === 'top') {
		if (rest.at(-1) === 'requests') return `Get Top ${phrase(rest.slice(0, -1))} by Requests`;
		return `Get Top ${phrase(rest)}`;
	}
	if (first === 'total' && (rest[0] === 'requests' || rest[0] === 'threats'))
		return `Get Total ${titleWord(rest[0])}${byGroup(rest[1])}`;
	if (first === 'total' && rest[0] === 'applications' && rest.at(-1) === 'stats')
		return `Get Application Requests${byGroup(rest.length === 3 ? rest[1] : undefined)}`;
	if (first === 'total' && ['categories', 'collections', 'domains'].includes(rest[0]))
		return `Get ${titleWord(singularWord(rest[0]))} Requests${byGroup(rest[1])}`;
	if (first === 'total' && rest.at(-1) === 'stats')
		return `Get ${singularPhrase(rest.slice(0, -1))} Stats`;
	return `Get ${phrase(w)}`;
}

/**
 * The label of an operation. Rules, in order:
 * 1. an override for the operationId;
 * 2. plain Rails actions (`index`, `show`, …) → "Get Many Networks", "Get Network", …;
 * 3. `bulk_<verb>` / `batch_<verb>` → "Bulk Create Networks";
 * 4. `<noun>_<action>` (`address_show`, `bulk_create_status`) → "Get Billing Address";
 * 5. `<verb>_<rest>` (`revoke_secret_key`) → "Revoke Network Secret Key";
 * 6. `<noun>_<verb>_<rest>` (`users_add_membership`) → "Add Distributor User Membership";
 * 7. report-like resources (traffic reports) read as what they return ("Get Top Domains");
 * 8. anything else reads as "Get <Resource> <Action>".
 */
export function operationLabel(op, resource) {
	const override = OVERRIDES.operations[op.operationId]?.name;
	if (override) return override;
	const action = actionOf(op.operationId);
	const w = words(action);
	const S = resource.singular;
	const P = resource.plural;

	const standard = standardAction(action, S, P);
	if (standard) return standard;

	if ((w[0] === 'bulk' || w[0] === 'batch') && w.length >= 2 && w.at(-1) !== 'status') {
		const verb = LEADING_VERBS[w[1]] ?? titleWord(w[1]);
		return [titleWord(w[0]), verb, P, phrase(w.slice(2))].filter(Boolean).join(' ');
	}

	if (w.length >= 2 && TRAILING_ACTIONS.has(w.at(-1))) {
		const noun = w.slice(0, -1);
		const last = w.at(-1);
		if (last === 'status') return `Get ${S} ${phrase(noun)} Status`;
		if (last === 'index') return `Get Many ${S} ${pluralPhrase(noun)}`;
		if (last === 'all') return `Get All ${S} ${pluralPhrase(noun)}`;
		return standardAction(last, `${S} ${singularPhrase(noun)}`, `${S} ${pluralPhrase(noun)}`);
	}

	if (LEADING_VERBS[w[0]]) {
		return [LEADING_VERBS[w[0]], S, phrase(w.slice(1))].filter(Boolean).join(' ');
	}

	if (w.length >= 2 && LEADING_VERBS[w[1]]) {
		return [LEADING_VERBS[w[1]], S, singularPhrase([w[0]]), phrase(w.slice(2))]
			.filter(Boolean)
			.join(' ');
	}

	if (OVERRIDES.reportResources.includes(op.tag)) return reportLabel(w);
	return `${op.method === 'GET' ? 'Get' : 'Run'} ${S} ${phrase(w)}`;
}

/**
 * Sentence-case action text for n8n's `action` (what AI tools and the node panel show). The lint
 * rule lowercases every word that is not all capitals, so mixed-case plurals (`IPs`) are spelt
 * as their singular acronym there.
 */
export function actionSentence(label) {
	// The rule also wants the first word that is not all capitals to be capitalised, so a label
	// that opens with an acronym ("QPS Active Agents") reads "Get QPS active agents".
	const parts = label.split(' ');
	if (parts.length > 1 && /^[A-Z0-9]+$/.test(parts[0])) parts.unshift('Get');
	return parts
		.map((word, index) => {
			if (/^[A-Z0-9]+$/.test(word) && word.length > 1) return word;
			if (/^[A-Z]+s$/.test(word) && word.length > 2) return word.slice(0, -1);
			if (/^[A-Z][a-z][A-Z]$/.test(word)) return word.toUpperCase();
			return index === 0 ? word : word.toLowerCase();
		})
		.join(' ');
}

/**
 * The `operation` value: camelCase of the label ("Delete API Key" → `deleteApiKey`), so values are
 * unique across resources. n8n keeps the operation value when the user switches resource; a value
 * no other resource has makes it fall back to the new resource's default (a read operation).
 */
export function operationValue(op, label) {
	const override = OVERRIDES.operations[op.operationId]?.value;
	if (override) return override;
	return camel(label);
}

/**
 * n8n parameter name for a wire name: safe camelCase (`user_id:` → `userId`, `filter[name]` → `filterName`).
 * Quirk: some property names carry `:`, `-` or `.` (`user_id:`, `return-reset_password_url`,
 * `ep-grd-subscriber-identifier`); they are not valid parameter names, so the field name is the
 * camelCase of their words while the row's `wireName` keeps the original spelling for the wire.
 */
export function fieldName(wireName) {
	return camel(wireName);
}

export function fieldLabel(wireName) {
	return title(wireName);
}
