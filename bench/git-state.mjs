// The commit a benchmark run measures, and whether the checkout is exactly that commit.
import { spawnSync } from 'node:child_process';

import { root } from './lib.mjs';

/**
 * Files the bench writes itself: their changes are the run's output, not measured code.
 * bench/.tmp/ is gitignored; it is listed for checkouts where it is not.
 */
export const BENCH_OUTPUTS = ['README.md', 'bench/README.md', 'bench/results.json', 'bench/.tmp/'];

const git = (...args) => {
	const result = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
	if (result.status !== 0)
		throw new Error(
			`git ${args.join(' ')} failed: ${result.stderr?.trim() || result.error?.message}`,
		);
	return result.stdout;
};

/** `git status --porcelain` paths (untracked included), less the bench's own outputs. */
export function uncommittedFiles() {
	return git('status', '--porcelain', '--untracked-files=all')
		.split('\n')
		.filter(Boolean)
		.map((line) =>
			line
				.slice(3)
				.replace(/^.* -> /, '')
				.replace(/^"|"$/g, ''),
		)
		.filter(
			(file) =>
				!BENCH_OUTPUTS.some((output) =>
					output.endsWith('/') ? file.startsWith(output) : file === output,
				),
		);
}

export function checkoutState() {
	return { commit: git('rev-parse', 'HEAD').trim(), uncommitted: uncommittedFiles() };
}
