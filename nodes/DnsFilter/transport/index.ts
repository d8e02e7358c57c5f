export { assertApiKeyUsable, decodeApiKey, expiredKeyMessage } from './apiKey';
export type { ApiKeyClaims } from './apiKey';
export { buildApiError, extractApiError } from './errors';
export { dnsFilterApiRequestPaged, MAX_PAGE_SIZE } from './pagination';
export type { PagedResult, PageOptions, PaginationStyle } from './pagination';
export { CREDENTIAL_TYPE, DEFAULT_RETRY_POLICY, dnsFilterApiRequest, lastRateLimit } from './request';
export type { ApiRequest, ApiResponse, DnsFilterContext, RequestOptions, RetryPolicy } from './request';
export { cancellableSleep } from './wait';
