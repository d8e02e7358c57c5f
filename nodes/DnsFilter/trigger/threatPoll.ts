import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';

import { maskNamed, secretNamesOf } from '../records/secrets';
import { cutDeeperThan, MAX_OUTPUT_DEPTH } from '../records/shapeOutput';
import type { Redactor } from '../transport';
import { redactError } from '../transport';
import { usableState } from './state';
import type { ListedEntry, ThreatWindow } from './threatEvents';
import {
	diffThreats,
	latestEntry,
	seenSince,
	storedTime,
	summarise,
	THREAT_SOURCE,
	windowStart,
} from './threatEvents';
import type { ThreatSettings } from './threatListing';
import { readThreatWindow, threatSettings, TooManyEntries } from './threatListing';

/** Fetch Test Event looks this far back for a recent entry. */
const SAMPLE_WINDOW_MS = 24 * 3_600_000;

/** A busy window is halved at most this often per poll (a day's window comes down to about a second). */
const MAX_HALVINGS = 20;

function wholeSecond(ms: number): number {
	return Math.floor(ms / 1000) * 1000;
}

/**
 * One Threat Blocked poll: reads the window since the last complete one (shorter when more
 * entries wait than the poll may take), reports each entry once, and stores the new window's
 * state only after the items are made. A failed or refused listing throws before the state is
 * touched, so the next poll reads the same window again.
 */
export async function pollThreats(
	this: IPollFunctions,
	redact: Redactor,
): Promise<INodeExecutionData[][] | null> {
	const settings = threatSettings(
		this.getNode(),
		this.getNodeParameter('threatFilters', {}) as IDataObject,
		this.getNodeParameter('threatOptions', {}) as IDataObject,
	);
	const now = new Date();
	const end = wholeSecond(now.getTime());
	const staticData = this.getWorkflowStaticData('node');
	const previous = usableState(staticData, 'threatBlocked');
	const secrets = secretNamesOf(THREAT_SOURCE.operationId);
	const output = (item: IDataObject) => {
		const masked = maskNamed(item, secrets);
		// n8n copies and serialises items recursively: an entry nested thousands of levels deep
		// would fail every poll while it is in the window.
		const bounded = cutDeeperThan(masked) as IDataObject;
		if (bounded !== masked) {
			this.logger.warn(
				redact(
					`DNSFilter GET ${THREAT_SOURCE.path}: one entry nests more than ${MAX_OUTPUT_DEPTH} levels deep; the deeper values are left out of its item`,
				),
			);
		}
		return bounded;
	};

	if (this.getMode() === 'manual') {
		const window = { from: end - SAMPLE_WINDOW_MS, to: end };
		const listed = await readThreatWindow.call(this, settings, window, redact, {
			limit: Infinity,
			sample: true,
		});
		const entries = listed.map((item) => item.entry);
		if (settings.output !== 'entries') {
			const summaries = summarise(entries, settings.output, window);
			return summaries.length ? [this.helpers.returnJsonArray(summaries.map(output))] : null;
		}
		const sample = latestEntry(entries);
		return sample ? [this.helpers.returnJsonArray([output(sample)])] : null;
	}

	const cursor = previous ? storedTime(previous.cursor) : undefined;
	const start = previous ? windowStart(previous, settings.overlapMs) : undefined;
	let from: number;
	/** The window may be cut back to end here at the earliest (its end is then still past what was read before). */
	let earliestEnd: number;
	let emitFrom: number | undefined;
	const current = previous && cursor !== undefined && start !== undefined ? previous : undefined;
	if (current) {
		// Two polls in the same second (or a clock set back): nothing to read yet.
		if (end <= cursor!) return null;
		from = wholeSecond(start!);
		earliestEnd = Math.min(end, wholeSecond(cursor!) + 1000);
	} else {
		from = end - Math.max(settings.overlapMs, settings.reportLastMs);
		emitFrom = settings.reportLastMs > 0 ? end - settings.reportLastMs : Infinity;
		// A baseline only records: it reads its whole window. Reporting the last minutes may be cut back.
		earliestEnd = settings.reportLastMs > 0 ? Math.min(end, from + 1000) : end;
	}

	let window: ThreatWindow = { from, to: end };
	let listed: ListedEntry[] | undefined;
	for (let halvings = 0; !listed; halvings++) {
		const narrowable = window.to > earliestEnd && halvings < MAX_HALVINGS;
		const limit = narrowable ? settings.maxEntries + seenSince(current, window.from) : Infinity;
		try {
			listed = await readThreatWindow.call(this, settings, window, redact, { limit });
		} catch (error) {
			// Anything else ends the poll before the state is touched (the node redacts it again on the way out).
			if (!(error instanceof TooManyEntries)) throw redactError(error, redact);
			const to = Math.max(earliestEnd, earliestEnd + wholeSecond((window.to - earliestEnd) / 2));
			this.logger.debug(
				`DNSFilter GET ${THREAT_SOURCE.path}: more than ${limit} entries from ${window.from} to ${window.to}; reading up to ${to}`,
			);
			window = { from, to };
		}
	}

	const outcome = diffThreats(listed, current, now, window, {
		overlapMs: settings.overlapMs,
		maxEntries: settings.maxEntries,
		emitFrom,
	});
	if (outcome.deferred > 0 || window.to < end) {
		this.logger.info(
			`DNSFilter Threat Blocked: ${outcome.emit.length} entries reported${outcome.deferred > 0 ? `, ${outcome.deferred} more waiting` : ''}; the next poll goes on from ${outcome.state.cursor}`,
		);
	}
	// Items first: nothing is remembered as reported unless its item was made.
	const items =
		settings.output === 'entries'
			? outcome.emit.map(output)
			: summarise(outcome.emit, settings.output, window).map(output);
	for (const key of Object.keys(staticData)) delete staticData[key];
	Object.assign(staticData, outcome.state);
	return items.length ? [this.helpers.returnJsonArray(items)] : null;
}

export type { ThreatSettings };
