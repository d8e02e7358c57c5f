import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { CUSTOM_API_CALL, customApiCallProperties } from '../descriptions/customApiCall';
import { OPERATION_ALIASES } from '../generated/aliases';
import { findOperationById } from '../generated/operations';
import { resourceProperty } from '../generated/resources';
import { withApiKeyInsight } from '../records/apiKeyInsight';
import {
	apiKeyInsightProperties,
	CHECK_CURRENT_KEY_OPERATION,
	checkCurrentKey,
	thresholdFor,
} from './handwritten/checkCurrentKey';
import { customApiCall } from './handwritten/customApiCall';
import type { OperationSpec } from '../types/operationSpec';

/**
 * Everything that runs besides the generated operation table, built here in one place so that
 * reading this file and the router tells what the node can do. The options of hand-written
 * operations are listed in scripts/generator/overrides.mjs (customOperations, customApiCall), so the
 * generated selectors show them; their handlers and fields live here.
 */

export interface OperationContext {
	itemIndex: number;
	resource: string;
	operation: string;
	/** The generated row, when the operation is a generated one. */
	spec?: OperationSpec;
}

/** Returns the output items' JSON for one input item; the router adds `pairedItem`. */
export type CustomOperationHandler = (
	this: IExecuteFunctions,
	context: OperationContext,
) => Promise<IDataObject[]>;

/** Post-processing of the JSON items an operation produced. */
export type OutputHook = (
	this: IExecuteFunctions,
	items: IDataObject[],
	context: OperationContext,
) => IDataObject[] | Promise<IDataObject[]>;

export interface Registry {
	/** Handlers keyed `resource:operation`, consulted before the generated table. */
	operations: Readonly<Record<string, CustomOperationHandler>>;
	/** Hooks keyed `resource:operation`, run in order on the operation's output. */
	outputHooks: Readonly<Record<string, readonly OutputHook[]>>;
	/** Node parameters of the hand-written operations, placed after the generated ones. */
	properties: readonly INodeProperties[];
}

export function operationKey(resource: string, operation: string): string {
	return `${resource}:${operation}`;
}

const runCheckCurrentKey: CustomOperationHandler = async function (context) {
	return [await checkCurrentKey.call(this, context.itemIndex)];
};

const runCustomApiCall: CustomOperationHandler = async function (context) {
	return await customApiCall.call(this, context.itemIndex);
};

const addKeyInsight: OutputHook = function (items, context) {
	const now = new Date();
	const threshold = thresholdFor(this, context.itemIndex);
	return items.map((json) => withApiKeyInsight(json, now, threshold));
};

function buildRegistry(): Registry {
	const operations: Record<string, CustomOperationHandler> = {
		[operationKey('apiKey', CHECK_CURRENT_KEY_OPERATION)]: runCheckCurrentKey,
	};
	// Custom API Call ends every resource's selector (and is a resource of its own).
	for (const option of resourceProperty.options ?? []) {
		if ('value' in option)
			operations[operationKey(String(option.value), CUSTOM_API_CALL)] = runCustomApiCall;
	}

	const outputHooks: Record<string, OutputHook[]> = {};
	// Found by operationId, so a renamed operation value cannot silently drop the hook.
	for (const operationId of ['V1_Api_Keys-index', 'V1_Api_Keys-show']) {
		const row = findOperationById(operationId);
		if (row) outputHooks[operationKey(row.resource, row.operation)] = [addKeyInsight];
	}

	return {
		operations,
		outputHooks,
		properties: [...apiKeyInsightProperties, ...customApiCallProperties],
	};
}

export const registry: Registry = buildRegistry();

export function hooksFor(resource: string, operation: string): readonly OutputHook[] {
	return registry.outputHooks[operationKey(resource, operation)] ?? [];
}

/**
 * The operation a saved resource/operation pair means today. A value the aliases table renamed
 * runs the operation it became; a removed one comes back with the message saying what replaced it.
 */
export function resolveSavedOperation(
	resource: string,
	operation: string,
): { resource: string; operation: string; removed?: string } {
	const alias = OPERATION_ALIASES[operationKey(resource, operation)];
	if (!alias) return { resource, operation };
	if ('removed' in alias) return { resource, operation, removed: alias.removed };
	return { resource: alias.resource, operation: alias.operation };
}
