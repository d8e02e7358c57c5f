import type {
	GenericValue,
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IPollFunctions,
} from 'n8n-workflow';
import { ApplicationError, NodeOperationError } from 'n8n-workflow';

import type { ApiKeyClaims } from './apiKey';
import { assertApiKeyUsable, expiredKeyMessage } from './apiKey';
import type { CredentialSettings } from './credentialSettings';
import { readCredentialSettings } from './credentialSettings';
import { deadlineAfter } from './deadlines';
import { executionState, peekExecutionState } from './executionState';
import { nestsDeeperThan } from './jsonDepth';
import {
	buildApiError,
	cancelledError,
	ERROR_BODY_LIMIT,
	htmlTitle,
	rateLimitGaveUpError,
	seconds,
	tooDeepError,
	tooLargeError,
	unexpectedBodyError,
	unreachableError,
	unreadableAnswer,
	unreadableAnswerError,
} from './errors';
import { decideRedirect, isRedirect } from './redirects';
import type { Redactor } from './redact';
import { redactError, redactJson, redactorFor } from './redact';
import { discardBody, readBody } from './responseBody';
import type { RateLimitState } from './retryTiming';
import { readRateLimitState } from './retryTiming';
import { headerText } from './headers';
import type { RetryDecision, TryResult } from './retryPolicy';
import { decideRetry, isIdempotent, MAX_TIMER_MS } from './retryPolicy';
import type { ServerPacer } from './serverPacing';
import { observeRefusal, observeResponse, pacerFor, paceRequest } from './serverPacing';
import { budgetFor, credentialDigest } from './throttle';
import { onStop } from './stopSignal';
import { cancellableSleep, WaitAllowance } from './wait';

export type DnsFilterContext = IExecuteFunctions | ILoadOptionsFunctions | IPollFunctions;

export const CREDENTIAL_TYPE = 'dnsFilterApi';

export interface ApiRequest {
	method: IHttpRequestMethods;
	/** Path below the base URL, with path parameters already encoded, e.g. `/v1/networks/12`. */
	path: string;
	qs?: IDataObject;
	body?: IDataObject | IDataObject[] | GenericValue | GenericValue[];
	/** How array query values are written; OpenAPI's default (form, explode) is `repeat`. */
	arrayFormat?: 'repeat' | 'brackets' | 'indices' | 'comma';
	/** Attribute names that hold secrets: their values are hidden in error messages (an API echoing them in a 422). */
	secretNames?: readonly string[];
	/**
	 * Deepest nesting of a 2xx JSON answer that is read (default MAX_JSON_DEPTH); deeper ones fail
	 * with an error naming the request. The trigger reads any depth and cuts what it emits instead.
	 */
	maxJsonDepth?: number;
}

export interface RetryPolicy {
	/** Retries after the first try, for 429, and for 5xx or network errors on idempotent methods. */
	maxRetries: number;
	/** Upper bound on the total time spent waiting between tries. */
	maxWaitMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 5, maxWaitMs: 120_000 };

/** Defaults for the bounds below; Request Options can change them per node. */
export const DEFAULT_TIMEOUT_MS = 120_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 50 * 1024 * 1024;
export const DEFAULT_MAX_PAGES = 10_000;
export { MAX_TIMER_MS };

export interface RequestOptions {
	itemIndex?: number;
	retry?: RetryPolicy;
	/** Deadline for one try: connecting, the answer's headers and its whole body. */
	timeoutMs?: number;
	/** Largest (decompressed) 2xx body accepted. */
	maxResponseBytes?: number;
	/** Pages a Return All walk may read before it stops with an error. */
	maxPages?: number;
}

export interface ApiResponse {
	statusCode: number;
	headers: IDataObject;
	/** The parsed JSON, or undefined when the answer had no body. */
	body: unknown;
	rateLimit: RateLimitState;
	/** Tries made, 1 when the first one succeeded. */
	attempts: number;
	/**
	 * A DELETE whose earlier try may have been applied (5xx, timeout, lost connection) was
	 * retried and the retry found nothing (404): the record is gone, most likely deleted by us.
	 */
	alreadyDeleted?: boolean;
	/** What came back, for messages about an unexpected answer: content type and first bytes (redacted). */
	contentType: string;
	preview: string;
	/** Removes the API key from text built from this answer. */
	redact: Redactor;
}

/** One HTTP exchange after redirects, with its body read. */
interface Exchange {
	statusCode: number;
	headers: IDataObject;
	bytes: Buffer;
	truncated: boolean;
	decoded?: unknown;
	/** The answer's rate-limit headers, read once for the pacer, the hint and the retry wait. */
	rateLimit: RateLimitState;
}

// A POST or PATCH that failed with 5xx or lost its connection may have been applied: never resend it.
const PREVIEW_CHARS = 200;

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** The rate-limit headers of the latest response seen by this execution context. */
export function lastRateLimit(context: DnsFilterContext): RateLimitState | undefined {
	return peekExecutionState(context)?.lastRateLimit;
}

function cancelSignal(context: DnsFilterContext): AbortSignal | undefined {
	return 'getExecutionCancelSignal' in context ? context.getExecutionCancelSignal() : undefined;
}

function connectionErrorCode(error: unknown): string {
	const cause = (error as { cause?: { code?: unknown } })?.cause;
	const code = cause?.code ?? (error as { code?: unknown })?.code;
	return typeof code === 'string' ? code : 'network error';
}

/** Rejects when `signal` aborts, even if the HTTP helper ignores the signal. */
async function untilSettledOrAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
	if (signal.aborted) {
		void promise.then(discardBodyOf, () => undefined);
		throw signal.reason;
	}
	return await new Promise<T>((resolve, reject) => {
		const onAbort = () => {
			void promise.then(discardBodyOf, () => undefined);
			reject(signal.reason);
		};
		signal.addEventListener('abort', onAbort, { once: true });
		promise.then(
			(value) => {
				signal.removeEventListener('abort', onAbort);
				resolve(value);
			},
			(error: unknown) => {
				signal.removeEventListener('abort', onAbort);
				reject(error);
			},
		);
	});
}

function discardBodyOf(response: unknown): void {
	discardBody((response as { body?: unknown } | undefined)?.body);
}

/**
 * n8n's helper replaces `abortSignal` with the execution's cancel signal; this view of the
 * context hands it the per-try signal (cancel or deadline) instead, so a deadline closes the socket.
 */
function withAbortSignal(context: DnsFilterContext, signal: AbortSignal): DnsFilterContext {
	return Object.create(context, {
		getExecutionCancelSignal: { value: () => signal },
	}) as DnsFilterContext;
}

function describeBody(
	exchange: Exchange,
	redact: Redactor,
): { contentType: string; preview: string } {
	const contentType = headerText(exchange.headers, 'content-type') ?? 'none';
	const text = exchange.bytes.subarray(0, 4 * PREVIEW_CHARS).toString('utf8');
	// Control characters escaped so a binary answer cannot garble the message.
	const printable = text.replace(CONTROL_CHARACTERS, '�').replace(/\s+/g, ' ').trim();
	const preview = redact(
		printable.length > PREVIEW_CHARS ? `${printable.slice(0, PREVIEW_CHARS)}…` : printable,
	);
	return { contentType: redact(contentType.slice(0, 100)), preview };
}

/** Deeper than any DNSFilter answer nests (a handful of levels): past it an answer is refused, not walked. */
export const MAX_JSON_DEPTH = 200;

type Parsed =
	| { ok: true; value: unknown; text: string }
	| { ok: false; text: string; tooDeep?: number };

function parseJson(exchange: Exchange, maxDepth = MAX_JSON_DEPTH): Parsed {
	if (exchange.decoded !== undefined) return { ok: true, value: exchange.decoded, text: '' };
	const text = exchange.bytes.toString('utf8').replace(/^\uFEFF/, '');
	if (text.trim() === '') return { ok: true, value: undefined, text };
	const tooDeep = nestsDeeperThan(text, maxDepth);
	if (tooDeep !== undefined) return { ok: false, text, tooDeep };
	try {
		return { ok: true, value: JSON.parse(text), text };
	} catch {
		return { ok: false, text };
	}
}

/** The answer's value with the key taken out wherever a trace of it shows (a server echoing the Authorization header). */
function withoutKey(parsed: { value: unknown; text: string }, redact: Redactor): unknown {
	if (parsed.value === undefined || parsed.value === null) return parsed.value;
	if (parsed.text !== '' && !redact.traces(parsed.text)) return parsed.value;
	return redactJson(parsed.value, redact);
}

/**
 * The single way every DNSFilter operation talks to the API: authenticated through the
 * credential, throttled per credential, retried on 429 (and 503) as the server asks, retried on
 * 5xx and network errors only where repeating is safe, redirected only within the Base URL's
 * origin, bounded in time and size, and failing with the API's own message, with the key redacted.
 */
export async function dnsFilterApiRequest(
	this: DnsFilterContext,
	request: ApiRequest,
	options: RequestOptions = {},
): Promise<ApiResponse> {
	const itemIndex = options.itemIndex ?? 0;
	const credentials = await this.getCredentials(CREDENTIAL_TYPE, itemIndex);
	const redact = redactorFor(String(credentials.apiKey ?? ''));
	try {
		const checked = checkCredential(this, credentials, itemIndex);
		const resolved: ICredentialsDecrypted = {
			...checked.reference,
			type: CREDENTIAL_TYPE,
			data: credentials,
		};
		return await sendWithRetries.call(
			this,
			request,
			options,
			{ ...checked.settings, resolved, digest: checked.digest, pacer: checked.pacer },
			redact,
		);
	} catch (error) {
		// Whatever the server echoed (and whatever a lower layer put in a cause) loses the key here.
		throw redactError(error, redact);
	}
}

/** What an execution has checked about one set of credential values. */
export interface CheckedCredential {
	/** The values checked: API key, Base URL and the two throttle fields, as n8n resolved them. */
	values: readonly unknown[];
	settings: CredentialSettings;
	/** The key's `exp` claim (ms), re-checked on every request. */
	expiresAt?: number;
	/** The node's credential reference, for n8n's helper. */
	reference: { id: string; name: string };
	/** The credential's identity in this process (a digest of Base URL and key), for its budget and pacer. */
	digest: string;
	pacer: ServerPacer;
}

/**
 * Checks the credential before anything is sent: Base URL and throttle fields (messages name the
 * field), the key's form and expiry. n8n resolves the credential for every item (expressions may
 * give items different values), but while the values stay the same the Base URL parse, the key's
 * decoding, the node's credential reference and the credential's pacer give the same answers, so
 * they are worked out once per execution; only the expiry is compared with the clock every time.
 */
function checkCredential(
	context: DnsFilterContext,
	credentials: ICredentialDataDecryptedObject,
	itemIndex: number,
): CheckedCredential {
	const values = [
		credentials.apiKey,
		credentials.baseUrl,
		credentials.throttleRequests,
		credentials.throttleWindowSeconds,
		credentials.allowPlainHttp,
	];
	const execution = executionState(context);
	let checked = execution.credential;
	if (!checked || !checked.values.every((value, index) => value === values[index])) {
		const node = context.getNode();
		const settings = readCredentialSettings(node, credentials, itemIndex);
		let claims: ApiKeyClaims;
		try {
			claims = assertApiKeyUsable(settings.apiKey);
		} catch (error) {
			throw new NodeOperationError(node, (error as Error).message, { itemIndex });
		}
		const reference = node.credentials?.[CREDENTIAL_TYPE];
		const digest = credentialDigest(settings.baseUrl, settings.apiKey);
		checked = {
			values,
			settings,
			expiresAt: claims.expiresAt?.getTime(),
			reference: { id: reference?.id ?? '', name: reference?.name ?? '' },
			digest,
			pacer: pacerFor(digest),
		};
		execution.credential = checked;
	}
	if (checked.expiresAt !== undefined && checked.expiresAt <= Date.now()) {
		throw new NodeOperationError(
			context.getNode(),
			expiredKeyMessage(new Date(checked.expiresAt)),
			{ itemIndex },
		);
	}
	return checked;
}

/**
 * The checked credential settings, the credential itself for n8n's authenticating helper (so it
 * authenticates with the values checked here instead of resolving the credential again, for item
 * 0 at that), and the credential's pacer.
 */
interface SendSettings extends CredentialSettings {
	resolved: ICredentialsDecrypted;
	digest: string;
	pacer: ServerPacer;
}

async function sendWithRetries(
	this: DnsFilterContext,
	request: ApiRequest,
	options: RequestOptions,
	settings: SendSettings,
	redact: Redactor,
): Promise<ApiResponse> {
	const itemIndex = options.itemIndex ?? 0;
	const retry = options.retry ?? DEFAULT_RETRY_POLICY;
	const maxWaitMs = Math.min(Math.max(0, retry.maxWaitMs), MAX_TIMER_MS);
	const timeoutMs = Math.min(Math.max(1, options.timeoutMs ?? DEFAULT_TIMEOUT_MS), MAX_TIMER_MS);
	const maxResponseBytes = Math.max(1, options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES);
	// n8n's getNode() deep-copies the node with its parameters: only errors need it.
	const node = () => this.getNode();
	const { baseUrl, pacer } = settings;

	const signal = cancelSignal(this);
	const budget = budgetFor(
		settings.digest,
		settings.throttleRequests,
		settings.throttleWindowSeconds,
	);
	const idempotent = isIdempotent(request.method);

	// Shared with the waits for the server's budget (exchangeHops), so both count toward Max Total Wait.
	const allowance = new WaitAllowance(maxWaitMs);
	// Set once a DELETE may have been applied by a try whose answer we did not get.
	let deleteOutcomeUnknown = false;
	const decide = (attempt: number, result: TryResult, now: number) =>
		decideRetry(
			request.method,
			result,
			{ attempt, maxRetries: retry.maxRetries, waitLeftMs: allowance.leftMs, deleteOutcomeUnknown },
			now,
		);
	/** Spends the decided wait, logs why, and waits it out (Stop ends it). */
	const waitAndRetry = async (decision: Extract<RetryDecision, { action: 'retry' }>) => {
		deleteOutcomeUnknown = decision.deleteOutcomeUnknown;
		allowance.spend(decision.delayMs);
		this.logger.debug(
			`DNSFilter ${request.method} ${request.path}: ${decision.reason}, retried after ${seconds(decision.delayMs)} (${decision.source})`,
		);
		await cancellableSleep(decision.delayMs, signal);
	};

	for (let attempt = 0; ; attempt++) {
		const outcome = await exchangeOnce.call(this, request, settings, {
			timeoutMs,
			maxResponseBytes,
			signal,
			budget,
			pacer,
			allowance,
			redact,
			itemIndex,
		});
		if (!outcome.ok) {
			if (signal?.aborted) {
				throw cancelledError(node(), itemIndex);
			}
			const { code } = outcome;
			const unreadable = unreadableAnswer(code, outcome.headers);
			if (unreadable) {
				throw unreadableAnswerError(
					node(),
					{ method: request.method, path: request.path, statusCode: outcome.statusCode },
					unreadable,
					itemIndex,
				);
			}
			const decision = decide(attempt, { kind: 'network', code }, Date.now());
			if (decision.action === 'retry') {
				await waitAndRetry(decision);
				continue;
			}
			throw unreachableError(
				node(),
				{
					baseUrl,
					method: request.method,
					path: request.path,
					code,
					attempts: attempt + 1,
					timeoutMs,
					resendable: idempotent,
				},
				itemIndex,
			);
		}
		const { exchange } = outcome;

		const now = Date.now();
		const { rateLimit } = exchange;
		executionState(this).lastRateLimit = rateLimit;
		const { statusCode, headers } = exchange;

		const decision = decide(attempt, { kind: 'answer', statusCode, headers }, now);
		if (
			decision.action === 'fail-rate-limit' ||
			(statusCode === 429 && decision.action === 'retry')
		) {
			// The refusal holds the credential's other requests too, whether or not this one retries.
			observeRefusal(pacer, decision.delayMs);
		}
		if (decision.action === 'retry') {
			await waitAndRetry(decision);
			continue;
		}
		if (decision.action === 'fail-rate-limit') {
			throw rateLimitGaveUpError(
				node(),
				{
					attempts: attempt + 1,
					waitedMs: allowance.spentMs,
					askedMs: decision.delayMs,
					source: decision.source,
				},
				itemIndex,
			);
		}
		if (decision.action === 'already-deleted') {
			this.logger.debug(
				`DNSFilter DELETE ${request.path}: 404 after a try with unknown outcome, counted as deleted`,
			);
			return { ...answered(exchange, attempt, redact, undefined), alreadyDeleted: true };
		}

		if (statusCode < 200 || statusCode >= 300) {
			const parsed = parseJson(exchange);
			throw buildApiError(node(), {
				statusCode,
				body:
					parsed.ok && parsed.value !== undefined ? parsed.value : exchange.bytes.toString('utf8'),
				method: request.method,
				path: request.path,
				itemIndex,
				secretNames: request.secretNames,
				sentBody: request.body,
			});
		}

		const maxDepth = request.maxJsonDepth ?? MAX_JSON_DEPTH;
		const parsed = parseJson(exchange, maxDepth);
		if (!parsed.ok) {
			if (parsed.tooDeep !== undefined) {
				throw tooDeepError(
					node(),
					{ method: request.method, path: request.path },
					maxDepth,
					itemIndex,
				);
			}
			const title = htmlTitle(parsed.text);
			throw unexpectedBodyError(
				node(),
				{
					method: request.method,
					path: request.path,
					statusCode,
					...describeBody(exchange, redact),
					htmlTitle: title === undefined ? undefined : redact(title),
				},
				'JSON',
				itemIndex,
			);
		}
		return answered(exchange, attempt, redact, withoutKey(parsed, redact));
	}
}

/**
 * The ApiResponse for an exchange. Content type and preview are only read when an answer turns
 * out unusable, so they are worked out (and redacted) on first read, not for every answer; they
 * are own enumerable getters, so `{ ...response }` still carries their values.
 */
function answered(
	exchange: Exchange,
	attempt: number,
	redact: Redactor,
	body: unknown,
): ApiResponse {
	let described: { contentType: string; preview: string } | undefined;
	const describe = () => (described ??= describeBody(exchange, redact));
	return {
		statusCode: exchange.statusCode,
		headers: exchange.headers,
		rateLimit: exchange.rateLimit,
		attempts: attempt + 1,
		body,
		redact,
		get contentType() {
			return describe().contentType;
		},
		get preview() {
			return describe().preview;
		},
	};
}

interface ExchangeLimits {
	timeoutMs: number;
	maxResponseBytes: number;
	signal: AbortSignal | undefined;
	budget: ReturnType<typeof budgetFor>;
	pacer: ServerPacer;
	allowance: WaitAllowance;
	redact: Redactor;
	itemIndex: number;
}

type Outcome =
	| { ok: true; exchange: Exchange }
	| { ok: false; code: string; statusCode?: number; headers?: IDataObject };

/**
 * One try: the request, any same-origin redirects, and the body, all within one deadline.
 * Network failures and the deadline come back as a failed Outcome with a code; an answer that
 * must not be used (a redirect elsewhere, a body above the size bound) throws.
 */
async function exchangeOnce(
	this: DnsFilterContext,
	request: ApiRequest,
	settings: SendSettings,
	limits: ExchangeLimits,
): Promise<Outcome> {
	// The deadline starts once the throttle lets the first request go: waiting for budget is not slowness.
	let aborter: TryAborter | undefined;
	try {
		return await exchangeHops.call(
			this,
			request,
			settings,
			limits,
			() => (aborter ??= tryAborter(limits.signal, limits.timeoutMs)),
		);
	} finally {
		aborter?.release();
	}
}

/** One try's abort signal: fires at Stop (the execution's signal) or at the try's deadline. */
interface TryAborter {
	signal: AbortSignal;
	/** Whether the deadline passed (as opposed to Stop). */
	timedOut(): boolean;
	/** Detaches from Stop and the deadline once the try is over. */
	release(): void;
}

/**
 * A plain controller per try that Stop and the deadline both abort, detached when the try ends.
 * Not `AbortSignal.any([stop, AbortSignal.timeout(ms)])`: on Node 20 a composite signal that was
 * ever listened to stays registered on its long-lived source (the execution's Stop signal), and a
 * timeout signal per try costs a timer per request (deadlines.ts serves them from one queue).
 * Tries reach Stop through one shared listener (stopSignal.ts), not one listener each.
 */
function tryAborter(stop: AbortSignal | undefined, timeoutMs: number): TryAborter {
	const controller = new AbortController();
	const deadline = deadlineAfter(timeoutMs, () =>
		controller.abort(new ApplicationError(`No complete answer within ${timeoutMs} ms`)),
	);
	const detach = stop ? onStop(stop, () => controller.abort(stop.reason)) : undefined;
	return {
		signal: controller.signal,
		timedOut: () => deadline.expired,
		release() {
			deadline.clear();
			detach?.();
		},
	};
}

async function exchangeHops(
	this: DnsFilterContext,
	request: ApiRequest,
	settings: SendSettings,
	limits: ExchangeLimits,
	startDeadline: () => TryAborter,
): Promise<Outcome> {
	const node = () => this.getNode();
	let aborter: TryAborter | undefined;
	let signal: AbortSignal | undefined;
	let context: DnsFilterContext | undefined;
	const failed = (
		error: unknown,
		answer?: { statusCode: number; headers: IDataObject },
	): Outcome => ({
		ok: false,
		code: aborter?.timedOut() && !limits.signal?.aborted ? 'DEADLINE' : connectionErrorCode(error),
		...answer,
	});
	let method = request.method;
	let httpOptions: IHttpRequestOptions = {
		method,
		baseURL: settings.baseUrl,
		url: request.path,
		qs: request.qs,
		arrayFormat: request.arrayFormat ?? 'repeat',
		json: true,
		// The body is read here, to bound its size and its time; n8n would buffer it whole.
		encoding: 'stream',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		// Redirects are followed below, only within the Base URL's origin.
		disableFollowRedirect: true,
		timeout: limits.timeoutMs,
	};
	if (request.body !== undefined) httpOptions.body = request.body as IHttpRequestOptions['body'];
	let currentUrl = `${settings.baseUrl}${request.path}`;

	for (let hops = 0; ; hops++) {
		// The server's headers pace first; the per-process budget stays the upper bound.
		const paced = await paceRequest(this, limits.pacer, limits.signal, {
			allowance: limits.allowance,
			node,
			itemIndex: limits.itemIndex,
		});
		const ticket = limits.budget ? await limits.budget.take(limits.signal) : undefined;
		if (!aborter || !signal || !context) {
			aborter = startDeadline();
			signal = aborter.signal;
			context = withAbortSignal(this, signal);
			httpOptions.abortSignal = signal;
		}
		let response: { statusCode: number; headers?: IDataObject; body: unknown } | undefined;
		let failure: unknown;
		try {
			response = await untilSettledOrAborted(
				this.helpers.httpRequestWithAuthentication.call(context, CREDENTIAL_TYPE, httpOptions, {
					credentialsDecrypted: settings.resolved,
				}) as Promise<{ statusCode: number; headers?: IDataObject; body: unknown }>,
				signal,
			);
		} catch (error) {
			failure = error ?? new Error('request failed');
		}
		if (!response) {
			ticket?.settle();
			return failed(failure);
		}
		const headers = (response.headers ?? {}) as IDataObject;
		const { statusCode } = response;

		if (statusCode >= 300 && statusCode < 400) {
			discardBody(response.body);
			ticket?.settle();
			const decision = isRedirect(statusCode)
				? decideRedirect(
						statusCode,
						headerText(headers, 'location'),
						currentUrl,
						settings.origin,
						method,
						hops,
					)
				: {
						follow: false as const,
						reason: `HTTP ${statusCode}, which this node does not handle`,
						hint: 'Check the Base URL in the credential.',
					};
			if (!decision.follow) {
				throw new NodeOperationError(
					node(),
					limits.redact(
						`DNSFilter answered ${request.method} ${request.path} with a redirect that was not followed: ${decision.reason}`,
					),
					{
						itemIndex: limits.itemIndex,
						description: limits.redact(decision.hint),
					},
				);
			}
			method = decision.method;
			currentUrl = decision.url;
			httpOptions = {
				...httpOptions,
				method,
				baseURL: undefined,
				url: decision.url,
				qs: undefined,
			};
			if (!decision.keepBody) delete httpOptions.body;
			continue;
		}

		const success = statusCode >= 200 && statusCode < 300;
		// The token's window starts once the whole answer is in, as the throttle expects (throttle.ts).
		const read = await readBody(
			response.body,
			success ? limits.maxResponseBytes : ERROR_BODY_LIMIT,
			success ? 'fail' : 'truncate',
			signal,
		).finally(() => ticket?.settle());
		if (read.ok) {
			const rateLimit = readRateLimitState(headers, Date.now());
			observeResponse(this, limits.pacer, rateLimit, paced);
			return {
				ok: true,
				exchange: {
					statusCode,
					headers,
					bytes: read.bytes,
					truncated: read.truncated,
					decoded: read.decoded,
					rateLimit,
				},
			};
		}
		if (read.reason === 'tooLarge') {
			throw tooLargeError(
				node(),
				{ method: request.method, path: request.path },
				limits.maxResponseBytes,
				limits.itemIndex,
			);
		}
		return failed(read.error, { statusCode, headers });
	}
}
