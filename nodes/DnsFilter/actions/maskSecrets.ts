import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { findOperationById } from '../generated/operations';
import { SECRET_FIELDS } from '../generated/secretFields';
import { itemParameter } from './itemParameter';
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

/** The router's last step for one item: masks unless the operation returns secrets by purpose or Include Secrets is on. */
export function maskSecrets(
	context: IExecuteFunctions,
	operationId: string | undefined,
	itemIndex: number,
	results: IDataObject[],
): IDataObject[] {
	const secrets = operationId ? SECRET_FIELDS[operationId] : undefined;
	if (!secrets || secrets.returnsSecret) return results;
	if (itemParameter(context, 'includeSecrets', itemIndex, false) === true) return results;
	const names = new Set(secrets.names);
	return results.map((json) => maskNamed(json, names) as IDataObject);
}

/** "Include Secrets", shown (one property per resource) only for operations whose answer has masked secrets. */
function includeSecretsProperties(): INodeProperties[] {
	const byResource = new Map<string, { operations: string[]; names: Set<string> }>();
	for (const [operationId, secrets] of Object.entries(SECRET_FIELDS)) {
		const spec = findOperationById(operationId);
		if (!spec || secrets.returnsSecret) continue;
		const entry = byResource.get(spec.resource) ?? { operations: [], names: new Set<string>() };
		entry.operations.push(spec.operation);
		for (const name of secrets.names) entry.names.add(name);
		byResource.set(spec.resource, entry);
	}
	return [...byResource.entries()].map(([resource, { operations, names }]) => ({
		displayName: 'Include Secrets',
		name: 'includeSecrets',
		type: 'boolean',
		default: false,
		displayOptions: { show: { resource: [resource], operation: operations } },
		description: `Whether to return ${[...names].join(', ')} in full. Off: masked as ${MASK} plus the last 4 characters, so the secret never reaches the execution log or an AI agent.`,
	}));
}

export const secretProperties: INodeProperties[] = includeSecretsProperties();
