import type { INodePropertyOptions } from 'n8n-workflow';

import { THREAT_SOURCE } from './threatEvents';

/** Where an event's records are listed. */
export interface EventSource {
	/** List endpoint, walked with Return All through the shared transport. */
	path: string;
	/** What one record is, for messages and docs. */
	noun: string;
	/** The list operation of the same endpoint: its secret attributes are masked in the trigger's output too. */
	operationId: string;
}

/** How a poll decides what to emit: the dispatch in the trigger node has one branch per kind. */
export type EventKind = 'expiringKeys' | 'endedKeys' | 'newRecords' | 'threats';

interface EventRow {
	/** The stored value (saved workflows hold it: never renamed). */
	value: string;
	/** As the Event list and the canvas subtitle show it. */
	name: string;
	/** As n8n's node panel lists it. */
	action: string;
	description: string;
	kind: EventKind;
	source: EventSource;
}

/** The credential user's keys (not paged), for both key events. */
const API_KEYS: EventSource = {
	path: '/v1/api_keys',
	noun: 'API key',
	operationId: 'V1_Api_Keys-index',
};

/**
 * Every event of the DNSFilter Trigger, one row each, in the Event list's (alphabetical) order.
 * The Event list, the canvas subtitle, which options show beside an event and the poll's dispatch
 * are all read from here: another "New …" collection is one more row.
 */
export const TRIGGER_EVENTS = [
	{
		value: 'apiKeyExpiringSoon',
		name: 'API Key Expiring Soon',
		action: 'API key expiring soon',
		description:
			"One of the credential user's API keys has at most the threshold of days left (DNSFilter sends no warning itself)",
		kind: 'expiringKeys',
		source: API_KEYS,
	},
	{
		value: 'apiKeyRevokedOrExpired',
		name: 'API Key Revoked or Expired',
		action: 'API key revoked or expired',
		description: "One of the credential user's API keys was revoked or passed its expiry",
		kind: 'endedKeys',
		source: API_KEYS,
	},
	{
		value: 'newBlockPage',
		name: 'New Block Page',
		action: 'New block page',
		description: 'A block page was added',
		kind: 'newRecords',
		source: { path: '/v1/block_pages', noun: 'block page', operationId: 'V1_Block_Pages-index' },
	},
	{
		value: 'newNetwork',
		name: 'New Network',
		action: 'New network',
		description: 'A network (site) was added',
		kind: 'newRecords',
		source: { path: '/v1/networks', noun: 'network', operationId: 'V1_Networks-index' },
	},
	{
		value: 'newOrganization',
		name: 'New Organization',
		action: 'New organization',
		description: 'An organization the user can see was added, e.g. an MSP sub-organization',
		kind: 'newRecords',
		source: {
			path: '/v1/organizations',
			noun: 'organization',
			operationId: 'V1_Organizations-index',
		},
	},
	{
		value: 'newPolicy',
		name: 'New Policy',
		action: 'New policy',
		description: 'A filtering policy was added',
		kind: 'newRecords',
		source: { path: '/v1/policies', noun: 'policy', operationId: 'V1_Policies-index' },
	},
	{
		value: 'newRoamingClient',
		name: 'New Roaming Client (User Agent)',
		action: 'New roaming client (user agent)',
		description: 'A roaming client registered',
		kind: 'newRecords',
		source: {
			path: '/v1/user_agents',
			noun: 'roaming client',
			operationId: 'V1_User_Agents-index',
		},
	},
	{
		value: 'threatBlocked',
		name: 'Threat Blocked',
		action: 'Threat blocked',
		description:
			'DNSFilter blocked a query to a security threat (phishing, malware, …): each query-log entry once',
		kind: 'threats',
		source: THREAT_SOURCE,
	},
] as const satisfies readonly EventRow[];

type Row = (typeof TRIGGER_EVENTS)[number];

export type TriggerEvent = Row['value'];

/** The events a poll handles one way. */
export type EventOfKind<K extends EventKind> = Extract<Row, { kind: K }>['value'];

/** The events that watch a collection for records it did not have before. */
export type NewRecordEvent = EventOfKind<'newRecords'>;

export type KeyEvent = EventOfKind<'expiringKeys' | 'endedKeys'>;

export function eventsOfKind<K extends EventKind>(...kinds: K[]): Array<EventOfKind<K>> {
	return TRIGGER_EVENTS.filter((row) => (kinds as EventKind[]).includes(row.kind)).map(
		(row) => row.value as EventOfKind<K>,
	);
}

/** The row of a stored value; undefined for a value no row has (a hand-edited workflow). */
export function eventRow(event: string): Row | undefined {
	return TRIGGER_EVENTS.find((row) => row.value === event);
}

export function isKeyEvent(event: TriggerEvent): event is KeyEvent {
	const kind = eventRow(event)?.kind;
	return kind === 'expiringKeys' || kind === 'endedKeys';
}

/** The Event list. */
export const EVENT_OPTIONS: INodePropertyOptions[] = TRIGGER_EVENTS.map(
	({ name, value, action, description }) => ({ name, value, action, description }),
);

export const NEW_RECORD_SOURCES = Object.fromEntries(
	TRIGGER_EVENTS.filter((row) => row.kind === 'newRecords').map((row) => [row.value, row.source]),
) as Record<NewRecordEvent, EventSource>;

/** What the two API key events list. */
export const EXPIRY_EVENTS_SOURCE: EventSource = API_KEYS;
