export { assertApiKeyUsable, decodeApiKey, expiredKeyMessage } from './apiKey';
export type { ApiKeyClaims } from './apiKey';
export { buildApiError, extractApiError, unexpectedBodyError } from './errors';
export {
	dnsFilterApiRequestPaged,
	listRecordsOf,
	MAX_PAGE_SIZE,
	notAListError,
} from './pagination';
export type { PagedResult, PageOptions, PaginationStyle } from './pagination';
export { redactError, redactorFor } from './redact';
export type { Redactor } from './redact';
export {
	CREDENTIAL_TYPE,
	DEFAULT_MAX_PAGES,
	DEFAULT_MAX_RESPONSE_BYTES,
	DEFAULT_RETRY_POLICY,
	DEFAULT_TIMEOUT_MS,
	dnsFilterApiRequest,
	lastRateLimit,
} from './request';
export type {
	ApiRequest,
	ApiResponse,
	DnsFilterContext,
	RequestOptions,
	RetryPolicy,
} from './request';
export { cancellableSleep } from './wait';
export { HIGH_WATER as PACING_HIGH_WATER, pacingReport } from './serverPacing';
export type { PacingReport } from './serverPacing';
export { readRateLimitState } from './rateLimitHeaders';
export type { RateLimitForm, RateLimitState } from './rateLimitHeaders';
