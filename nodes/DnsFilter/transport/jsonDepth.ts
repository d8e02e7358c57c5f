/**
 * How deep a JSON text nests, counted in one pass without parsing it (parsing, walking or
 * printing a value nested thousands of levels deep overflows the stack); stops counting once it
 * passes `limit`. A text shorter than twice the limit cannot pass it, so short answers cost nothing.
 */
export function nestsDeeperThan(text: string, limit: number): number | undefined {
	if (text.length <= 2 * limit) return undefined;
	let depth = 0;
	let inString = false;
	for (let index = 0; index < text.length; index++) {
		const char = text.charCodeAt(index);
		if (inString) {
			if (char === 0x5c) index++;
			else if (char === 0x22) inString = false;
		} else if (char === 0x22) inString = true;
		else if (char === 0x7b || char === 0x5b) {
			if (++depth > limit) return depth;
		} else if (char === 0x7d || char === 0x5d) depth--;
	}
	return undefined;
}
