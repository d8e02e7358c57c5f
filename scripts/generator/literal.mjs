// Serialises plain values as TypeScript object literals: tabs, single quotes, keys unquoted where
// possible, short primitive-only objects on one line. Stable: key order is the caller's.

const RAW = Symbol('raw');

export function raw(text) {
	return { [RAW]: text };
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function quote(text) {
	return `'${String(text).replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}

function key(name) {
	return IDENTIFIER.test(name) ? name : quote(name);
}

function isPlain(value) {
	if (value && typeof value === 'object' && typeof value[RAW] === 'string') return false;
	return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function scalar(value) {
	if (value === null) return 'null';
	if (typeof value === 'string') return quote(value);
	return String(value);
}

/** `compactWidth`: objects whose values are all scalars (or short scalar arrays) go on one line up to this width. */
export function literal(value, depth = 0, compactWidth = 140) {
	// `raw(text)`: emitted as written, e.g. an imported identifier.
	if (value && typeof value === 'object' && typeof value[RAW] === 'string') return value[RAW];
	const pad = '\t'.repeat(depth);
	const inner = '\t'.repeat(depth + 1);
	if (isPlain(value)) return scalar(value);
	if (Array.isArray(value)) {
		if (value.length === 0) return '[]';
		if (value.every(isPlain)) {
			const line = `[${value.map(scalar).join(', ')}]`;
			if (line.length <= compactWidth) return line;
		}
		return `[\n${value.map((entry) => `${inner}${literal(entry, depth + 1, compactWidth)},`).join('\n')}\n${pad}]`;
	}
	const entries = Object.entries(value).filter(([, entry]) => entry !== undefined);
	if (entries.length === 0) return '{}';
	const compactable = entries.every(
		([, entry]) => isPlain(entry) || (Array.isArray(entry) && entry.every(isPlain)),
	);
	if (compactable) {
		const line = `{ ${entries.map(([name, entry]) => `${key(name)}: ${literal(entry, 0, Infinity)}`).join(', ')} }`;
		if (line.length <= compactWidth) return line;
	}
	return `{\n${entries.map(([name, entry]) => `${inner}${key(name)}: ${literal(entry, depth + 1, compactWidth)},`).join('\n')}\n${pad}}`;
}
