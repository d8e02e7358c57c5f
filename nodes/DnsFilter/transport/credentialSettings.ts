import type { ICredentialDataDecryptedObject, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/** Bounds shared with the credential's field definitions, so the UI and the node agree. */
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

function bounded(node: INode, credentials: ICredentialDataDecryptedObject, name: keyof typeof CREDENTIAL_LIMITS, fallback: number, itemIndex: number): number {
	const { min, max, label } = CREDENTIAL_LIMITS[name];
	const raw = credentials[name];
	const value = raw === undefined || raw === null || raw === '' ? fallback : Number(raw);
	if (!Number.isFinite(value) || value < min || value > max) {
		throw new NodeOperationError(node, `The DNSFilter credential's "${label}" must be a number from ${min} to ${max.toLocaleString('en-US')}; it is ${String(raw)}`, {
			itemIndex,
			description: `Open the DNSFilter credential and fix "${label}". Nothing was sent.`,
		});
	}
	return value;
}

/** Reads and checks the credential before anything is sent; messages name the field to fix. */
export function readCredentialSettings(node: INode, credentials: ICredentialDataDecryptedObject, itemIndex: number): CredentialSettings {
	const apiKey = String(credentials.apiKey ?? '');
	const baseUrl = String(credentials.baseUrl ?? 'https://api.dnsfilter.com').trim().replace(/\/+$/, '');
	let parsed: URL | undefined;
	try {
		parsed = new URL(baseUrl);
	} catch {
		parsed = undefined;
	}
	if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || parsed.username || parsed.password) {
		throw new NodeOperationError(node, 'The DNSFilter credential\'s "Base URL" is not an http(s) address without user or password', {
			itemIndex,
			description: 'Open the DNSFilter credential and set "Base URL" to https://api.dnsfilter.com (or your proxy\'s address). Nothing was sent.',
		});
	}
	return {
		apiKey,
		baseUrl,
		origin: parsed.origin,
		throttleRequests: bounded(node, credentials, 'throttleRequests', 0, itemIndex),
		throttleWindowSeconds: bounded(node, credentials, 'throttleWindowSeconds', 300, itemIndex),
	};
}
