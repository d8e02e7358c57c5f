/**
 * Shortest run of the key's characters treated as a leak on its own. A DNSFilter key is a JWT of
 * some 200 characters drawn from 64 symbols: a chance match of 12 of them in any text is about
 * 1 in 10^19 per position, while a server that echoes the key in short pieces is caught.
 */
const FRAGMENT = 12;

/** A shorter piece of the key still counts when it stands right beside a redacted one (the tail of a chopped key). */
const NEIGHBOUR_PIECE = 4;

export const REDACTED = '[redacted]';

/** Removes the API key from text; `traces` says cheaply whether a text may hold any of it. */
export interface Redactor {
	(text: string): string;
	traces(text: string): boolean;
	/**
	 * For the strings of an answer known to echo the key: the shared JWT header counts on its own
	 * too, and so does a whole string that is a piece of the key (a key split over list entries).
	 */
	inEcho(text: string): string;
}

/** Characters a key and its encodings are made of: a piece of the key is a run of these. */
const KEY_CHARS = /[A-Za-z0-9_\-.+/=%]/;

/** Escapes of characters that never need escaping in JSON: a way to hide the key from a text scan. */
const NEEDLESS_ESCAPE = /\\u00(?:2[b-fB-F]|3[0-9dD]|[4-7][0-9a-fA-F])/;

/**
 * A function that removes `secret` from any text: the whole value, its base64 and URL-encoded
 * forms, any run of 12 or more of their characters (a server may echo a truncated or chopped
 * key), and a short piece right beside such a run. Linear in the text's length: each position
 * is looked up once in a set of the secret's 12-grams. The set is built on the first text to
 * redact and kept for the next requests with the same key (builtFor).
 */
export function redactorFor(secret: string): Redactor {
	let built: Built | undefined;
	const build = () => (built ??= builtFor(secret));
	const redact = ((text: string) => {
		if (typeof text !== 'string' || text === '') return text;
		return build().redact(text);
	}) as Redactor;
	redact.traces = (text: string) =>
		typeof text === 'string' && text.length >= NEIGHBOUR_PIECE && build().traces(text);
	redact.inEcho = (text: string) =>
		typeof text !== 'string' || text === '' ? text : build().redact(text, true);
	return redact;
}

/**
 * The built redactors of the keys this process used last, so thousands of requests with one key
 * build its fragment sets once: every successful answer is checked for traces of the key.
 */
const recentlyBuilt = new Map<string, Built>();
const RECENT_KEYS = 16;

function builtFor(secret: string): Built {
	const cached = recentlyBuilt.get(secret);
	if (cached) return cached;
	const built = buildRedactor(secret);
	if (recentlyBuilt.size >= RECENT_KEYS)
		recentlyBuilt.delete(recentlyBuilt.keys().next().value as string);
	recentlyBuilt.set(secret, built);
	return built;
}

/** A whole string this long that is a piece of the key is redacted inside an echoing answer. */
const WHOLE_PIECE = 6;

interface Built {
	redact(text: string, echo?: boolean): string;
	traces(text: string): boolean;
}

/**
 * A JWT's first part (`{"alg":…,"typ":"JWT"}`) is the same in every key and every other JWT, so a
 * run of it alone is no trace of this key: it counts only beside a run of the key's own part.
 */
function headerLength(key: string): number {
	const dot = key.indexOf('.');
	return dot > 0 && key.split('.').length === 3 ? dot : 0;
}

interface Run {
	start: number;
	end: number;
	/** Holds a piece of the key's own part (not only the shared JWT header). */
	own: boolean;
}

function buildRedactor(secret: string): Built {
	const trimmed = secret.trim();
	if (trimmed.length < 8) return { redact: (text) => text, traces: () => false };
	const header = headerLength(trimmed);
	// The key's own part begins after the header's dot; in base64 a 3-byte group later.
	const ownStart = header ? header + 1 : 0;
	const base64Header = Math.ceil(ownStart / 3) * 4;
	// Each form with where its own part begins: a fragment counts as the key's own only from there.
	const forms: Array<[string, number]> = [
		[trimmed, ownStart],
		[encodeURIComponent(trimmed), encodeURIComponent(trimmed.slice(0, ownStart)).length],
		[Buffer.from(trimmed).toString('base64'), base64Header],
		[Buffer.from(trimmed).toString('base64url'), base64Header],
	];
	const own = new Set<string>();
	const shared = new Set<string>();
	for (const [form, ownFrom] of forms) {
		for (let start = 0; start + FRAGMENT <= form.length; start++)
			(start >= ownFrom ? own : shared).add(form.slice(start, start + FRAGMENT));
	}
	for (const fragment of own) shared.delete(fragment);
	const whole = [...new Set(forms.map(([form]) => form))];
	const short = whole.filter((form) => form.length < FRAGMENT);
	// Any 12 characters of a form's own part contain one of its 6-character pieces at a multiple of
	// 6, so looking for those few anchors finds every trace the full scan would (used on answers
	// that succeeded, where a full scan of every page would cost more than the request).
	// The first characters of a JWT's payload (`{"sub":"` and the like) are as common as its header.
	const anchors = new Set<string>();
	for (const [form, ownFrom] of forms)
		for (let start = ownFrom + (header ? FRAGMENT : 0); start + 6 <= form.length; start += 6)
			anchors.add(form.slice(start, start + 6));
	const isPieceOfKey = (piece: string) => whole.some((form) => form.includes(piece));

	const redact = (text: string, echo = false): string => {
		let result = text;
		for (const form of whole) if (result.includes(form)) result = result.split(form).join(REDACTED);
		if (
			echo &&
			result.length >= WHOLE_PIECE &&
			result.length < FRAGMENT &&
			/^[A-Za-z0-9_\-.+/=%]+$/.test(result) &&
			isPieceOfKey(result)
		)
			return REDACTED;
		if (result.length < FRAGMENT) return result;
		// Mark every position covered by a 12-gram of the secret, then replace each covered run once.
		const runs: Run[] = [];
		for (let index = 0; index + FRAGMENT <= result.length; index++) {
			const gram = result.slice(index, index + FRAGMENT);
			const isOwn = own.has(gram);
			if (!isOwn && !shared.has(gram)) continue;
			const last = runs[runs.length - 1];
			if (last && index <= last.end) {
				last.end = index + FRAGMENT;
				last.own ||= isOwn;
			} else runs.push({ start: index, end: index + FRAGMENT, own: isOwn });
		}
		// Any run of the key's own part makes every run in the text a trace of it.
		if (echo || runs.some((run) => run.own)) for (const run of runs) run.own = true;
		else return result;
		widenToNeighbourPieces(result, runs, isPieceOfKey);
		let output = '';
		let copiedUpTo = 0;
		for (const { start, end, own: isOwn } of runs) {
			if (!isOwn || end <= copiedUpTo) continue;
			output += result.slice(copiedUpTo, Math.max(start, copiedUpTo)) + REDACTED;
			copiedUpTo = end;
		}
		return output + result.slice(copiedUpTo);
	};

	const traces = (text: string): boolean => {
		for (const form of short) if (text.includes(form)) return true;
		for (const anchor of anchors) if (text.includes(anchor)) return true;
		return NEEDLESS_ESCAPE.test(text);
	};
	return { redact, traces };
}

/** At most this many characters that are not the key's may part two pieces of one echoed key. */
const MAX_SEPARATOR = 4;

/**
 * A key chopped into pieces leaves a last piece shorter than a fragment. Such a piece is
 * redacted too when it is a piece of the key and only a separator (a few characters that are not
 * the key's) stands between it and a redacted run.
 */
function widenToNeighbourPieces(
	text: string,
	runs: Run[],
	isPieceOfKey: (piece: string) => boolean,
): void {
	const separatorEnd = (from: number, step: 1 | -1): number => {
		let index = from;
		let gap = 0;
		while (
			index >= 0 &&
			index < text.length &&
			!KEY_CHARS.test(text[index]) &&
			gap < MAX_SEPARATOR
		) {
			index += step;
			gap++;
		}
		return gap > 0 ? index : -1;
	};
	const pieceAt = (from: number, step: 1 | -1): [number, number] | undefined => {
		let index = from;
		while (index >= 0 && index < text.length && KEY_CHARS.test(text[index])) index += step;
		const [start, end] = step === 1 ? [from, index] : [index + 1, from + 1];
		if (end - start < NEIGHBOUR_PIECE || end - start >= FRAGMENT) return undefined;
		return isPieceOfKey(text.slice(start, end)) ? [start, end] : undefined;
	};
	for (const run of runs) {
		if (!run.own) continue;
		const after = separatorEnd(run.end, 1);
		const next = after >= 0 ? pieceAt(after, 1) : undefined;
		if (next) run.end = next[1];
		const before = separatorEnd(run.start - 1, -1);
		const previous = before >= 0 ? pieceAt(before, -1) : undefined;
		if (previous) run.start = previous[0];
	}
	runs.sort((a, b) => a.start - b.start);
}

/**
 * A JSON value with the key removed from every string and every object key, walked without
 * recursion (an answer may nest deeper than the stack). Copies only what changes.
 */
export function redactJson(value: unknown, redact: Redactor): unknown {
	const holder = { value };
	const stack: Array<{ parent: Record<string, unknown> | unknown[]; key: string | number }> = [
		{ parent: holder as Record<string, unknown>, key: 'value' },
	];
	while (stack.length) {
		const { parent, key } = stack.pop()!;
		const entry = (parent as Record<string | number, unknown>)[key];
		if (typeof entry === 'string') {
			const clean = redact.inEcho(entry);
			if (clean !== entry) (parent as Record<string | number, unknown>)[key] = clean;
			continue;
		}
		if (entry === null || typeof entry !== 'object') continue;
		if (Array.isArray(entry)) {
			const copy = entry.slice();
			(parent as Record<string | number, unknown>)[key] = copy;
			for (let index = 0; index < copy.length; index++) stack.push({ parent: copy, key: index });
			continue;
		}
		const copy: Record<string, unknown> = {};
		for (const [name, child] of Object.entries(entry as Record<string, unknown>)) {
			Object.defineProperty(copy, redact.inEcho(name), {
				value: child,
				enumerable: true,
				writable: true,
				configurable: true,
			});
		}
		(parent as Record<string | number, unknown>)[key] = copy;
		for (const name of Object.keys(copy)) stack.push({ parent: copy, key: name });
	}
	return holder.value;
}

/** Redacts an error in place: message, description, and what n8n shows of its cause and context. */
export function redactError<T>(error: T, redact: Redactor): T {
	if (error === null || typeof error !== 'object') return error;
	const target = error as unknown as Record<string, unknown>;
	for (const field of ['message', 'description', 'stack']) {
		if (typeof target[field] === 'string') target[field] = redact(target[field] as string);
	}
	if (Array.isArray(target.messages))
		target.messages = target.messages.map((entry) =>
			typeof entry === 'string' ? redact(entry) : entry,
		);
	for (const field of ['cause', 'errorResponse', 'context']) {
		const value = target[field];
		if (value === undefined || value === null) continue;
		if (typeof value === 'string') target[field] = redact(value);
		else if (typeof value === 'object') target[field] = redactValue(value, redact, 0);
	}
	return error;
}

function redactValue(value: unknown, redact: Redactor, depth: number): unknown {
	if (typeof value === 'string') return redact(value);
	if (value === null || typeof value !== 'object') return value;
	// Deeper than anything an error of ours carries: dropped rather than shown unredacted.
	if (depth > 4) return REDACTED;
	if (Array.isArray(value)) return value.map((entry) => redactValue(entry, redact, depth + 1));
	if (value instanceof Error) {
		const copy = new Error(redact(value.message));
		copy.stack = redact(value.stack ?? '');
		return copy;
	}
	const copy: Record<string, unknown> = {};
	for (const [key, entry] of Object.entries(value)) {
		// Request configs carry the Authorization header: never keep them.
		if (key === 'config' || key === 'request' || key === 'headers') continue;
		Object.defineProperty(copy, redact(key), {
			value: redactValue(entry, redact, depth + 1),
			enumerable: true,
			writable: true,
			configurable: true,
		});
	}
	return copy;
}
