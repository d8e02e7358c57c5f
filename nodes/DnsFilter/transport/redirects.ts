import type { IHttpRequestMethods } from 'n8n-workflow';

/** Same-origin hops followed for one try; more is a loop or a misconfigured proxy. */
export const MAX_REDIRECTS = 5;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export function isRedirect(statusCode: number): boolean {
	return REDIRECT_STATUSES.has(statusCode);
}

export type RedirectDecision =
	| { follow: true; url: string; method: IHttpRequestMethods; keepBody: boolean }
	| { follow: false; reason: string; hint: string };

/**
 * Where a 3xx may take the request. The HTTP client's own redirect handling is off: it would
 * carry the Authorization header (and a 307/308 body) to any host. Only the Base URL's origin
 * (scheme, host and port) is ever followed; the method and body change as RFC 9110 and every
 * browser do (303 → GET; 301/302 turn a POST into a GET; 307/308 keep both).
 */
export function decideRedirect(
	statusCode: number,
	location: string | undefined,
	currentUrl: string,
	allowedOrigin: string,
	method: IHttpRequestMethods,
	hops: number,
): RedirectDecision {
	const fix = `Set the Base URL in the credential to the address DNSFilter answers on directly (now ${allowedOrigin}).`;
	if (location === undefined || location.trim() === '') {
		return { follow: false, reason: `HTTP ${statusCode} without a Location header`, hint: fix };
	}
	let target: URL;
	try {
		target = new URL(location.trim(), currentUrl);
	} catch {
		return { follow: false, reason: `HTTP ${statusCode} to an invalid Location`, hint: fix };
	}
	if (target.username !== '' || target.password !== '') {
		return {
			follow: false,
			reason: `HTTP ${statusCode} to a URL with credentials in it (${target.origin})`,
			hint: `Nothing was sent there. ${fix}`,
		};
	}
	if (target.origin !== allowedOrigin) {
		return {
			follow: false,
			reason: `HTTP ${statusCode} to another origin, ${target.origin}`,
			hint: `Nothing was sent to ${target.origin}: the API key and request data only go to the Base URL's origin. If DNSFilter has moved, fix the Base URL in the credential. ${fix}`,
		};
	}
	if (hops >= MAX_REDIRECTS) {
		return {
			follow: false,
			reason: `more than ${MAX_REDIRECTS} redirects (last to ${target.pathname})`,
			hint: `The server redirects in a loop. ${fix}`,
		};
	}
	const toGet =
		(statusCode === 303 && method !== 'HEAD') ||
		((statusCode === 301 || statusCode === 302) && method === 'POST');
	return { follow: true, url: target.href, method: toGet ? 'GET' : method, keepBody: !toGet };
}
