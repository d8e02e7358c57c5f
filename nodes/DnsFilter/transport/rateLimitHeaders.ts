import type { ResponseHeaders } from './headers';
import { headerText } from './headers';

export type { ResponseHeaders };

/** Which generation of the IETF RateLimit draft a response spoke. */
export type RateLimitForm = 'draft-03' | 'draft-06' | 'draft-08';

export interface RateLimitState {
	/** Requests the window allows (quota), when the server said. */
	limit?: number;
	/** Requests left in the current window. */
	remaining?: number;
	/** Time until the window resets, in ms from when the response was read. */
	resetMs?: number;
	/** Window length in ms, from a policy (`w=`), when the server said. */
	windowMs?: number;
	/** The draft form the values were read from; absent when no usable header was sent. */
	form?: RateLimitForm;
	/** The headers the values came from, for hints and logs, e.g. "RateLimit (draft 8)". */
	source?: string;
	/** The policy name of a draft-8 header, e.g. "default". */
	policy?: string;
	/** The reset as sent (clipped), and how it was read, for messages about a wait it causes. */
	resetRaw?: string;
	resetAs?: ResetUnit;
}

/** How a reset value was read: the drafts' delta seconds, or an epoch timestamp recognised by its size. */
export type ResetUnit = 'delta seconds' | 'epoch seconds' | 'epoch milliseconds';

export const FORM_LABELS: Record<RateLimitForm, string> = {
	'draft-03': 'RateLimit-Limit / RateLimit-Remaining / RateLimit-Reset (IETF draft 3-5)',
	'draft-06': 'RateLimit: limit=…, remaining=…, reset=… (IETF draft 6-7)',
	'draft-08': 'RateLimit / RateLimit-Policy structured fields (IETF draft 8+)',
};

// Epoch seconds are ~1.7e9 today; a delta of more than ~30 years is not a delta.
const EPOCH_SECONDS = 1_000_000_000;
const EPOCH_MILLISECONDS = 1_000_000_000_000;

/** A non-negative decimal count, or undefined for anything else (negative, fractional, garbage). */
function count(raw: string | undefined): number | undefined {
	if (raw === undefined) return undefined;
	const text = raw.trim();
	if (!/^\d{1,15}$/.test(text)) return undefined;
	return Number(text);
}

/**
 * Seconds until reset. The drafts say delta-seconds; some servers send an epoch timestamp
 * (seconds, or milliseconds), which we recognise by its size. A timestamp in the past means 0.
 */
export function resetToMs(raw: string | undefined, now: number): number | undefined {
	return readReset(raw, now)?.resetMs;
}

/** The reset as resetToMs reads it, with the value as sent and the unit it was read in. */
export function readReset(
	raw: string | undefined,
	now: number,
): { resetMs: number; resetRaw: string; resetAs: ResetUnit } | undefined {
	if (raw === undefined) return undefined;
	const text = raw.trim();
	if (!/^\d{1,16}(\.\d+)?$/.test(text)) return undefined;
	const value = Number(text);
	if (!Number.isFinite(value)) return undefined;
	const resetRaw = text.slice(0, 24);
	if (value >= EPOCH_MILLISECONDS)
		return {
			resetMs: Math.max(0, Math.round(value - now)),
			resetRaw,
			resetAs: 'epoch milliseconds',
		};
	if (value >= EPOCH_SECONDS)
		return {
			resetMs: Math.max(0, Math.round(value * 1000 - now)),
			resetRaw,
			resetAs: 'epoch seconds',
		};
	return { resetMs: Math.round(value * 1000), resetRaw, resetAs: 'delta seconds' };
}

function resetFields(
	reset: ReturnType<typeof readReset>,
): Pick<RateLimitState, 'resetMs' | 'resetRaw' | 'resetAs'> {
	return reset ? reset : { resetMs: undefined };
}

interface Member {
	name?: string;
	params: Map<string, string>;
	/** A bare leading number (draft 3-7 policies: `100;w=60`). */
	bare?: string;
}

/**
 * A structured-field list (RFC 8941) as the drafts use it: members split on commas, parameters
 * on semicolons. Lenient on purpose: a member that does not parse is dropped, not fatal.
 */
function members(value: string): Member[] {
	const out: Member[] = [];
	for (const part of value.split(',')) {
		const [head, ...params] = part.split(';').map((s) => s.trim());
		if (head === undefined) continue;
		const member: Member = { params: new Map() };
		const quoted = /^"([^"]*)"$/.exec(head);
		if (quoted) member.name = quoted[1];
		else if (/^[A-Za-z*][A-Za-z0-9_.*:/%-]*$/.test(head) && !head.includes('=')) member.name = head;
		else if (/^\d/.test(head)) member.bare = head;
		else if (head.includes('=')) params.unshift(head);
		for (const param of params) {
			const eq = param.indexOf('=');
			if (eq <= 0) continue;
			member.params.set(
				param.slice(0, eq).trim().toLowerCase(),
				param
					.slice(eq + 1)
					.trim()
					.replace(/^"|"$/g, ''),
			);
		}
		out.push(member);
	}
	return out;
}

/** Window length from a policy list like `100;w=60` or `"default";q=100;w=60`: the first `w`. */
function policyWindowMs(policies: Member[]): number | undefined {
	for (const policy of policies) {
		const w = count(policy.params.get('w'));
		if (w !== undefined && w > 0) return w * 1000;
	}
	return undefined;
}

/** Separate headers (draft 3-5), also the common `X-RateLimit-*` spelling. */
function readSeparate(headers: ResponseHeaders, now: number): RateLimitState | undefined {
	for (const prefix of ['ratelimit', 'x-ratelimit']) {
		const remainingRaw = headerText(headers, `${prefix}-remaining`);
		const limitRaw = headerText(headers, `${prefix}-limit`);
		if (remainingRaw === undefined && limitRaw === undefined) continue;
		// Draft 3 lets the limit header carry policies: `100, 100;w=60`.
		const limitMembers = limitRaw ? members(limitRaw) : [];
		const limit = count(limitMembers[0]?.bare ?? limitRaw);
		const remaining = count(remainingRaw?.split(/[;,]/)[0]);
		const policyRaw = headerText(headers, `${prefix}-policy`);
		const windowMs =
			policyWindowMs(limitMembers) ?? (policyRaw ? policyWindowMs(members(policyRaw)) : undefined);
		const reset = readReset(headerText(headers, `${prefix}-reset`)?.split(/[;,]/)[0], now);
		if (limit === undefined && remaining === undefined) return undefined;
		return {
			limit,
			remaining,
			...resetFields(reset),
			windowMs,
			form: 'draft-03',
			source:
				prefix === 'ratelimit'
					? 'RateLimit-Limit/-Remaining/-Reset headers'
					: 'X-RateLimit-Limit/-Remaining/-Reset headers',
		};
	}
	return undefined;
}

/** The combined `RateLimit` header: dictionary form (draft 6-7) or named policies (draft 8+). */
function readCombined(headers: ResponseHeaders, now: number): RateLimitState | undefined {
	const raw = headerText(headers, 'ratelimit');
	if (raw === undefined) return undefined;
	const policyRaw = headerText(headers, 'ratelimit-policy');
	const policies = policyRaw ? members(policyRaw) : [];

	// Draft 6-7: `limit=100, remaining=50, reset=5` (a dictionary, so keys arrive as separate members).
	const dictionary = new Map<string, string>();
	for (const member of members(raw)) {
		for (const [key, value] of member.params)
			if (['limit', 'remaining', 'reset'].includes(key)) dictionary.set(key, value);
	}
	if (dictionary.has('remaining') || dictionary.has('limit')) {
		const remaining = count(dictionary.get('remaining'));
		const limit = count(dictionary.get('limit')) ?? count(policies[0]?.bare);
		if (remaining === undefined && limit === undefined) return undefined;
		return {
			limit,
			remaining,
			...resetFields(readReset(dictionary.get('reset'), now)),
			windowMs: policyWindowMs(policies),
			form: 'draft-06',
			source: 'RateLimit header (limit=, remaining=, reset=)',
		};
	}

	// Draft 8+: `"default";r=50;t=30`, quota in `RateLimit-Policy: "default";q=100;w=60`. Several
	// policies may apply at once; the one that leaves the least room binds.
	let best: RateLimitState | undefined;
	let bestShare = Infinity;
	for (const member of members(raw)) {
		const remaining = count(member.params.get('r'));
		if (remaining === undefined) continue;
		const policy =
			policies.find((p) => p.name !== undefined && p.name === member.name) ??
			(policies.length === 1 ? policies[0] : undefined);
		const limit = count(policy?.params.get('q'));
		const windowMs = policy ? policyWindowMs([policy]) : undefined;
		const reset = readReset(member.params.get('t'), now);
		const share = limit ? remaining / limit : remaining;
		if (share < bestShare) {
			bestShare = share;
			best = {
				limit,
				remaining,
				...resetFields(reset),
				windowMs,
				form: 'draft-08',
				source: `RateLimit / RateLimit-Policy structured headers${member.name ? ` (policy "${member.name}")` : ''}`,
				...(member.name ? { policy: member.name } : {}),
			};
		}
	}
	return best;
}

/**
 * The rate-limit state a response announced, in whichever IETF draft form it used. Unknown or
 * malformed values are left out; an empty object means the server said nothing usable.
 */
export function readRateLimitState(headers: ResponseHeaders, now: number): RateLimitState {
	const state = readCombined(headers, now) ?? readSeparate(headers, now);
	if (!state) return {};
	// A remaining count above the limit contradicts itself: trust neither for pacing.
	if (state.limit !== undefined && state.remaining !== undefined && state.remaining > state.limit) {
		return { resetMs: state.resetMs };
	}
	if (state.limit === 0) delete state.limit;
	return state;
}

/** Time until the window resets, from whichever header form carried it. */
export function parseRateLimitReset(headers: ResponseHeaders, now: number): number | undefined {
	return (
		readRateLimitState(headers, now).resetMs ??
		resetToMs(
			headerText(headers, 'ratelimit-reset') ?? headerText(headers, 'x-ratelimit-reset'),
			now,
		)
	);
}
