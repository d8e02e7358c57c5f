import type { IDataObject, IExecuteFunctions, IHttpRequestMethods } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ApiRequest } from '../../transport';
import { dnsFilterApiRequest, dnsFilterApiRequestPaged } from '../../transport';
import { isRecord } from '../../utils/isRecord';
import { appendRailsPairs, parseJsonValue } from '../buildRequest';
import { requestSettingsFor } from '../requestSettings';
import { isEmptyBody, shapeList, shapeRecord, successResult } from '../shapeOutput';
import { METHODS_WITH_BODY } from '../../descriptions/customApiCall';

/**
 * Checks a custom path: below the base URL (no origin, no `//`), under /v1/ or /v2/, no `..`
 * segment (plain or percent-encoded), no query or fragment (those go in Query Parameters).
 * Returns an error message, or undefined when the path is fine.
 */
export function customPathProblem(path: string): string | undefined {
	if (path === '') return 'The "Path" field is required';
	if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith('//')) return 'The "Path" must be a path below the base URL, not a URL';
	if (!/^\/v[12]\//.test(path)) return 'The "Path" must start with /v1/ or /v2/';
	if (/[\s\\]/.test(path)) return 'The "Path" must not contain spaces or backslashes';
	if (/[?#]/.test(path)) return 'The "Path" must not contain ? or #; put query parameters in "Query Parameters (JSON)"';
	const segments = path.split('/').map((segment) => {
		try {
			return decodeURIComponent(segment);
		} catch {
			return segment;
		}
	});
	if (segments.some((segment) => segment === '..' || segment === '.')) return 'The "Path" must not contain . or .. segments';
	return undefined;
}

function isScalarList(value: unknown): boolean {
	return Array.isArray(value) && value.every((entry) => !isRecord(entry) && !Array.isArray(entry));
}

export async function customApiCall(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const node = this.getNode();
	const fail = (message: string, description?: string): never => {
		throw new NodeOperationError(node, message, { itemIndex, description });
	};
	const method = String(this.getNodeParameter('requestMethod', itemIndex, 'GET')).toUpperCase() as IHttpRequestMethods;
	const path = String(this.getNodeParameter('requestPath', itemIndex, '') ?? '').trim();
	const problem = customPathProblem(path);
	if (problem) fail(problem, `Got "${path}". Example: /v1/networks or /v2/dictionary/ai_applications.`);

	const query = parseJsonValue(this.getNodeParameter('requestQuery', itemIndex, '{}'), 'object', 'Query Parameters (JSON)', fail) as IDataObject | undefined;
	const qs: IDataObject = {};
	const railsPairs: string[] = [];
	for (const [key, value] of Object.entries(query ?? {})) {
		if (isRecord(value) || (Array.isArray(value) && !isScalarList(value))) appendRailsPairs(railsPairs, key, value);
		else qs[key] = value;
	}
	const request: ApiRequest = { method, path: railsPairs.length ? `${path}?${railsPairs.join('&')}` : path };
	if (Object.keys(qs).length) request.qs = qs;
	if (METHODS_WITH_BODY.includes(method)) {
		const body = parseJsonValue(this.getNodeParameter('requestBody', itemIndex, ''), 'any', 'Body (JSON)', fail);
		if (body !== undefined) request.body = body as IDataObject;
	}

	const settings = requestSettingsFor(this, itemIndex);
	if (method === 'GET' && this.getNodeParameter('requestReturnAll', itemIndex, false) === true) {
		const style = path.startsWith('/v1/traffic_reports/') ? 'trafficReport' : 'v1';
		const { records } = await dnsFilterApiRequestPaged.call(this, request, { style, returnAll: true, ...settings });
		return shapeList(records, false);
	}
	const response = await dnsFilterApiRequest.call(this, request, settings);
	if (response.statusCode === 204 || isEmptyBody(response.body)) return [successResult(undefined)];
	const body = response.body;
	if (Array.isArray(body)) return shapeList(body, false);
	if (isRecord(body) && Array.isArray(body.data)) return shapeList(body.data, false);
	return [shapeRecord(body, false)];
}
