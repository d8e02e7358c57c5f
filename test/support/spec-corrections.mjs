// Every change the contract tests make to the DNSFilter OpenAPI document before Prism validates
// requests against it — in ONE list, each with the reason. Nothing is skipped silently: an
// operation the published document gets wrong is corrected here (and the correction names the
// operations it touched), never left out of the contract run.
//
// `kind`:
//   'fix'        the published document does not describe what the API accepts; the correction
//                describes the wire format DNSFilter documents/uses instead.
//   'strictness' the document is right but too permissive for a contract test; the correction
//                makes Prism reject requests a real server would misread (e.g. a missing root key).
//
// `apply(spec, helpers)` mutates the (already cloned) document and returns the list of
// "METHOD /path param" strings it touched, so the report and the tests can show exactly where.

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'];

export function* eachOperation(spec) {
	for (const [path, item] of Object.entries(spec.paths ?? {})) {
		for (const method of METHODS) {
			if (item[method]) yield { path, method, op: item[method], item };
		}
	}
}

export function resolveRef(spec, schema) {
	let current = schema;
	const seen = new Set();
	while (current && typeof current === 'object' && typeof current.$ref === 'string') {
		if (seen.has(current.$ref)) throw new Error(`circular $ref ${current.$ref}`);
		seen.add(current.$ref);
		const parts = current.$ref
			.replace(/^#\//, '')
			.split('/')
			.map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
		current = parts.reduce((node, key) => node?.[key], spec);
		if (current === undefined) throw new Error(`unresolvable $ref ${[...seen].at(-1)}`);
	}
	return current;
}

/** A query parameter the document declares but which is really the JSON request body. */
function isBodyInQuery(param) {
	return param.in === 'query' && param.name === 'body';
}

export const SPEC_CORRECTIONS = [
	{
		id: 'body-declared-as-query-parameter',
		kind: 'fix',
		reason:
			'The document declares the request body of the distributor operations (and suppress_license_warning) as a ' +
			'query parameter named "body" with an object schema: a Swagger 2 → OpenAPI 3 conversion artefact (Swagger 2 ' +
			'body parameters carry a name, usually "body"). An object cannot travel as a form-style query value, and the ' +
			'API reads it from the JSON body, which is how the node sends it (BodySpec.declaredAsQueryParam). The ' +
			'parameter is moved to requestBody application/json with the same schema and the same "required".',
		apply(spec) {
			const touched = [];
			for (const { path, method, op } of eachOperation(spec)) {
				const params = op.parameters ?? [];
				const bodyParam = params.find(isBodyInQuery);
				if (!bodyParam) continue;
				if (op.requestBody)
					throw new Error(`${method} ${path} has both a "body" query parameter and a requestBody`);
				op.parameters = params.filter((p) => p !== bodyParam);
				op.requestBody = {
					required: Boolean(bodyParam.required),
					content: { 'application/json': { schema: bodyParam.schema } },
				};
				touched.push(`${method.toUpperCase()} ${path} body`);
			}
			return touched;
		},
	},
	{
		id: 'get-request-body-is-sent-as-query',
		kind: 'fix',
		reason:
			'GET /v1/ip_addresses/verify declares a JSON requestBody. OpenAPI 3.0 gives GET bodies no semantics ' +
			'("requestBody is only supported in HTTP methods where RFC 7231 defines semantics for request bodies"), ' +
			"and n8n's HTTP helper never sends one. The node sends the body's top-level properties as bracketed query " +
			'parameters (ip_address[ip]=…), which Rails parses into the same params as a JSON body. Each top-level ' +
			'property becomes a query parameter (objects as deepObject by the next correction), "required" preserved.',
		apply(spec) {
			const touched = [];
			for (const { path, method, op } of eachOperation(spec)) {
				if (method !== 'get' || !op.requestBody) continue;
				const schema = resolveRef(spec, op.requestBody.content?.['application/json']?.schema ?? {});
				if (schema.type !== 'object' || !schema.properties)
					throw new Error(`GET ${path}: body is not an object schema`);
				const required = new Set(schema.required ?? []);
				op.parameters = [
					...(op.parameters ?? []),
					...Object.entries(schema.properties).map(([name, propertySchema]) => ({
						name,
						in: 'query',
						required: required.has(name),
						schema: propertySchema,
					})),
				];
				delete op.requestBody;
				touched.push(`GET ${path} body`);
			}
			return touched;
		},
	},
	{
		id: 'object-query-parameters-are-deep-objects',
		kind: 'fix',
		reason:
			'Object-typed query parameters (page, the traffic-report filters such as agent_type/vpn_status/' +
			'release_channels, the agent_local_users StringContainsOp/ArrayIntegerIsOp filters, zapier_params) carry ' +
			'no "style", so OpenAPI defaults to form/explode, which flattens {number, size} into bare "number=&size=" ' +
			'keys. DNSFilter documents and parses them Rails-style as page[number]=1&page[size]=50, i.e. ' +
			'style: deepObject, explode: true. Without this, Prism accepts any value for them and checks nothing.',
		apply(spec) {
			const touched = [];
			for (const { path, method, op } of eachOperation(spec)) {
				for (const param of op.parameters ?? []) {
					if (param.in !== 'query' || isBodyInQuery(param)) continue;
					const schema = resolveRef(spec, param.schema ?? {});
					if (schema?.type !== 'object') continue;
					param.style = 'deepObject';
					param.explode = true;
					touched.push(`${method.toUpperCase()} ${path} ${param.name}`);
				}
			}
			return touched;
		},
	},
	{
		id: 'query-array-of-objects-is-rails-bracket-array',
		kind: 'fix',
		reason:
			'PATCH /v1/notes/{resource}/{id}/batch_update declares the required query parameter "notes" as an array ' +
			'of {domain, note} objects with form/explode style, which OpenAPI leaves undefined for objects. The API is ' +
			'Rails ("notes: [domain: …, note: …]" in its description): an array of hashes in a query string is ' +
			'notes[][domain]=a&notes[][note]=x&notes[][domain]=b…, which Prism cannot parse back into "notes". So ' +
			'Prism is told the parameter is optional (x-contract-rails-array marks it), and the contract test itself ' +
			'asserts that every entry is on the wire in that bracket form, in order.',
		apply(spec) {
			const touched = [];
			for (const { path, method, op } of eachOperation(spec)) {
				for (const param of op.parameters ?? []) {
					if (param.in !== 'query') continue;
					const schema = resolveRef(spec, param.schema ?? {});
					if (schema?.type !== 'array' || resolveRef(spec, schema.items ?? {})?.type !== 'object')
						continue;
					param['x-contract-rails-array'] = { required: Boolean(param.required) };
					param.required = false;
					touched.push(`${method.toUpperCase()} ${path} ${param.name}`);
				}
			}
			return touched;
		},
	},
	{
		id: 'request-bodies-reject-unknown-top-level-keys',
		kind: 'strictness',
		reason:
			'Request body schemas leave additionalProperties open, so Prism would accept {"name": …} where the API ' +
			'needs {"network": {"name": …}} (a missing or wrong root key) as long as nothing is "required". For the ' +
			'contract run, the top-level body object and the object under a single root key get ' +
			'additionalProperties: false (on inline copies, so shared component schemas and responses are untouched). ' +
			'Schemas that declare additionalProperties or use allOf/oneOf/anyOf are left alone.',
		apply(spec) {
			const touched = [];
			const closeObject = (schema) => {
				const resolved = resolveRef(spec, schema);
				if (!resolved || resolved.type !== 'object' || !resolved.properties) return undefined;
				if (
					'additionalProperties' in resolved ||
					resolved.allOf ||
					resolved.oneOf ||
					resolved.anyOf
				)
					return undefined;
				return { ...resolved, properties: { ...resolved.properties }, additionalProperties: false };
			};
			for (const { path, method, op } of eachOperation(spec)) {
				const media = op.requestBody?.content?.['application/json'];
				if (!media?.schema) continue;
				const closed = closeObject(media.schema);
				if (!closed) continue;
				const keys = Object.keys(closed.properties);
				if (keys.length === 1) {
					const inner = closeObject(closed.properties[keys[0]]);
					if (inner) closed.properties[keys[0]] = inner;
				}
				media.schema = closed;
				touched.push(`${method.toUpperCase()} ${path} body`);
			}
			return touched;
		},
	},
];

/** Applies every correction to a deep copy of `spec`; returns the copy and what each touched. */
export function correctSpec(spec) {
	const patched = structuredClone(spec);
	const applied = SPEC_CORRECTIONS.map((correction) => ({
		id: correction.id,
		kind: correction.kind,
		reason: correction.reason,
		touched: correction.apply(patched),
	}));
	return { spec: patched, applied };
}
