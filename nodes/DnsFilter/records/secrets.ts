import { SECRET_FIELDS } from '../generated/secretFields';
import { rewriteJson } from './shapeOutput';

/**
 * Secrets in answers (a network's `secret_key`, an API key's `token`) are masked in the output by
 * default: output items go to n8n's execution store and, through the AI-tool variant, to an MCP
 * client or a model. Which attributes, per operation, comes from the spec's response schemas
 * (`generated/secretFields.ts`). Operations that exist to return a secret (create or rotate a
 * network secret key, create an API key, a reset-password URL) keep it.
 */

export const MASK = '••••••••';
/** Long secrets keep their last 4 characters, so keys can still be told apart (as DNSFilter's own `last_four`). */
const SHOW_LAST_FROM_LENGTH = 16;

export function maskValue(value: unknown): unknown {
	if (value === null || value === undefined || value === '') return value;
	if (typeof value === 'string' && value.length >= SHOW_LAST_FROM_LENGTH)
		return `${MASK}${value.slice(-4)}`;
	return MASK;
}

/**
 * `value` with every attribute named in `names` masked, at any depth; `value` itself is never
 * changed. Copy on write: only the objects and arrays on the way to a masked attribute are
 * copied, so a Return All of 100,000 records without secrets copies none of them. Walked without
 * recursion, so an answer nested thousands of levels deep is masked instead of overflowing the stack.
 */
export function maskNamed(value: unknown, names: ReadonlySet<string>): unknown {
	if (!names.size) return value;
	return rewriteJson(value, (entry, key) =>
		typeof key === 'string' && names.has(key) ? { replace: maskValue(entry) } : undefined,
	);
}

/** The secret attribute names of an operation's answer (empty for purpose operations and those without). */
export function secretNamesOf(operationId: string): ReadonlySet<string> {
	const secrets = SECRET_FIELDS[operationId];
	return new Set(secrets && !secrets.returnsSecret ? secrets.names : []);
}
