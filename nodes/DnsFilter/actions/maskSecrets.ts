import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { findOperationById } from '../generated/operations';
import { SECRET_FIELDS } from '../generated/secretFields';
import { MASK, maskNamed } from '../records/secrets';
import { itemParameter } from './itemParameter';

// Include Secrets for the action node; the masking itself is records/secrets.ts, shared with the trigger.

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
