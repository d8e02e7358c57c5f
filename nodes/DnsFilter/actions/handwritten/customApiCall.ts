import type { IDataObject, IExecuteFunctions, IHttpRequestMethods } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ApiRequest } from '../../transport';
import { dnsFilterApiRequest, dnsFilterApiRequestPaged } from '../../transport';
import { isRecord } from '../../utils/isRecord';
import { appendRailsPairs, parseJsonValue } from '../buildRequest';
import { requestSettingsFor } from '../requestSettings';
import { isEmptyBody, shapeList, shapeRecord, successResult } from '../../records/shapeOutput';
import { METHODS_WITH_BODY } from '../../descriptions/customApiCall';
import { OPERATIONS } from '../../generated/operations';
import { SECRET_FIELDS } from '../../generated/secretFields';
import type { OperationSpec } from '../../types/operationSpec';
import { maskNamed } from '../../records/secrets';
import { ALL_SECRET_NAMES } from '../secretNames';

/**
 * Checks a custom path: below the base URL (no origin, no `//`), under /v1/ or /v2/, no `..`
 * segment (plain or percent-encoded), no query or fragment (those go in Query Parameters).
 * Returns an error message, or undefined when the path is fine.
 */
export function customPathProblem(path: string): string | undefined {
	if (path === '') return 'The "Path" field is required';
	if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith('//'))
		return 'The "Path" must be a path below the base URL, not a URL';
	if (!/^\/v[12]\//.test(path)) return 'The "Path" must start with /v1/ or /v2/';
	if (/[\s\\]/.test(path)) return 'The "Path" must not contain spaces or backslashes';
	if (/[?#]/.test(path))
		return 'The "Path" must not contain ? or #; put query parameters in "Query Parameters (JSON)"';
	const segments = path.split('/').map((segment) => {
		try {
			return decodeURIComponent(segment);
		} catch {
			return segment;
		}
	});
	if (segments.some((segment) => segment === '..' || segment === '.'))
		return 'The "Path" must not contain . or .. segments';
	return undefined;
}

function isScalarList(value: unknown): boolean {
	return Array.isArray(value) && value.every((entry) => !isRecord(entry) && !Array.isArray(entry));
}

export async function customApiCall(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<IDataObject[]> {
	const node = this.getNode();
	const fail = (message: string, description?: string): never => {
		throw new NodeOperationError(node, message, { itemIndex, description });
	};
	const method = String(
		this.getNodeParameter('requestMethod', itemIndex, 'GET'),
	).toUpperCase() as IHttpRequestMethods;
	const path = String(this.getNodeParameter('requestPath', itemIndex, '') ?? '').trim();
	const problem = customPathProblem(path);
	if (problem)
		fail(problem, `Got "${path}". Example: /v1/networks or /v2/dictionary/ai_applications.`);

	const query = parseJsonValue(
		this.getNodeParameter('requestQuery', itemIndex, '{}'),
		'object',
		'Query Parameters (JSON)',
		fail,
	) as IDataObject | undefined;
	// Written into the path as the user wrote them, never through an object that could read a key
	// such as `__proto__` as something else: lists of scalars repeat the name, objects go Rails-style.
	const pairs: string[] = [];
	for (const [key, value] of Object.entries(query ?? {})) {
		if (isScalarList(value))
			for (const entry of value as unknown[]) appendRailsPairs(pairs, key, entry);
		else appendRailsPairs(pairs, key, value);
	}
	const request: ApiRequest = {
		method,
		path: pairs.length ? `${path}?${pairs.join('&')}` : path,
		secretNames: ALL_SECRET_NAMES,
	};
	if (METHODS_WITH_BODY.includes(method)) {
		const body = parseJsonValue(
			this.getNodeParameter('requestBody', itemIndex, ''),
			'any',
			'Body (JSON)',
			fail,
		);
		if (body !== undefined) request.body = body as IDataObject;
	}

	const settings = requestSettingsFor(this, itemIndex);
	const mask = secretMaskFor(this, method, path, itemIndex);
	if (method === 'GET' && this.getNodeParameter('requestReturnAll', itemIndex, false) === true) {
		const style = path.startsWith('/v1/traffic_reports/') ? 'trafficReport' : 'v1';
		const { records } = await dnsFilterApiRequestPaged.call(this, request, {
			style,
			returnAll: true,
			...settings,
		});
		return mask(shapeList(records, false));
	}
	const response = await dnsFilterApiRequest.call(this, request, settings);
	if (response.statusCode === 204 || isEmptyBody(response.body)) return [successResult(undefined)];
	const body = response.body;
	if (Array.isArray(body)) return mask(shapeList(body, false));
	if (isRecord(body) && Array.isArray(body.data)) return mask(shapeList(body.data, false));
	return mask([shapeRecord(body, false)]);
}

/**
 * The secrets a custom call's answer may hold are masked as the generated operation for the same
 * endpoint masks them (its schema's secret attributes); a path the document does not describe
 * gets every secret name the document knows. Include Secrets turns masking off, as there.
 */
function secretMaskFor(
	context: IExecuteFunctions,
	method: string,
	path: string,
	itemIndex: number,
): (results: IDataObject[]) => IDataObject[] {
	const keep = (results: IDataObject[]) => results;
	if (context.getNodeParameter('includeSecrets', itemIndex, false) === true) return keep;
	const spec = operationForPath(method, path);
	const secrets = spec ? SECRET_FIELDS[spec.operationId] : undefined;
	if (spec && (!secrets || secrets.returnsSecret)) return keep;
	const names = new Set(secrets ? secrets.names : ALL_SECRET_NAMES);
	return (results) => results.map((json) => maskNamed(json, names) as IDataObject);
}

/** The generated operation for a method and a concrete path; a literal segment beats a path parameter. */
export function operationForPath(method: string, path: string): OperationSpec | undefined {
	const segments = path.replace(/\/+$/, '').split('/');
	let best: { spec: OperationSpec; parameters: number } | undefined;
	for (const spec of OPERATIONS) {
		if (spec.method !== method) continue;
		const template = spec.path.split('/');
		if (template.length !== segments.length) continue;
		let parameters = 0;
		const matches = template.every((part, index) => {
			if (/^\{[^}]+\}$/.test(part)) {
				parameters++;
				return segments[index] !== '';
			}
			return part === segments[index];
		});
		if (matches && (!best || parameters < best.parameters)) best = { spec, parameters };
	}
	return best?.spec;
}
