import type {
	GenericValue,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IPollFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import { assertApiKeyUsable } from './apiKey';
import { buildApiError } from './errors';
import type { RateLimitState } from './retryTiming';
import { backoffDelay, rateLimitDelay, readRateLimitState } from './retryTiming';
import { observeResponse, pacerFor, paceRequest } from './serverPacing';
import { budgetFor } from './throttle';

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
}

export interface RetryPolicy {
	/** Retries after the first try, for 429, and for 5xx or network errors on idempotent methods. */
	maxRetries: number;
	/** Upper bound on the total time spent waiting between tries. */
	maxWaitMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 5, maxWaitMs: 120_000 };

export interface RequestOptions {
	itemIndex?: number;
	retry?: RetryPolicy;
	timeoutMs?: number;
}

export interface ApiResponse {
	statusCode: number;
	headers: IDataObject;
	body: unknown;
	rateLimit: RateLimitState;
	/** Tries made, 1 when the first one succeeded. */
	attempts: number;
}

interface RawResponse {
	statusCode: number;
	headers: IDataObject;
	body: unknown;
}

// A POST or PATCH that failed with 5xx or lost its connection may have been applied: never resend it.
const IDEMPOTENT = new Set<IHttpRequestMethods>(['GET', 'HEAD', 'PUT', 'DELETE']);

const lastRateLimitState = new WeakMap<object, RateLimitState>();

/** The rate-limit headers of the latest response seen by this execution context. */
export function lastRateLimit(context: DnsFilterContext): RateLimitState | undefined {
	return lastRateLimitState.get(context);
}

function cancelSignal(context: DnsFilterContext): AbortSignal | undefined {
	return 'getExecutionCancelSignal' in context ? context.getExecutionCancelSignal() : undefined;
}

function seconds(ms: number): string {
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
};

function connectionErrorCode(error: unknown): string {
	const cause = (error as { cause?: { code?: unknown } })?.cause;
	const code = cause?.code ?? (error as { code?: unknown })?.code;
	return typeof code === 'string' ? code : 'network error';
}

/**
 * The single way every DNSFilter operation talks to the API: authenticated through the
 * credential, throttled per credential, retried on 429 as the server asks, retried on 5xx and
 * network errors only where repeating is safe, and failing with the API's own message.
 */
export async function dnsFilterApiRequest(
	this: DnsFilterContext,
	request: ApiRequest,
	options: RequestOptions = {},
): Promise<ApiResponse> {
	const itemIndex = options.itemIndex ?? 0;
	const retry = options.retry ?? DEFAULT_RETRY_POLICY;
	const node = this.getNode();
	const credentials = await this.getCredentials(CREDENTIAL_TYPE, itemIndex);
	const apiKey = String(credentials.apiKey ?? '');
	const baseUrl = String(credentials.baseUrl ?? 'https://api.dnsfilter.com').replace(/\/+$/, '');

	try {
		assertApiKeyUsable(apiKey);
	} catch (error) {
		throw new NodeOperationError(node, (error as Error).message, { itemIndex });
	}

	const signal = cancelSignal(this);
	const budget = budgetFor(
		baseUrl,
		apiKey,
		Number(credentials.throttleRequests ?? 0),
		Number(credentials.throttleWindowSeconds ?? 300),
	);
	const pacer = pacerFor(baseUrl, apiKey);
	const httpOptions: IHttpRequestOptions = {
		method: request.method,
		baseURL: baseUrl,
		url: request.path,
		qs: request.qs,
		arrayFormat: request.arrayFormat ?? 'repeat',
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: options.timeoutMs ?? 120_000,
		...(signal ? { abortSignal: signal } : {}),
	};
	if (request.body !== undefined) httpOptions.body = request.body as IHttpRequestOptions['body'];

	let waitedMs = 0;
	for (let attempt = 0; ; attempt++) {
		// The server's headers pace first; the per-process budget stays the upper bound.
		const paced = await paceRequest(this, pacer, signal);
		const ticket = budget ? await budget.take(signal) : undefined;
		let response: RawResponse;
		try {
			response = (await this.helpers.httpRequestWithAuthentication.call(
				this,
				CREDENTIAL_TYPE,
				httpOptions,
			)) as RawResponse;
			ticket?.settle();
		} catch (error) {
			ticket?.settle();
			if (signal?.aborted) {
				throw new NodeOperationError(node, 'The execution was cancelled while waiting for DNSFilter', { itemIndex });
			}
			const code = connectionErrorCode(error);
			const delay = backoffDelay(attempt);
			if (IDEMPOTENT.has(request.method) && attempt < retry.maxRetries && waitedMs + delay <= retry.maxWaitMs) {
				this.logger.debug(`DNSFilter ${request.method} ${request.path}: ${code}, retrying in ${seconds(delay)}`);
				waitedMs += delay;
				await sleep(delay, signal);
				continue;
			}
			// A fresh error, so the original request config (which holds the Authorization header) is not carried along.
			throw new NodeOperationError(node, `Could not reach DNSFilter at ${baseUrl} (${CONNECTION_PROBLEMS[code] ?? 'network error'})`, {
				description: `${request.method} ${request.path} failed (${code}) after ${attempt + 1} ${attempt ? 'tries' : 'try'}. Check the Base URL in the credential and the network between n8n and DNSFilter.${IDEMPOTENT.has(request.method) ? '' : ' A POST or PATCH is not retried, because it may already have been applied.'}`,
				itemIndex,
			});
		}

		const now = Date.now();
		const rateLimit = readRateLimitState(response.headers ?? {}, now);
		lastRateLimitState.set(this, rateLimit);
		observeResponse(this, pacer, rateLimit, paced);
		const { statusCode } = response;

		if (statusCode === 429) {
			const { delayMs, source } = rateLimitDelay(response.headers ?? {}, attempt, now);
			if (attempt >= retry.maxRetries || waitedMs + delayMs > retry.maxWaitMs) {
				throw new NodeApiError(node, { httpCode: '429', message: 'Too many requests' } as JsonObject, {
					message: `DNSFilter rate limit: gave up after ${attempt + 1} ${attempt ? 'tries' : 'try'} and ${seconds(waitedMs)} of waiting [HTTP 429]`,
					description: `The API asks to wait ${seconds(delayMs)} more (${source}). DNSFilter allows about 2,000 requests per 300 seconds per organization, shared with the dashboard. Lower the request rate in the credential, raise "Max Retries" or "Max Total Wait" under Request Options, or run later.`,
					httpCode: '429',
					itemIndex,
				});
			}
			this.logger.debug(`DNSFilter ${request.method} ${request.path}: 429, waiting ${seconds(delayMs)} (${source})`);
			waitedMs += delayMs;
			await sleep(delayMs, signal);
			continue;
		}

		if (statusCode >= 500 && IDEMPOTENT.has(request.method)) {
			const delay = backoffDelay(attempt);
			if (attempt < retry.maxRetries && waitedMs + delay <= retry.maxWaitMs) {
				this.logger.debug(`DNSFilter ${request.method} ${request.path}: HTTP ${statusCode}, retrying in ${seconds(delay)}`);
				waitedMs += delay;
				await sleep(delay, signal);
				continue;
			}
		}

		if (statusCode >= 400) {
			throw buildApiError(node, {
				statusCode,
				body: response.body,
				method: request.method,
				path: request.path,
				itemIndex,
			});
		}

		return { statusCode, headers: response.headers ?? {}, body: response.body, rateLimit, attempts: attempt + 1 };
	}
}
