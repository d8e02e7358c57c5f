import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { OperationSpec } from './operationSpec';

/**
 * Extension points for hand-written behaviour next to the generated operations.
 *
 * - `customOperations`: handlers for operations that are not in the OpenAPI document (or replace a
 *   generated one). Keyed `resource:operation`; the router consults this map before the generated
 *   table. Add the operation's option to the selector through `customOperations` in
 *   scripts/generator/overrides.mjs (then `npm run generate`), and its fields to `customProperties`.
 * - `outputHooks`: post-processing of the JSON items an operation produced, keyed
 *   `resource:operation` or `resource:*` (every operation of the resource). Hooks run in order,
 *   resource-wide ones first.
 * - `customProperties`: extra node parameters, appended after the generated ones.
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

export type OutputHook = (
	this: IExecuteFunctions,
	items: IDataObject[],
	context: OperationContext,
) => IDataObject[] | Promise<IDataObject[]>;

export const customOperations: Record<string, CustomOperationHandler> = {};

export const outputHooks: Record<string, OutputHook[]> = {};

export const customProperties: INodeProperties[] = [];

export function operationKey(resource: string, operation: string): string {
	return `${resource}:${operation}`;
}

export function hooksFor(resource: string, operation: string): OutputHook[] {
	return [...(outputHooks[`${resource}:*`] ?? []), ...(outputHooks[operationKey(resource, operation)] ?? [])];
}
