import type {
	IDataObject,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { MAIN_CONNECTION } from './connectionTypes';
import { optionLoaders } from './records/recordLists';
import { DEFAULT_EXPIRING_SOON_DAYS, normaliseThreshold } from './records/apiKeyInsight';
import type {
	EventOfKind,
	NewRecordEvent,
	PollOutcome,
	TriggerEvent,
} from './trigger/triggerEvents';
import { pollThreats } from './trigger/threatPoll';
import {
	EVENT_OPTIONS,
	eventRow,
	eventsOfKind,
	DEFAULT_MAX_ENTRIES_PER_POLL,
	DEFAULT_MINIMUM_LISTING_MINUTES,
	DEFAULT_OVERLAP_MINUTES,
	diffEndedKeys,
	diffExpiringKeys,
	diffNewRecords,
	isKeyEvent,
	LISTED_DIGESTS_LIMIT,
	listingRecords,
	MAX_ENTRIES_PER_POLL,
	MAX_OVERLAP_MINUTES,
	MAX_REPORT_LAST_MINUTES,
	NEW_RECORD_SOURCES,
	sampleFor,
	simplifyEmitted,
	usableState,
} from './trigger/triggerEvents';
import { maskNamed, secretNamesOf } from './records/secrets';
import { cutDeeperThan, MAX_OUTPUT_DEPTH } from './records/shapeOutput';
import type { Redactor } from './transport';
import {
	CREDENTIAL_TYPE,
	dnsFilterApiRequest,
	dnsFilterApiRequestPaged,
	redactError,
	redactorFor,
} from './transport';

const NEW_RECORD_EVENTS = eventsOfKind('newRecords');
const THREAT_EVENTS = eventsOfKind('threats');
const KEY_EVENTS = eventsOfKind('expiringKeys', 'endedKeys');

/**
 * A listing is read at any depth: the trigger cuts what it emits past a depth instead of failing
 * every poll while one odd record is listed.
 */
const LISTING = { maxJsonDepth: Number.POSITIVE_INFINITY };

/** "Threat Blocked", not `threatBlocked`, under the node on the canvas. */
const EVENT_SUBTITLE = `={{ ${JSON.stringify(Object.fromEntries(EVENT_OPTIONS.map((option) => [option.value, option.name])))}[$parameter["event"]] ?? $parameter["event"] }}`;

export class DnsFilterTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DNSFilter Trigger',
		name: 'dnsFilterTrigger',
		icon: { light: 'file:dnsfilter.svg', dark: 'file:dnsfilter.dark.svg' },
		group: ['trigger'],
		// 2: simplified output by default, and a minimum time between listings of "New …" collections.
		version: [1, 2],
		defaultVersion: 2,
		subtitle: EVENT_SUBTITLE,
		description:
			'Starts the workflow when DNSFilter changes: API keys expiring or ending, new networks, roaming clients, policies, block pages or organizations, threats blocked',
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
				options: EVENT_OPTIONS,
			},
			{
				displayName:
					"Each poll reads the blocked security entries of the query logs since the last complete poll, starting the Overlap earlier for logs that arrive late, and reports each entry once. The first poll after activation only records what is there, unless Report Last N Minutes on First Poll is set. A busy poll reads 100 entries per request out of the organization's rate limit (about 2,000 requests per 300 s) and takes at most Max Entries per Poll; the rest come on the next polls.",
				name: 'threatNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { event: THREAT_EVENTS } },
			},
			{
				displayName: 'Filters',
				name: 'threatFilters',
				type: 'collection',
				placeholder: 'Add Filter',
				default: {},
				displayOptions: { show: { event: THREAT_EVENTS } },
				options: [
					{
						displayName: 'Category Names or IDs',
						name: 'categoryIds',
						type: 'multiOptions',
						typeOptions: { loadOptionsMethod: 'threatCategories' },
						default: [],
						description:
							'Only entries matched to these categories. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
					},
					{
						displayName: 'Network Names or IDs',
						name: 'networkIds',
						type: 'multiOptions',
						typeOptions: { loadOptionsMethod: 'threatNetworks' },
						default: [],
						description:
							'Only entries from these networks (sites). Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
					},
					{
						displayName: 'Organization Names or IDs',
						name: 'organizationIds',
						type: 'multiOptions',
						typeOptions: { loadOptionsMethod: 'threatOrganizations' },
						default: [],
						description:
							'Only these organizations, each read on its own; none: the credential user\'s organization. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
					},
					{
						displayName: 'Roaming Client Names or IDs',
						name: 'agentIds',
						type: 'multiOptions',
						typeOptions: { loadOptionsMethod: 'threatRoamingClients' },
						default: [],
						description:
							'Only entries from these roaming clients (user agents), by UUID. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
					},
				],
			},
			{
				displayName: 'Options',
				name: 'threatOptions',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				displayOptions: { show: { event: THREAT_EVENTS } },
				options: [
					{
						displayName: 'Max Entries per Poll',
						name: 'maxEntriesPerPoll',
						type: 'number',
						default: DEFAULT_MAX_ENTRIES_PER_POLL,
						typeOptions: { minValue: 1, maxValue: MAX_ENTRIES_PER_POLL, numberPrecision: 0 },
						description:
							'At most this many entries are taken per poll, oldest first; the rest are reported by the next polls, none lost. A poll reads a shorter stretch of time when more are waiting.',
					},
					{
						displayName: 'Output',
						name: 'output',
						type: 'options',
						default: 'entries',
						options: [
							{
								name: 'One Item per Entry',
								value: 'entries',
								description: 'Each query-log entry as an item',
							},
							{
								name: 'One Summary per Domain',
								value: 'summaryByDomain',
								description:
									'Per domain: how many entries this poll took, first and last seen, the FQDNs, networks and categories',
							},
							{
								name: 'One Summary per Domain and Roaming Client',
								value: 'summaryByDomainAndAgent',
								description:
									'As One Summary per Domain, once per roaming client (entries from networks share one)',
							},
						],
					},
					{
						displayName: 'Overlap (Minutes)',
						name: 'overlapMinutes',
						type: 'number',
						default: DEFAULT_OVERLAP_MINUTES,
						typeOptions: { minValue: 0, maxValue: MAX_OVERLAP_MINUTES, numberPrecision: 0 },
						description:
							'Each poll starts this much before the end of the last one, so logs that reach DNSFilter late are still reported; entries already reported are recognised and skipped',
					},
					{
						displayName: 'Report Last N Minutes on First Poll',
						name: 'reportLastMinutes',
						type: 'number',
						default: 0,
						typeOptions: { minValue: 0, maxValue: MAX_REPORT_LAST_MINUTES, numberPrecision: 0 },
						description:
							'The first poll after activation also reports the entries of this many minutes before it; 0 only records them',
					},
					{
						displayName: 'Timeout (Seconds)',
						name: 'timeoutSeconds',
						type: 'number',
						default: 120,
						typeOptions: { minValue: 1, maxValue: 3_600, numberPrecision: 0 },
						description:
							'How long one request may take, connecting and reading the whole answer; a request that takes longer fails the poll (and is retried like other network errors), with nothing reported and nothing remembered',
					},
				],
			},
			{
				displayName:
					"The first poll after activation only records what exists; later polls report each change once. Every poll lists the whole collection, which counts against the organization's rate limit (about 2,000 requests per 300 s, 100 records per request): poll large collections, such as roaming clients, less often.",
				name: 'notice',
				type: 'notice',
				default: '',
				displayOptions: { show: { '@version': [1] } },
			},
			{
				displayName:
					"The first poll after activation only records what exists; later polls report each new record once. Each listing reads the whole collection, 100 records per request, out of the organization's rate limit (about 2,000 requests per 300 s): by default a collection is listed at most every 15 minutes, whatever the Poll Times say.",
				name: 'listingNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { '@version': [2], event: NEW_RECORD_EVENTS } },
			},
			{
				displayName: 'Minimum Minutes Between Listings',
				name: 'minimumListingMinutes',
				type: 'number',
				default: DEFAULT_MINIMUM_LISTING_MINUTES,
				typeOptions: { minValue: 0, numberPrecision: 0 },
				displayOptions: { show: { '@version': [2], event: NEW_RECORD_EVENTS } },
				description:
					'Polls that come sooner than this after the last complete listing do nothing (no request). Raise it for collections of thousands of records; 0 lists at every poll.',
			},
			{
				displayName: 'Simplify',
				name: 'simplify',
				type: 'boolean',
				default: true,
				displayOptions: { show: { '@version': [2] } },
				description:
					'Whether to return each record with its attributes at the top level, as the DNSFilter node does, instead of the raw JSON:API resource',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				displayOptions: { show: { event: KEY_EVENTS } },
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

	methods = {
		loadOptions: optionLoaders({
			threatCategories: 'searchCategories',
			threatNetworks: 'searchNetworks',
			threatOrganizations: 'searchOrganizations',
			threatRoamingClients: 'searchRoamingClients',
		}),
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const credentials = await this.getCredentials(CREDENTIAL_TYPE);
		const redact = redactorFor(String(credentials.apiKey ?? ''));
		try {
			return await pollEvent.call(this, redact);
		} catch (error) {
			// The trigger's own messages quote the server (an HTML title, an object's keys): none may carry the key.
			throw redactError(error, redact);
		}
	}
}

async function pollEvent(
	this: IPollFunctions,
	redact: Redactor,
): Promise<INodeExecutionData[][] | null> {
	const stored = String(this.getNodeParameter('event'));
	const row = eventRow(stored);
	if (!row) {
		throw new NodeOperationError(
			this.getNode(),
			`"${stored}" is not an event of the DNSFilter Trigger`,
			{ description: 'Pick one under Event.' },
		);
	}
	if (row.kind === 'threats') return pollThreats.call(this, redact);
	const event = row.value;
	const options = this.getNodeParameter('options', {}) as IDataObject;
	const thresholdDays = normaliseThreshold(
		options.expiringSoonThresholdDays ?? DEFAULT_EXPIRING_SOON_DAYS,
	);
	const version = this.getNode().typeVersion;
	const simplify = version >= 2 && this.getNodeParameter('simplify', true) === true;
	const now = new Date();
	const manual = this.getMode() === 'manual';
	const staticData = this.getWorkflowStaticData('node');
	const previous = usableState(staticData, event);

	if (!manual && previous && !isKeyEvent(event) && version >= 2) {
		const minutes = Number(
			this.getNodeParameter('minimumListingMinutes', DEFAULT_MINIMUM_LISTING_MINUTES),
		);
		const listedAt = typeof previous.listedAt === 'string' ? Date.parse(previous.listedAt) : NaN;
		if (Number.isFinite(minutes) && minutes > 0 && now.getTime() - listedAt < minutes * 60_000)
			return null;
	}

	// Throws on anything but a complete, well-formed listing, before the state is touched.
	const { source } = row;
	const records = await listRecords.call(this, event, source.path, redact);

	// Secrets in the listed records (a network's secret_key) never reach the execution store.
	const secrets = secretNamesOf(source.operationId);
	const output = (record: IDataObject) => {
		const masked = maskNamed(simplifyEmitted(record, simplify), secrets);
		// n8n copies and serialises items recursively: a record nested thousands of levels deep
		// would fail every poll while it is listed, after the state has moved on.
		const bounded = cutDeeperThan(masked) as IDataObject;
		if (bounded !== masked) {
			this.logger.warn(
				redact(
					`DNSFilter GET ${source.path}: one ${source.noun} nests more than ${MAX_OUTPUT_DEPTH} levels deep; the deeper values are left out of its item`,
				),
			);
		}
		return bounded;
	};

	if (manual) {
		const sample = sampleFor(event, records, now, thresholdDays);
		return sample ? [this.helpers.returnJsonArray([output(sample)])] : null;
	}

	const keyOptions = { thresholdDays, includeExisting: options.includeExisting === true };
	let outcome: PollOutcome;
	switch (row.kind) {
		case 'expiringKeys':
			outcome = diffExpiringKeys(records, previous, now, keyOptions);
			break;
		case 'endedKeys':
			outcome = diffEndedKeys(records, previous, now, keyOptions);
			break;
		case 'newRecords':
			outcome = newRecordsOrRefuse.call(this, row.value, records, previous, now);
			break;
	}

	// Items first: nothing is remembered as reported unless its item was made.
	const emit = outcome.emit.map(output);
	for (const key of Object.keys(staticData)) delete staticData[key];
	Object.assign(staticData, outcome.state);
	return emit.length ? [this.helpers.returnJsonArray(emit)] : null;
}

function newRecordsOrRefuse(
	this: IPollFunctions,
	event: NewRecordEvent,
	records: unknown[],
	previous: ReturnType<typeof usableState>,
	now: Date,
): PollOutcome {
	const outcome = diffNewRecords(event, records, previous, now);
	if (!('problem' in outcome)) return outcome;
	throw new NodeOperationError(
		this.getNode(),
		`The trigger cannot follow GET ${NEW_RECORD_SOURCES[event].path}: ${outcome.problem}`,
		{
			description: `Ids other than whole numbers are stored as 8-character digests, at most ${LISTED_DIGESTS_LIMIT.toLocaleString('en-US')} of them, so the workflow's static data stays bounded. Nothing was emitted and what the trigger remembers is unchanged. Watch this collection with a scheduled workflow and the DNSFilter node instead.`,
		},
	);
}

async function listRecords(
	this: IPollFunctions,
	event: Exclude<TriggerEvent, EventOfKind<'threats'>>,
	path: string,
	redact: Redactor,
): Promise<unknown[]> {
	const refuse = (problem: string, page?: number): never => {
		throw new NodeOperationError(
			this.getNode(),
			redact(
				`DNSFilter answered GET ${path}${page ? ` (page ${page})` : ''} with ${problem}, not a list`,
			),
			{
				description:
					"The trigger acts only on a complete, well-formed listing: nothing was emitted and what it remembers is unchanged, so the next good poll neither repeats nor loses an event. Check the credential's Base URL if this persists.",
			},
		);
	};
	if (isKeyEvent(event)) {
		// The API key list has no paging parameters: a user has a handful of keys.
		const response = await dnsFilterApiRequest.call(this, { method: 'GET', path, ...LISTING });
		const listing = listingRecords(response.body);
		return 'records' in listing ? listing.records : refuse(listing.problem);
	}
	const { records } = await dnsFilterApiRequestPaged.call(
		this,
		{ method: 'GET', path, ...LISTING },
		{
			style: 'v1',
			returnAll: true,
			checkPage: (body, page) => {
				const listing = listingRecords(body);
				if ('problem' in listing) refuse(listing.problem, page);
			},
		},
	);
	return records;
}
