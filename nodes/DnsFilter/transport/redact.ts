/** Shortest run of the key's characters treated as a leak: long enough to make chance matches rare. */
const FRAGMENT = 16;

export const REDACTED = '[redacted]';

export type Redactor = (text: string) => string;

function fragmentsOf(secret: string): Set<string> {
	const fragments = new Set<string>();
	for (let start = 0; start + FRAGMENT <= secret.length; start++) fragments.add(secret.slice(start, start + FRAGMENT));
	return fragments;
}

/**
 * A function that removes `secret` from any text: the whole value, its base64 and URL-encoded
 * forms, and any run of 16 or more of their characters (a server may echo a truncated key).
 * Linear in the text's length: each position is looked up once in a set of the secret's 16-grams.
 * The set (some 800 fragments) is built on the first text to redact: every request gets a
 * redactor, but only errors and unexpected answers use it, and building it for each of thousands
 * of successful requests was a fifth of the node's own time and most of its garbage.
 */
export function redactorFor(secret: string): Redactor {
	let built: Redactor | undefined;
	return (text: string) => {
		if (typeof text !== 'string' || text === '') return text;
		built ??= buildRedactor(secret);
		return built(text);
	};
}

function buildRedactor(secret: string): Redactor {
	const trimmed = secret.trim();
	if (trimmed.length < 8) return (text) => text;
	const forms = [
		trimmed,
		encodeURIComponent(trimmed),
		Buffer.from(trimmed).toString('base64'),
		Buffer.from(trimmed).toString('base64url'),
	];
	const fragments = new Set<string>();
	for (const form of forms) for (const fragment of fragmentsOf(form)) fragments.add(fragment);
	const short = forms.filter((form) => form.length < FRAGMENT);
	return (text: string) => {
		if (typeof text !== 'string' || text === '') return text;
		let result = text;
		for (const form of short) result = result.split(form).join(REDACTED);
		if (result.length < FRAGMENT) return result;
		// Mark every position covered by a 16-gram of the secret, then replace each covered run once.
		let output = '';
		let copiedUpTo = 0;
		let coveredUntil = -1;
		let runStart = -1;
		for (let index = 0; index + FRAGMENT <= result.length; index++) {
			if (!fragments.has(result.slice(index, index + FRAGMENT))) continue;
			if (index > coveredUntil) {
				if (runStart >= 0) {
					output += result.slice(copiedUpTo, runStart) + REDACTED;
					copiedUpTo = coveredUntil;
				}
				runStart = index;
			}
			coveredUntil = index + FRAGMENT;
		}
		if (runStart >= 0) {
			output += result.slice(copiedUpTo, runStart) + REDACTED;
			copiedUpTo = coveredUntil;
		}
		return output + result.slice(copiedUpTo);
	};
}

/** Redacts an error in place: message, description, and what n8n shows of its cause and context. */
export function redactError<T>(error: T, redact: Redactor): T {
	if (error === null || typeof error !== 'object') return error;
	const target = error as unknown as Record<string, unknown>;
	for (const field of ['message', 'description', 'stack']) {
		if (typeof target[field] === 'string') target[field] = redact(target[field] as string);
	}
	if (Array.isArray(target.messages)) target.messages = target.messages.map((entry) => (typeof entry === 'string' ? redact(entry) : entry));
	for (const field of ['cause', 'errorResponse', 'context']) {
		const value = target[field];
		if (value === undefined || value === null) continue;
		if (typeof value === 'string') target[field] = redact(value);
		else if (typeof value === 'object') target[field] = redactValue(value, redact, 0);
	}
	return error;
}

function redactValue(value: unknown, redact: Redactor, depth: number): unknown {
	if (typeof value === 'string') return redact(value);
	if (value === null || typeof value !== 'object' || depth > 4) return value;
	if (Array.isArray(value)) return value.map((entry) => redactValue(entry, redact, depth + 1));
	if (value instanceof Error) {
		const copy = new Error(redact(value.message));
		copy.stack = redact(value.stack ?? '');
		return copy;
	}
	const copy: Record<string, unknown> = {};
	for (const [key, entry] of Object.entries(value)) {
		// Request configs carry the Authorization header: never keep them.
		if (key === 'config' || key === 'request' || key === 'headers') continue;
		copy[key] = redactValue(entry, redact, depth + 1);
	}
	return copy;
}
