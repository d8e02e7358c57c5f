import type { RateLimitState } from './rateLimitHeaders';
import type { CheckedCredential } from './request';
import type { PacingReport, RunDemand } from './serverPacing';

/**
 * What the transport remembers about one execution context (an n8n execute, poll or load-options
 * call), in one record. Held weakly by the context, so nothing here outlives the execution.
 */
export interface ExecutionState {
	/** The latest response's rate-limit headers, usable or not (the run summary's hint reads them). */
	lastRateLimit?: RateLimitState;
	/** The last credential values checked, and what was derived from them. */
	credential?: CheckedCredential;
	/** What the execution read from the server and how long it waited for the budget. */
	pacing?: PacingReport;
	/** The router's word on how many requests the run will send. */
	demand?: RunDemand;
}

const states = new WeakMap<object, ExecutionState>();

export function executionState(context: object): ExecutionState {
	let state = states.get(context);
	if (!state) {
		state = {};
		states.set(context, state);
	}
	return state;
}

/** The record if the execution has one: reading does not create it. */
export function peekExecutionState(context: object): ExecutionState | undefined {
	return states.get(context);
}
