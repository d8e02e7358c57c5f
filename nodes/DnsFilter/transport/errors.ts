import type { IDataObject, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { isRecord } from '../utils/isRecord';
import { headerText } from './headers';
import { nestsDeeperThan } from './jsonDepth';

export interface ApiErrorDetails {
	message: string;
	type?: string;
}

const MAX_TEXT = 300;

/** How much of an error body is read and parsed: enough for any real API message, bounded for hostile ones. */
export const ERROR_BODY_LIMIT = 64 * 1024;

function clip(text: string, max = MAX_TEXT): string {
	const collapsed = text.replace(/\s+/g, ' ').trim();
	return collapsed.length > max ? `${collapsed.slice(0, max)}…` : collapsed;
}

/** The text of an HTML `<title>`, found with indexOf so hostile markup costs linear time. */
export function htmlTitle(html: string): string | undefined {
	const lower = html.toLowerCase();
	const open = lower.indexOf('<title');
	if (open < 0) return undefined;
	const start = lower.indexOf('>', open);
	if (start < 0) return undefined;
	const end = lower.indexOf('</title', start);
	if (end < 0) return undefined;
	const title = clip(html.slice(start + 1, end));
	return title === '' ? undefined : title;
}

/** Markup removed in one pass: a `<` opens a tag that the next `>` closes; an unclosed `<` ends the text. */
function stripTags(html: string): string {
	let out = '';
	let position = 0;
	while (position < html.length && out.length <= MAX_TEXT * 4) {
		const open = html.indexOf('<', position);
		if (open < 0) {
			out += html.slice(position);
			break;
		}
		out += `${html.slice(position, open)} `;
		const close = html.indexOf('>', open);
		if (close < 0) break;
		position = close + 1;
	}
	return out;
}

function textOf(html: string): string {
	return htmlTitle(html) ?? clip(stripTags(html));
}

function safeStringify(value: unknown): string {
	try {
		return JSON.stringify(value)?.slice(0, MAX_TEXT) ?? String(value);
	} catch {
		return String(value);
	}
}

/** Error bodies nest a level or two; a deeper one is read as text, not walked. */
const MAX_ERROR_DEPTH = 50;

function tryParseJson(text: string): unknown {
	if (nestsDeeperThan(text, MAX_ERROR_DEPTH) !== undefined) return undefined;
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

/**
 * The API's message out of a JSON error body cut off at the read limit (so no longer JSON): the
 * first "error" or "message" string, as far as it was read.
 */
function messageFromCutJson(text: string): string | undefined {
	const match =
		/"(?:error|message|detail|title)"\s*:\s*(?:\{\s*"message"\s*:\s*)?"((?:[^"\\]|\\.){1,2000})/.exec(
			text.slice(0, 16 * 1024),
		);
	if (!match) return undefined;
	const raw = match[1]
		.replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
		.replace(/\\(.)/g, '$1');
	const message = clip(raw, MAX_TEXT * 2);
	return message === '' ? undefined : message;
}

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** A readable excerpt of any text: control characters and markup-free runs of it, collapsed. */
function excerpt(text: string): string | undefined {
	const printable = clip(text.slice(0, 4 * MAX_TEXT).replace(CONTROL_CHARACTERS, ' '));
	return printable === '' ? undefined : printable;
}

/**
 * Reads the API's own words out of an error body. DNSFilter answers in several shapes:
 * V1 `{"error": "msg", "type"}`, V2 `{"error": {"message", "type"}}`, 422 `["msg", …]`,
 * and proxies in front of it answer with HTML or plain text.
 */
function nonEmpty(text: string | undefined): string | undefined {
	return text === undefined || text.trim() === '' ? undefined : text;
}

function withMessage(message: string | undefined): ApiErrorDetails | undefined {
	return message === undefined ? undefined : { message };
}

export function extractApiError(body: unknown): ApiErrorDetails | undefined {
	const details = extractDetails(body);
	return details && nonEmpty(details.message) !== undefined ? details : undefined;
}

function extractDetails(body: unknown): ApiErrorDetails | undefined {
	if (typeof body === 'string' || Buffer.isBuffer(body)) {
		const text = (
			Buffer.isBuffer(body)
				? body.subarray(0, ERROR_BODY_LIMIT).toString()
				: body.slice(0, ERROR_BODY_LIMIT)
		).trim();
		if (text === '') return undefined;
		const parsed = tryParseJson(text);
		if (parsed !== undefined) return extractApiError(parsed) ?? withMessage(excerpt(text));
		const looksLikeJson = /^[[{]/.test(text);
		return withMessage(
			(looksLikeJson ? messageFromCutJson(text) : undefined) ??
				nonEmpty(textOf(text)) ??
				excerpt(text),
		);
	}
	if (Array.isArray(body)) {
		const messages = body
			.slice(0, 20)
			.map((entry) => (typeof entry === 'string' ? entry : safeStringify(entry)));
		return messages.length ? { message: clip(messages.join('; '), MAX_TEXT * 2) } : undefined;
	}
	if (!isRecord(body)) return undefined;
	const { error } = body;
	if (typeof error === 'string') {
		return {
			message: clip(error, MAX_TEXT * 2),
			type: typeof body.type === 'string' ? clip(body.type, 100) : undefined,
		};
	}
	if (isRecord(error) && typeof error.message === 'string') {
		return {
			message: clip(error.message, MAX_TEXT * 2),
			type: typeof error.type === 'string' ? clip(error.type, 100) : undefined,
		};
	}
	if (Array.isArray(body.errors)) {
		const messages = body.errors
			.slice(0, 20)
			.map((entry) =>
				isRecord(entry)
					? String(entry.detail ?? entry.title ?? entry.message ?? safeStringify(entry))
					: String(entry),
			);
		if (messages.length) return { message: clip(messages.join('; '), MAX_TEXT * 2) };
	}
	if (typeof body.message === 'string') return { message: clip(body.message, MAX_TEXT * 2) };
	return undefined;
}

export interface FailedResponse {
	statusCode: number;
	body: unknown;
	method: string;
	path: string;
	itemIndex: number;
	/** Attribute names that hold secrets (a network's `secret_key`, a key's `token`): their values never show in the error. */
	secretNames?: readonly string[];
	/** What was sent, so a secret sent and echoed back in the message is recognised. */
	sentBody?: unknown;
}

const SECRET_HIDDEN = '[secret]';

/** Values under the secret names anywhere in `values`, walked without recursion and bounded in effort. */
function secretValuesIn(values: unknown[], names: ReadonlySet<string>): string[] {
	const found = new Set<string>();
	const stack = [...values];
	for (let visited = 0; stack.length && visited < 20_000; visited++) {
		const value = stack.pop();
		if (typeof value === 'string') {
			if (value.length > 2 && value.length < 100_000 && /^[[{]/.test(value.trim())) {
				const parsed = tryParseJson(value);
				if (parsed !== undefined && typeof parsed === 'object') stack.push(parsed);
			}
			continue;
		}
		if (value === null || typeof value !== 'object') continue;
		if (Array.isArray(value)) {
			stack.push(...value.slice(0, 1_000));
			continue;
		}
		for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
			if (
				names.has(key) &&
				(typeof entry === 'string' || typeof entry === 'number') &&
				String(entry).length >= 4
			)
				found.add(String(entry));
			else stack.push(entry);
		}
	}
	// Longest first, so a secret that contains another is hidden whole.
	return [...found].sort((a, b) => b.length - a.length);
}

/** The body with the secrets hidden before anything is taken from it, so a message cut short cannot keep half of one. */
function hiddenIn(body: unknown, hide: (text: string) => string): unknown {
	if (typeof body === 'string') return hide(body);
	if (body === null || typeof body !== 'object') return body;
	let text: string | undefined;
	try {
		text = JSON.stringify(body);
	} catch {
		return body;
	}
	const hidden = hide(text);
	return hidden === text ? body : (tryParseJson(hidden) ?? hidden);
}

/** Hides the secret values of a failure from text; undefined when there are none to hide. */
function secretHider(failure: FailedResponse): ((text: string) => string) | undefined {
	if (!failure.secretNames?.length) return undefined;
	const secrets = secretValuesIn([failure.body, failure.sentBody], new Set(failure.secretNames));
	if (!secrets.length) return undefined;
	return (text) =>
		secrets.reduce((result, secret) => result.split(secret).join(SECRET_HIDDEN), text);
}

const unchanged = (text: string) => text;

function statusHint(statusCode: number, path: string): string {
	if (statusCode === 401) {
		return 'The API key is invalid, expired or revoked. Create a new key under Account Settings → Security → API Keys and update the DNSFilter credential.';
	}
	if (statusCode === 403) {
		return "The key's user lacks the permission for this action. API keys carry the permissions of the user who created them.";
	}
	if (statusCode === 404) {
		// Name the resource only when the path ends in something that looks like an id.
		const idMatch = /\/([^/]+)\/(\d+|[0-9a-fA-F-]{32,36}|self)$/.exec(path);
		return idMatch
			? `No ${idMatch[1]} with id "${idMatch[2]}" was found (${path}). Check the id and that it belongs to an organization the key can see.`
			: `Nothing was found at ${path}. Check the ids in the path and the Base URL in the credential.`;
	}
	if (statusCode === 422)
		return 'DNSFilter rejected the data sent. Fix the fields named in the message.';
	if (statusCode === 429) return 'DNSFilter rate limit reached.';
	if (statusCode >= 500) return 'DNSFilter had a server error. Try again later.';
	return '';
}

const FALLBACK_MESSAGES: Record<number, string> = {
	400: 'Bad request',
	401: 'Unauthorized',
	403: 'Forbidden',
	404: 'Not found',
	422: 'Unprocessable entity',
	429: 'Too many requests',
};

/** Turns a failed response into the NodeApiError users see; never copies request headers. */
export function buildApiError(node: INode, failure: FailedResponse): NodeApiError {
	// Without secrets to hide, the body is not printed and parsed again.
	const hider = secretHider(failure);
	const hide = hider ?? unchanged;
	const details = extractApiError(hider ? hiddenIn(failure.body, hider) : failure.body);
	const message = hide(
		details?.message ??
			FALLBACK_MESSAGES[failure.statusCode] ??
			(failure.statusCode >= 500 ? 'DNSFilter server error' : 'DNSFilter request failed'),
	);
	const type = details?.type === undefined ? undefined : hide(details.type);
	const descriptionParts = [
		type ? `Type: ${type}.` : '',
		statusHint(failure.statusCode, failure.path),
		`(${failure.method} ${failure.path} → HTTP ${failure.statusCode})`,
	].filter(Boolean);
	const errorResponse: JsonObject = {
		httpCode: String(failure.statusCode),
		message,
		...(type ? { type } : {}),
	};
	return new NodeApiError(node, errorResponse, {
		message: `${message} [HTTP ${failure.statusCode}]`,
		description: descriptionParts.join(' '),
		httpCode: String(failure.statusCode),
		itemIndex: failure.itemIndex,
	});
}

// The errors of the exchange itself (no usable API answer): what the transport tells the user when
// DNSFilter cannot be reached, answers what cannot be read, or keeps refusing.

export function seconds(ms: number): string {
	return `${Math.round(ms / 100) / 10}s`;
}

// n8n rewrites any error message containing a raw code such as ECONNREFUSED into generic text,
// so the message carries these words and the description keeps the code.
const CONNECTION_PROBLEMS: Record<string, string> = {
	ECONNREFUSED: 'connection refused',
	ECONNRESET: 'connection reset',
	ENOTFOUND: 'host not found',
	EAI_AGAIN: 'DNS lookup failed',
	ETIMEDOUT: 'timed out',
	ECONNABORTED: 'timed out',
	EHOSTUNREACH: 'host unreachable',
	DEADLINE: 'timed out',
};

/**
 * Codes that mean an answer came back but could not be read: Node's HTTP parser refused it
 * (`HPE_…`), or its body did not decode as its Content-Encoding said (zlib `Z_…`, brotli
 * `ERR__…`). The server answered, so this is no network failure, and sending again would get
 * the same answer. Returns what to tell the user, or undefined for a real network failure.
 */
export function unreadableAnswer(
	code: string,
	headers: IDataObject | undefined,
): string | undefined {
	if (code === 'HPE_HEADER_OVERFLOW') {
		return 'its headers are larger than the 16 KB that Node.js reads (HPE_HEADER_OVERFLOW); a proxy in between may be adding them, or n8n may be started with a larger --max-http-header-size';
	}
	if (code.startsWith('HPE_')) return `it is not valid HTTP (${code})`;
	if (
		code.startsWith('Z_') ||
		code.startsWith('ERR__') ||
		code.startsWith('ERR_ZLIB') ||
		code.includes('BROTLI')
	) {
		const encoding = headers ? headerText(headers, 'content-encoding') : undefined;
		return `its body is not the ${encoding ? `"${encoding.slice(0, 40)}"` : 'compressed'} data its Content-Encoding header announces (${code})`;
	}
	return undefined;
}

/** Where an error happened: the request as the user's operation sent it. */
interface Sent {
	method: string;
	path: string;
}

function tries(count: number): string {
	return `${count} ${count === 1 ? 'try' : 'tries'}`;
}

export function cancelledError(node: INode, itemIndex: number): NodeOperationError {
	return new NodeOperationError(node, 'The execution was cancelled while waiting for DNSFilter', {
		itemIndex,
	});
}

export function unreadableAnswerError(
	node: INode,
	sent: Sent & { statusCode?: number },
	unreadable: string,
	itemIndex: number,
): NodeOperationError {
	const status = sent.statusCode === undefined ? '' : ` (HTTP ${sent.statusCode})`;
	return new NodeOperationError(
		node,
		`DNSFilter's answer to ${sent.method} ${sent.path}${status} could not be read: ${unreadable}`,
		{
			description: `An answer arrived, so this is not a network failure and it was not sent again. Check the Base URL in the credential and any proxy between n8n and DNSFilter. Nothing from this answer was used.`,
			itemIndex,
		},
	);
}

/** No answer after every try the retry policy allowed. A fresh error, so the request config (which holds the Authorization header) is not carried along. */
export function unreachableError(
	node: INode,
	failure: Sent & {
		baseUrl: string;
		code: string;
		attempts: number;
		timeoutMs: number;
		/** Whether the method is ever sent again without an answer. */
		resendable: boolean;
	},
	itemIndex: number,
): NodeOperationError {
	const { code } = failure;
	const timedOut = code === 'DEADLINE';
	return new NodeOperationError(
		node,
		`Could not reach DNSFilter at ${failure.baseUrl} (${CONNECTION_PROBLEMS[code] ?? 'network error'})`,
		{
			description: `${failure.method} ${failure.path} failed (${timedOut ? `no complete answer within the ${seconds(failure.timeoutMs)} Timeout` : code}) after ${tries(failure.attempts)}. ${timedOut ? 'Raise "Timeout (Seconds)" under Request Options if DNSFilter is slow, or check' : 'Check'} the Base URL in the credential and the network between n8n and DNSFilter.${failure.resendable ? '' : ' A POST or PATCH is not retried, because it may already have been applied.'}`,
			itemIndex,
		},
	);
}

export function rateLimitGaveUpError(
	node: INode,
	failure: { attempts: number; waitedMs: number; askedMs: number; source: string },
	itemIndex: number,
): NodeApiError {
	return new NodeApiError(node, { httpCode: '429', message: 'Too many requests' } as JsonObject, {
		message: `DNSFilter rate limit: gave up after ${tries(failure.attempts)} and ${seconds(failure.waitedMs)} of waiting [HTTP 429]`,
		description: `The API asks to wait ${seconds(failure.askedMs)} more (${failure.source}). DNSFilter allows about 2,000 requests per 300 seconds per organization, shared with the dashboard. Lower the request rate in the credential, raise "Max Retries" or "Max Total Wait" under Request Options, or run later.`,
		httpCode: '429',
		itemIndex,
	});
}

export function tooDeepError(
	node: INode,
	sent: Sent,
	maxDepth: number,
	itemIndex: number,
): NodeOperationError {
	return new NodeOperationError(
		node,
		`DNSFilter's answer to ${sent.method} ${sent.path} nests deeper than ${maxDepth} levels; it was not read`,
		{
			itemIndex,
			description: `The JSON nests more than ${maxDepth} levels deep (DNSFilter's own answers nest a handful), so it is not a DNSFilter answer this node can use. Check the Base URL in the credential; a proxy in between may be rewriting answers. Nothing from this answer was used.`,
		},
	);
}

export function tooLargeError(
	node: INode,
	sent: Sent,
	maxResponseBytes: number,
	itemIndex: number,
): NodeOperationError {
	const megabytes = Math.round((maxResponseBytes / 1024 / 1024) * 100) / 100;
	return new NodeOperationError(
		node,
		`DNSFilter's answer to ${sent.method} ${sent.path} is larger than ${megabytes} MB; reading stopped there`,
		{
			itemIndex,
			description:
				'Raise "Max Response Size (MB)" under Request Options if the answer is expected to be this large, or ask for less (a smaller Limit, narrower filters).',
		},
	);
}

/** The error for a 2xx whose body is not what the operation needs; names what came back. */
export function unexpectedBodyError(
	node: INode,
	what: {
		method: string;
		path: string;
		statusCode: number;
		contentType: string;
		preview: string;
		htmlTitle?: string;
	},
	expected: string,
	itemIndex: number,
): NodeOperationError {
	const shown = [
		`Content-Type: ${what.contentType}`,
		what.htmlTitle ? `HTML page titled "${what.htmlTitle}"` : '',
		what.preview ? `first bytes: ${what.preview}` : 'empty body',
	].filter(Boolean);
	return new NodeOperationError(
		node,
		`DNSFilter answered ${what.method} ${what.path} with HTTP ${what.statusCode} but not ${expected}`,
		{
			itemIndex,
			description: `${shown.join('; ')}. A proxy, captive portal or wrong Base URL often answers like this: check the Base URL in the credential. Nothing from this answer was used.`,
		},
	);
}
