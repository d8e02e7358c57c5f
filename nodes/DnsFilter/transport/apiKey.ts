import { ApplicationError } from 'n8n-workflow';

export interface ApiKeyClaims {
	subject?: string;
	issuedAt?: Date;
	expiresAt?: Date;
	claims: Record<string, unknown>;
}

const BASE64URL_PART = /^[A-Za-z0-9_-]+={0,2}$/;

function decodeBase64Url(part: string): string {
	const padded = part.replace(/-/g, '+').replace(/_/g, '/');
	return Buffer.from(padded, 'base64').toString('utf8');
}

function parseClaims(part: string): Record<string, unknown> | undefined {
	let parsed: unknown;
	try {
		parsed = JSON.parse(decodeBase64Url(part));
	} catch {
		return undefined;
	}
	return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
		? (parsed as Record<string, unknown>)
		: undefined;
}

function epochToDate(value: unknown): Date | undefined {
	return typeof value === 'number' && Number.isFinite(value) ? new Date(value * 1000) : undefined;
}

/**
 * Reads the claims of a DNSFilter API key (a JWT) without verifying its signature: only the
 * API can verify it, but the expiry lets us fail fast with an actionable message.
 * Error messages never quote the key.
 */
export function decodeApiKey(apiKey: string): ApiKeyClaims {
	const parts = apiKey.trim().split('.');
	if (parts.length !== 3 || !parts.every((part) => BASE64URL_PART.test(part))) {
		throw new ApplicationError(
			'The DNSFilter API key is malformed: expected a JSON Web Token of three base64url parts separated by dots. Copy the whole key from Account Settings → Security → API Keys into the credential.',
		);
	}
	const claims = parseClaims(parts[1]);
	if (!claims) {
		throw new ApplicationError(
			'The DNSFilter API key is malformed: its payload is not a JSON object. Copy the whole key from Account Settings → Security → API Keys into the credential.',
		);
	}
	return {
		subject: claims.sub === undefined ? undefined : String(claims.sub),
		issuedAt: epochToDate(claims.iat),
		expiresAt: epochToDate(claims.exp),
		claims,
	};
}

export function expiredKeyMessage(expiresAt: Date): string {
	return `DNSFilter API key expired on ${expiresAt.toISOString()}: generate a new key under Account Settings → Security → API Keys`;
}

/** Throws when the key cannot work: malformed, or past its `exp` claim. */
export function assertApiKeyUsable(apiKey: string, now: Date = new Date()): ApiKeyClaims {
	const decoded = decodeApiKey(apiKey);
	if (decoded.expiresAt && decoded.expiresAt.getTime() <= now.getTime()) {
		throw new ApplicationError(expiredKeyMessage(decoded.expiresAt));
	}
	return decoded;
}
