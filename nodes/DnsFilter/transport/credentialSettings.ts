import type { ICredentialDataDecryptedObject, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/** The bounds the node enforces; the credential states them as literals and a test keeps the two equal. */
export const CREDENTIAL_LIMITS = {
	throttleRequests: { min: 0, max: 1_000_000, label: 'Requests per Window (per n8n Process)' },
	throttleWindowSeconds: { min: 1, max: 86_400, label: 'Window Length (Seconds)' },
} as const;

export interface CredentialSettings {
	apiKey: string;
	baseUrl: string;
	/** `scheme://host:port` of the Base URL: the only place the key and request data are sent. */
	origin: string;
	throttleRequests: number;
	throttleWindowSeconds: number;
}

function bounded(
	node: INode,
	credentials: ICredentialDataDecryptedObject,
	name: keyof typeof CREDENTIAL_LIMITS,
	fallback: number,
	itemIndex: number,
): number {
	const { min, max, label } = CREDENTIAL_LIMITS[name];
	const raw = credentials[name];
	const value = raw === undefined || raw === null || raw === '' ? fallback : Number(raw);
	if (!Number.isFinite(value) || value < min || value > max) {
		throw new NodeOperationError(
			node,
			`The DNSFilter credential's "${label}" must be a number from ${min} to ${max.toLocaleString('en-US')}; it is ${String(raw)}`,
			{
				itemIndex,
				description: `Open the DNSFilter credential and fix "${label}". Nothing was sent.`,
			},
		);
	}
	return value;
}

/** Hosts on this machine: plain HTTP to them never crosses a network (a local proxy, a test stand-in). */
export function isLoopbackHost(hostname: string): boolean {
	const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
	return (
		host === 'localhost' ||
		host.endsWith('.localhost') ||
		host === '::1' ||
		/^127(?:\.\d{1,3}){3}$/.test(host)
	);
}

function baseUrlError(
	node: INode,
	itemIndex: number,
	message: string,
	fix: string,
): NodeOperationError {
	return new NodeOperationError(node, `The DNSFilter credential's "Base URL" ${message}`, {
		itemIndex,
		description: `Open the DNSFilter credential and ${fix}. Nothing was sent.`,
	});
}

/** Reads and checks the credential before anything is sent; messages name the field to fix. */
export function readCredentialSettings(
	node: INode,
	credentials: ICredentialDataDecryptedObject,
	itemIndex: number,
): CredentialSettings {
	const apiKey = String(credentials.apiKey ?? '');
	const raw = String(credentials.baseUrl ?? 'https://api.dnsfilter.com').trim();
	const baseUrl = raw.replace(/\/+$/, '');
	let parsed: URL | undefined;
	try {
		parsed = new URL(baseUrl);
	} catch {
		parsed = undefined;
	}
	const defaultFix = 'set "Base URL" to https://api.dnsfilter.com (or your proxy\'s address)';
	if (
		!parsed ||
		(parsed.protocol !== 'https:' && parsed.protocol !== 'http:') ||
		parsed.username ||
		parsed.password
	) {
		throw baseUrlError(
			node,
			itemIndex,
			'is not an http(s) address without user or password',
			defaultFix,
		);
	}
	// Paths are appended to the Base URL as text: a query or fragment in it would swallow them.
	if (/[?#]/.test(baseUrl)) {
		throw baseUrlError(
			node,
			itemIndex,
			`must not contain "?" or "#" (it is ${parsed.origin}${parsed.pathname}…)`,
			`remove everything from the "${baseUrl.includes('?') ? '?' : '#'}" on, so "Base URL" is only the API's address, e.g. https://api.dnsfilter.com`,
		);
	}
	if (
		parsed.protocol === 'http:' &&
		!isLoopbackHost(parsed.hostname) &&
		credentials.allowPlainHttp !== true
	) {
		throw baseUrlError(
			node,
			itemIndex,
			`is plain http:// to ${parsed.host}, which would send the API key unencrypted`,
			'use https:// (DNSFilter is https://api.dnsfilter.com). Plain http is allowed only to this machine (localhost, 127.x.x.x, [::1]), or with "Allow Plain HTTP" switched on for a trusted proxy on a private network',
		);
	}
	return {
		apiKey,
		baseUrl,
		origin: parsed.origin,
		throttleRequests: bounded(node, credentials, 'throttleRequests', 0, itemIndex),
		throttleWindowSeconds: bounded(node, credentials, 'throttleWindowSeconds', 300, itemIndex),
	};
}
