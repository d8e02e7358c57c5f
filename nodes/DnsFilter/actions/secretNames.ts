import { SECRET_FIELDS } from '../generated/secretFields';

/**
 * Every attribute name the spec's answers declare as a secret (`secret_key`, `token`, …). An
 * error body is not described by the spec, so any of them found there, or sent and echoed back,
 * is hidden from the error, whichever operation failed.
 */
export const ALL_SECRET_NAMES: readonly string[] = [
	...new Set(Object.values(SECRET_FIELDS).flatMap((secrets) => secrets.names)),
].sort();
