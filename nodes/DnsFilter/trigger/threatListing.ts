import type { IDataObject, INode, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { Redactor } from '../transport';
import { DEFAULT_TIMEOUT_MS, dnsFilterApiRequestPaged } from '../transport';
import { isRecord } from '../utils/isRecord';
import { describeBody } from './listingCheck';
import type { ListedEntry, ThreatOutput, ThreatWindow } from './threatEvents';
import {
	DEFAULT_MAX_ENTRIES_PER_POLL,
	DEFAULT_OVERLAP_MINUTES,
	MAX_ENTRIES_PER_POLL,
	MAX_OVERLAP_MINUTES,
	MAX_REPORT_LAST_MINUTES,
	THREAT_SOURCE,
} from './threatEvents';

/** What the Threat Blocked event's parameters ask for, checked before anything is sent. */
export interface ThreatSettings {
	organizations: string[];
	networkIds: string[];
	agentIds: string[];
	categoryIds: string[];
	overlapMs: number;
	maxEntries: number;
	reportLastMs: number;
	output: ThreatOutput;
	timeoutMs: number;
}

const OUTPUTS: readonly ThreatOutput[] = ['entries', 'summaryByDomain', 'summaryByDomainAndAgent'];

function badField(node: INode, label: string, problem: string, fix: string): NodeOperationError {
	return new NodeOperationError(node, `${label}: ${problem}`, {
		description: `${fix} Nothing was sent.`,
	});
}

/** Comma- or space-separated ids; whole numbers when `numeric`, otherwise any text without commas. */
function idList(
	node: INode,
	value: unknown,
	label: string,
	numeric: boolean,
	example: string,
): string[] {
	if (value === undefined || value === null || value === '') return [];
	// Picked from the list: an array of ids (an expression may give a comma-separated text instead).
	if (Array.isArray(value))
		return value.flatMap((entry) => idList(node, entry, label, numeric, example));
	if (typeof value === 'number' && numeric && Number.isSafeInteger(value) && value > 0)
		return [String(value)];
	if (typeof value !== 'string')
		throw badField(
			node,
			label,
			`expected text, got ${typeof value}`,
			`Pick them from the list, or enter ids separated by commas, e.g. ${example}.`,
		);
	const ids = value
		.split(/[,\s]+/)
		.map((id) => id.trim())
		.filter(Boolean);
	for (const id of ids) {
		if (numeric && !/^[1-9]\d{0,14}$/.test(id)) {
			throw badField(
				node,
				label,
				`"${id.slice(0, 40)}" is not a whole number`,
				`Pick them from the list, or enter ids separated by commas, e.g. ${example}.`,
			);
		}
		if (!numeric && !/^[A-Za-z0-9_.:-]{1,100}$/.test(id)) {
			throw badField(
				node,
				label,
				`"${id.slice(0, 40)}" is not an id`,
				`Pick them from the list, or enter ids separated by commas, e.g. ${example}.`,
			);
		}
	}
	return [...new Set(ids)];
}

function wholeNumber(
	node: INode,
	value: unknown,
	label: string,
	fallback: number,
	least: number,
	most: number,
): number {
	if (value === undefined || value === null || value === '') return fallback;
	const n = typeof value === 'string' ? Number(value) : value;
	if (typeof n !== 'number' || !Number.isInteger(n) || n < least || n > most) {
		throw badField(
			node,
			label,
			`${JSON.stringify(value)} is not a whole number from ${least} to ${most.toLocaleString('en-US')}`,
			`Set ${label} to a whole number from ${least} to ${most.toLocaleString('en-US')}.`,
		);
	}
	return n;
}

export function threatSettings(
	node: INode,
	filters: IDataObject,
	options: IDataObject,
): ThreatSettings {
	const output = options.output ?? 'entries';
	if (!OUTPUTS.includes(output as ThreatOutput)) {
		throw badField(
			node,
			'Output',
			`"${String(output)}" is not one of the choices`,
			'Pick One Item per Entry, One Summary per Domain or One Summary per Domain and Roaming Client.',
		);
	}
	return {
		organizations: idList(
			node,
			filters.organizationIds,
			'Organization Names or IDs',
			true,
			'1234, 5678',
		),
		networkIds: idList(node, filters.networkIds, 'Network Names or IDs', true, '2001, 2002'),
		agentIds: idList(
			node,
			filters.agentIds,
			'Roaming Client Names or IDs',
			false,
			'the UUIDs of two roaming clients',
		),
		categoryIds: idList(node, filters.categoryIds, 'Category Names or IDs', true, '12, 61'),
		overlapMs:
			wholeNumber(
				node,
				options.overlapMinutes,
				'Overlap (Minutes)',
				DEFAULT_OVERLAP_MINUTES,
				0,
				MAX_OVERLAP_MINUTES,
			) * 60_000,
		maxEntries: wholeNumber(
			node,
			options.maxEntriesPerPoll,
			'Max Entries per Poll',
			DEFAULT_MAX_ENTRIES_PER_POLL,
			1,
			MAX_ENTRIES_PER_POLL,
		),
		reportLastMs:
			wholeNumber(
				node,
				options.reportLastMinutes,
				'Report Last N Minutes on First Poll',
				0,
				0,
				MAX_REPORT_LAST_MINUTES,
			) * 60_000,
		output: output as ThreatOutput,
		timeoutMs:
			wholeNumber(
				node,
				options.timeoutSeconds,
				'Timeout (Seconds)',
				DEFAULT_TIMEOUT_MS / 1000,
				1,
				3_600,
			) * 1000,
	};
}

/** The listing holds more entries than this poll may take: the caller reads a shorter window. */
export class TooManyEntries extends Error {
	constructor() {
		super('more entries than this poll may take');
	}
}

/** The API's time form, to the second, in UTC. */
export function apiTime(ms: number): string {
	return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** Why a 2xx page is not a query-log listing (`{data: {values: [objects]}}`), or undefined when it is one. */
export function entriesProblem(body: unknown): string | undefined {
	if (!isRecord(body) || !isRecord(body.data)) return describeBody(body);
	const { values } = body.data;
	if (!Array.isArray(values))
		return `an object whose "data.values" is ${values === undefined ? 'missing' : 'not an array'}`;
	const bad = values.findIndex((entry) => !isRecord(entry));
	return bad >= 0 ? `entry ${bad + 1} of the list not an object` : undefined;
}

function reportedTotal(body: unknown): number | undefined {
	const page =
		isRecord(body) && isRecord(body.data) && isRecord(body.data.page) ? body.data.page : undefined;
	return typeof page?.total === 'number' && Number.isSafeInteger(page.total) && page.total >= 0
		? page.total
		: undefined;
}

export interface ReadOptions {
	/** Throw TooManyEntries once the window holds more than this (Infinity: read it all). */
	limit: number;
	/** Fetch Test Event: one page per organization. */
	sample?: boolean;
}

/**
 * Every blocked security entry of `window` under the filters, one complete walk per organization
 * through the shared transport (pacing, 429 waits, redaction, page checks). Throws on anything but
 * a complete, well-formed listing.
 */
export async function readThreatWindow(
	this: IPollFunctions,
	settings: ThreatSettings,
	window: ThreatWindow,
	redact: Redactor,
	options: ReadOptions,
): Promise<ListedEntry[]> {
	const listed: ListedEntry[] = [];
	const refuse = (problem: string, page: number): never => {
		throw new NodeOperationError(
			this.getNode(),
			redact(
				`DNSFilter answered GET ${THREAT_SOURCE.path} (page ${page}) with ${problem}, not a list of query-log entries`,
			),
			{
				description:
					"The trigger acts only on a complete, well-formed listing: nothing was emitted and what it remembers is unchanged, so the next good poll reads the same window again and neither repeats nor loses an entry. Check the credential's Base URL if this persists.",
			},
		);
	};
	for (const organization of settings.organizations.length ? settings.organizations : ['']) {
		const before = listed.length;
		const qs: IDataObject = {
			result: 'blocked',
			security_report: true,
			from: apiTime(window.from),
			to: apiTime(window.to),
		};
		if (organization) qs.organization_id = organization;
		if (settings.networkIds.length) qs.network_ids = settings.networkIds.join(',');
		if (settings.agentIds.length) qs.agent_ids = settings.agentIds.join(',');
		if (settings.categoryIds.length) qs.category_ids = settings.categoryIds.join(',');
		const { records } = await dnsFilterApiRequestPaged.call(
			this,
			// Read at any depth: the trigger cuts what it emits (as for the other events).
			{ method: 'GET', path: THREAT_SOURCE.path, qs, maxJsonDepth: Number.POSITIVE_INFINITY },
			{
				style: 'trafficReport',
				timeoutMs: settings.timeoutMs,
				returnAll: !options.sample,
				limit: 100,
				checkPage: (body, page) => {
					const problem = entriesProblem(body);
					if (problem) refuse(problem, page);
					const total = page === 1 ? reportedTotal(body) : undefined;
					if (total !== undefined && before + total > options.limit) throw new TooManyEntries();
				},
				onPage: (page, soFar) => {
					if (before + soFar > options.limit) throw new TooManyEntries();
				},
			},
		);
		for (const entry of records) listed.push({ entry: entry as IDataObject, organization });
	}
	return listed;
}
