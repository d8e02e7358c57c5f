import type { IExecuteFunctions, NodeParameterValueType } from 'n8n-workflow';

/**
 * n8n resolves a parameter per item, because an expression can make items differ; each read goes
 * through n8n-core's expression resolution and its validation against the node's properties. A
 * parameter whose stored value holds no expression resolves the same for every item, so it is
 * read once per execution (per context, held weakly) and handed to the other items as it was
 * resolved. A parameter with an expression anywhere in it is read for every item, as before.
 */
const staticValues = new WeakMap<object, Map<string, unknown>>();

/** Per context, the parameters found to hold an expression: their raw form is not read again. */
const dynamicNames = new WeakMap<object, Set<string>>();

function holdsExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(holdsExpression);
	if (value !== null && typeof value === 'object')
		return Object.values(value).some(holdsExpression);
	return false;
}

export function itemParameter(
	context: IExecuteFunctions,
	name: string,
	itemIndex: number,
	fallback: NodeParameterValueType | object,
): unknown {
	const known = staticValues.get(context);
	if (known?.has(name)) return known.get(name);
	const value = context.getNodeParameter(name, itemIndex, fallback);
	// The stored (raw) value is the same for every item: whether it holds an expression is asked
	// once, so an expression parameter costs one read per item, as it did before this helper.
	let dynamic = dynamicNames.get(context);
	if (dynamic?.has(name)) return value;
	if (
		holdsExpression(context.getNodeParameter(name, itemIndex, fallback, { rawExpressions: true }))
	) {
		if (!dynamic) dynamicNames.set(context, (dynamic = new Set()));
		dynamic.add(name);
	} else if (known) {
		known.set(name, value);
	} else {
		staticValues.set(context, new Map([[name, value]]));
	}
	return value;
}
