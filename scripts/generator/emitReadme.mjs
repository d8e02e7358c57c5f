// Rewrites the operations table between its markers in docs/operations.md; the rest of the page is left alone.
export const START = '<!-- operations:start -->';
export const END = '<!-- operations:end -->';

function cell(text) {
	return String(text).replace(/\|/g, '\\|');
}

export function operationsTable(resources) {
	const lines = ['| Resource | Operation | Method | Path |', '| --- | --- | --- | --- |'];
	for (const resource of [...resources].sort((a, b) =>
		a.singular.localeCompare(b.singular, 'en'),
	)) {
		for (const op of [...resource.operations].sort((a, b) =>
			a.label.localeCompare(b.label, 'en'),
		)) {
			lines.push(
				`| ${cell(resource.singular)} | ${cell(op.label)} | ${op.method} | \`${cell(op.path)}\` |`,
			);
		}
	}
	return lines.join('\n');
}

/** Returns README text with the table between the markers; creates a minimal README when none is given. */
export function updateReadme(existing, resources) {
	const table = operationsTable(resources);
	const block = `${START}\n${table}\n${END}`;
	if (existing === undefined) return `# n8n-nodes-dnsfilter\n\n## Operations\n\n${block}\n`;
	const start = existing.indexOf(START);
	const end = existing.indexOf(END);
	if (start < 0 || end < start)
		return `${existing.replace(/\n*$/, '\n')}\n## Operations\n\n${block}\n`;
	return `${existing.slice(0, start)}${block}${existing.slice(end + END.length)}`;
}
