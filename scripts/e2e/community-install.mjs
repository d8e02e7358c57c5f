// Puts the packed package into an n8n user folder's `.n8n/nodes` the way a given n8n version's own
// community-package installer does (the editor's Settings → Community nodes → Install), or the
// way the README's manual command does. The installer's npm commands are copied from each n8n's
// dist/**/community-packages.service.js; `installerMatches` checks that the installed n8n still
// runs them, so a drift in n8n shows up as a failing test rather than a silently wrong emulation.
// Only the package source differs: the tarball instead of `<name>@<version>` from the registry
// (n8n's registry checks need n8n's servers, which a test machine cannot reach).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const REGISTRY = 'https://registry.npmjs.org';

/** Where each installer kind lives in n8n's dist, and strings its npm calls must contain. */
const INSTALLER_SOURCES = {
	// n8n 1.123, 2.x: npm pack → untar → strip dev/peer/optional deps → npm install in the folder.
	pack: {
		file: 'dist/modules/community-packages/community-packages.service.js',
		mustContain: [
			"'--install-strategy=shallow'",
			"'--ignore-scripts=true'",
			"'--bin-links=false'",
			"'--package-lock=false'",
			'const { devDependencies, peerDependencies, optionalDependencies, ...packageJson }',
		],
	},
	// n8n 1.82 to 1.88 (checked): `npm install <name>@<version>` in ~/.n8n/nodes, peers resolved by npm.
	'npm-install': {
		file: 'dist/services/community-packages.service.js',
		mustContain: [
			'`npm install ${packageName}@${packageVersion} --registry=${this.getNpmRegistry()}`',
			"'npm init -y'",
		],
	},
};

/** Throws when the n8n in `n8nPackageDir` does not install community packages as `installer` says. */
export function installerMatches(n8nPackageDir, installer) {
	const spec = INSTALLER_SOURCES[installer];
	const file = path.join(n8nPackageDir, spec.file);
	const source = readFileSync(file, 'utf8');
	const missing = spec.mustContain.filter((needle) => !source.includes(needle));
	if (missing.length)
		throw new Error(
			`${file} no longer contains ${missing.join(', ')}: update scripts/e2e/community-install.mjs`,
		);
	return file;
}

/**
 * Installs `tarball` into `nodesDir` (an absent or empty `.n8n/nodes`). `how`: 'pack' or
 * 'npm-install' (n8n's installers, see install-n8n.mjs MATRIX) or 'manual' (the README's
 * `mkdir -p ~/.n8n/nodes && cd ~/.n8n/nodes && npm install <package>`). `runProcess` as in
 * harness.mjs; `pathDirs` go first on PATH (the entry's Node). Returns the npm results.
 */
export async function installPackage({
	tarball,
	nodesDir,
	how,
	pathDirs,
	runProcess,
	packageName,
}) {
	const PATH = [...pathDirs, process.env.PATH].join(path.delimiter);
	// n8n 1.82 runs npm with a bare environment (NODE_PATH, PATH, APPDATA); a user's shell has more.
	// The machine's own network settings (a proxy and its CA) are kept: they are not what is tested,
	// and without them npm spends minutes retrying the registry metadata it reads for the peer.
	const bareEnv = { PATH, HOME: process.env.HOME };
	for (const [key, value] of Object.entries(process.env)) {
		if (/^(NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|SSL_CERT_DIR|https?_proxy|no_proxy)$/i.test(key))
			bareEnv[key] = value;
	}
	const userEnv = { ...process.env, PATH };
	for (const key of Object.keys(userEnv)) if (key.startsWith('npm_')) delete userEnv[key];
	const steps = [];
	const npm = async (args, cwd, env) => {
		const result = await runProcess('npm', args, { cwd, env, timeoutMs: 180_000 });
		steps.push({ command: `npm ${args.join(' ')}`, cwd, ...result });
		if (result.code !== 0) {
			const error = new Error(
				`npm ${args.join(' ')} failed (exit ${result.code}) in ${cwd}:\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`,
			);
			error.steps = steps;
			throw error;
		}
		return result;
	};

	if (how === 'npm-install') {
		mkdirSync(nodesDir, { recursive: true });
		await npm(['init', '-y'], nodesDir, bareEnv);
		await npm(['install', tarball, `--registry=${REGISTRY}`], nodesDir, bareEnv);
	} else if (how === 'manual') {
		mkdirSync(nodesDir, { recursive: true });
		await npm(['install', tarball], nodesDir, userEnv);
	} else if (how === 'pack') {
		// What the installer finds: the nodes folder with its package.json (n8n creates it at start).
		mkdirSync(nodesDir, { recursive: true });
		writeFileSync(
			path.join(nodesDir, 'package.json'),
			JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2) + '\n',
		);
		const packageDir = path.join(nodesDir, 'node_modules', packageName);
		mkdirSync(packageDir, { recursive: true });
		const untar = await runProcess(
			'tar',
			['-xzf', tarball, '-C', packageDir, '--strip-components=1'],
			{ cwd: nodesDir },
		);
		if (untar.code !== 0) throw new Error(`tar failed: ${untar.stderr}`);
		const packageJsonPath = path.join(packageDir, 'package.json');
		const { devDependencies, peerDependencies, optionalDependencies, ...packageJson } = JSON.parse(
			readFileSync(packageJsonPath, 'utf8'),
		);
		writeFileSync(packageJsonPath, JSON.stringify(packageJson, null, 2), 'utf8');
		await npm(
			[
				'install',
				'--audit=false',
				'--fund=false',
				'--bin-links=false',
				'--install-strategy=shallow',
				'--ignore-scripts=true',
				'--package-lock=false',
				`--registry=${REGISTRY}`,
			],
			packageDir,
			userEnv,
		);
		const nodesPackageJson = JSON.parse(readFileSync(path.join(nodesDir, 'package.json'), 'utf8'));
		nodesPackageJson.dependencies[packageName] = packageJson.version;
		writeFileSync(
			path.join(nodesDir, 'package.json'),
			JSON.stringify(nodesPackageJson, null, 2),
			'utf8',
		);
	} else {
		throw new Error(`unknown install path ${how}`);
	}
	return steps;
}
