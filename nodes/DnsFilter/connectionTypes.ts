import type { NodeConnectionType } from 'n8n-workflow';

/**
 * The main connection, written as its string value rather than `NodeConnectionTypes.Main`: that
 * runtime object first ships in n8n-workflow 1.83 (n8n 1.85), so on n8n 1.82 and older reading it
 * throws while the node loads and every workflow using the node fails with "Unrecognized node
 * type". All versions compare connections by this string; `satisfies` keeps it checked against
 * the current type.
 */
export const MAIN_CONNECTION = 'main' satisfies NodeConnectionType;
