// A node:test reporter for one matrix entry: the names of passed and failed tests as JSON, and
// the outcome of each "install path: <how>" test, which the compatibility table lists.
export default async function* entryReporter(source) {
	const passed = [];
	const failed = [];
	const skipped = [];
	const installPaths = [];
	for await (const event of source) {
		if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
		if (event.data.details?.type === 'suite') continue;
		if (event.data.skip || event.data.todo) {
			skipped.push(event.data.name);
			continue;
		}
		const ok = event.type === 'test:pass';
		(ok ? passed : failed).push(event.data.name);
		const match = /^install path: (.+)$/.exec(event.data.name);
		if (match) installPaths.push({ path: match[1], result: ok ? 'pass' : 'fail' });
	}
	yield JSON.stringify({ passed, failed, skipped, installPaths }, null, 2) + '\n';
}
