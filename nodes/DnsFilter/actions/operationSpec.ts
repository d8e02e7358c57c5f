import type { IHttpRequestMethods } from 'n8n-workflow';

/**
 * The shape of one row of the generated operation table (`../generated/operations.ts`).
 * The generator writes these rows; the router reads them. Hand-written, so both sides agree.
 */

export type FieldType =
	| 'string'
	| 'number'
	| 'boolean'
	| 'options'
	| 'multiOptions'
	| 'stringList'
	| 'json'
	| 'dateTime'
	/** `format: date`: a calendar day, sent as YYYY-MM-DD. */
	| 'date'
	| 'idOrSelf';

export interface FieldSpec {
	/** The name on the wire, exactly as the API spells it: `id`, `filter[name]`, `user_id:`, `x-type`. */
	wireName: string;
	/** The n8n parameter name (camelCase, unique within the operation). */
	field: string;
	in: 'path' | 'query' | 'body';
	type: FieldType;
	required: boolean;
	/** For `json` fields: the shape the value must have before it is sent. */
	jsonShape?: 'object' | 'array' | 'any';
	/** For `number` fields: whether the schema says integer; for `stringList`: items are integers. */
	integer?: boolean;
	/**
	 * Where the n8n parameter lives when it is not a top-level parameter: optional query
	 * parameters in the `options` collection, optional body fields in `additionalFields`.
	 * Absent: top level (path parameters and everything required).
	 */
	collection?: 'options' | 'additionalFields';
}

export interface BodySpec {
	/** Wrap the fields in `{ [rootKey]: … }`, as the schema does. */
	rootKey?: string;
	/** The spec declares this body as a query parameter named `body`; it is sent as a JSON body. */
	declaredAsQueryParam?: boolean;
	required: boolean;
	/** `array`: the body is a JSON array, entered whole; `unknown`: no usable schema, JSON only. */
	kind: 'object' | 'array' | 'unknown';
}

export interface OperationSpec {
	operationId: string;
	/** Value of the `resource` parameter. */
	resource: string;
	/** Value of the `operation` parameter, unique across all resources. */
	operation: string;
	method: IHttpRequestMethods;
	/** OpenAPI path template, e.g. `/v1/networks/{id}/secret_key`. */
	path: string;
	fields: FieldSpec[];
	body?: BodySpec;
	/** Set when the spec has a `page` query parameter: Return All / Limit replace it. */
	pagination?: 'v1' | 'trafficReport';
	/** How the 2xx response is turned into items. */
	output: 'list' | 'record' | 'none';
	/** For CSV export jobs: the operation that reads the job's state, polled by "Wait for Completion". */
	exportStatusOperationId?: string;
	/** The operation's label in the node ("Get Many Networks"). */
	displayName?: string;
}
