/**
 * One listener on the execution's Stop signal for all the tries running under it. Node's
 * EventTarget scans its whole listener list on every add (to drop duplicates), so a listener per
 * running try makes each new try cost as much as the tries already running: quadratic once many
 * items are in flight. Each signal gets a single listener that fans out to a set, and the listener
 * is removed again when the last try detaches, so nothing stays on the signal between tries.
 */
interface Fanout {
	followers: Set<() => void>;
	listener: () => void;
}

const fanouts = new WeakMap<AbortSignal, Fanout>();

/**
 * Calls `react` once when `stop` aborts (at once when it already has); the returned function
 * detaches it, and the try must call it when it ends.
 */
export function onStop(stop: AbortSignal, react: () => void): () => void {
	if (stop.aborted) {
		react();
		return () => {};
	}
	let fanout = fanouts.get(stop);
	if (!fanout) {
		const followers = new Set<() => void>();
		const listener = () => {
			fanouts.delete(stop);
			const reacting = [...followers];
			followers.clear();
			for (const follower of reacting) follower();
		};
		fanout = { followers, listener };
		fanouts.set(stop, fanout);
		stop.addEventListener('abort', listener, { once: true });
	}
	const own = fanout;
	own.followers.add(react);
	return () => {
		if (!own.followers.delete(react) || own.followers.size > 0) return;
		stop.removeEventListener('abort', own.listener);
		if (fanouts.get(stop) === own) fanouts.delete(stop);
	};
}
