import { isRecord } from '../utils/isRecord';

/** What one HTTP exchange produced, with the body read (or its unread rest discarded). */
export interface ReadBody {
	ok: true;
	/** The bytes read: all of them, or the first `limit` when `truncated`. */
	bytes: Buffer;
	truncated: boolean;
	/** Set when the helper handed back an already-decoded value (older n8n, test doubles). */
	decoded?: unknown;
}

/** Reading stopped: the body passed `limit` (with `overflow: 'fail'`), or the stream failed or was aborted. */
export interface UnreadBody {
	ok: false;
	reason: 'tooLarge' | 'failed';
	error?: unknown;
}

interface ReadableLike extends AsyncIterable<unknown> {
	destroy(error?: Error): void;
}

export function isReadable(value: unknown): value is ReadableLike {
	return (
		isRecord(value) &&
		typeof (value as { destroy?: unknown }).destroy === 'function' &&
		typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
	);
}

/** Closes a response stream without reading it (a redirect's body, an answer nobody needs). */
export function discardBody(body: unknown): void {
	if (isReadable(body)) body.destroy();
}

function asBuffer(chunk: unknown): Buffer {
	if (Buffer.isBuffer(chunk)) return chunk;
	if (chunk instanceof Uint8Array) return Buffer.from(chunk);
	return Buffer.from(String(chunk));
}

/**
 * Reads a response body (already decompressed by the HTTP client) up to `limit` bytes.
 * Past the limit the stream is destroyed, which closes the connection: a gzip bomb or an endless
 * body costs at most `limit` bytes of memory. `overflow: 'truncate'` keeps the first `limit`
 * bytes (error bodies), `'fail'` throws BodyTooLargeError. Aborting `signal` destroys the stream,
 * so a server trickling bytes cannot outlive the request's deadline.
 */
export async function readBody(
	body: unknown,
	limit: number,
	overflow: 'truncate' | 'fail',
	signal: AbortSignal,
): Promise<ReadBody | UnreadBody> {
	if (!isReadable(body)) {
		if (body === undefined || body === null)
			return { ok: true, bytes: Buffer.alloc(0), truncated: false };
		if (typeof body === 'string' || Buffer.isBuffer(body)) {
			const bytes = asBuffer(body);
			if (bytes.length > limit && overflow === 'fail') return { ok: false, reason: 'tooLarge' };
			return { ok: true, bytes: bytes.subarray(0, limit), truncated: bytes.length > limit };
		}
		return { ok: true, bytes: Buffer.alloc(0), truncated: false, decoded: body };
	}
	const stream = body;
	if (signal.aborted) {
		stream.destroy();
		return { ok: false, reason: 'failed', error: signal.reason };
	}
	const onAbort = () =>
		stream.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
	signal.addEventListener('abort', onAbort, { once: true });
	const chunks: Buffer[] = [];
	let size = 0;
	let truncated = false;
	let tooLarge = false;
	let failure: unknown;
	try {
		for await (const chunk of stream) {
			const bytes = asBuffer(chunk);
			if (size + bytes.length > limit) {
				// Leaving the loop destroys the stream, and with it the connection.
				if (overflow === 'fail') {
					tooLarge = true;
					break;
				}
				chunks.push(bytes.subarray(0, limit - size));
				size = limit;
				truncated = true;
				break;
			}
			chunks.push(bytes);
			size += bytes.length;
		}
	} catch (error) {
		stream.destroy();
		failure = error ?? new Error('stream failed');
	} finally {
		signal.removeEventListener('abort', onAbort);
	}
	if (tooLarge) return { ok: false, reason: 'tooLarge' };
	if (failure !== undefined) return { ok: false, reason: 'failed', error: failure };
	return { ok: true, bytes: Buffer.concat(chunks, size), truncated };
}
