#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * npm run scan: n8n's own community-package verification scanner (@n8n/scan-community-package,
 * the rules n8n applies before it lists a package as verified) run on this package's npm
 * tarball, exactly the files users install. The scanner's CLI downloads a published version
 * from the registry; this calls its analyzePackage on the local tarball instead.
 *
 * The scanner is installed once into the cache folder (N8N_E2E_CACHE, as the e2e installs).
 * Two overrides make it run here: TypeScript 5.9 for its TypeScript parser (the scanner pins
 * TypeScript 7, which @typescript-eslint cannot load), and n8n-workflow, which its rules
 * require without declaring it.
 */
const { execFileSync } = require('node:child_process');
const { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { CACHE, packPackage } = require('../test/e2e/n8nInstalls');

const SCANNER_VERSION = '0.32.0';

function ensureScanner() {
	const dir = path.join(CACHE, `scan-community-package-${SCANNER_VERSION}`);
	if (!existsSync(path.join(dir, '.installed'))) {
		mkdirSync(dir, { recursive: true });
		writeFileSync(
			path.join(dir, 'package.json'),
			JSON.stringify(
				{
					private: true,
					dependencies: { '@n8n/scan-community-package': SCANNER_VERSION, 'n8n-workflow': '1.120.14', typescript: '5.9.3' },
					overrides: { typescript: '5.9.3' },
				},
				null,
				2,
			),
		);
		process.stdout.write(`installing @n8n/scan-community-package ${SCANNER_VERSION} into ${dir}\n`);
		execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--legacy-peer-deps', '--loglevel=error'], { cwd: dir, stdio: 'inherit' });
		writeFileSync(path.join(dir, '.installed'), new Date().toISOString());
	}
	return path.join(dir, 'node_modules', '@n8n', 'scan-community-package', 'scanner', 'scanner.mjs');
}

async function main() {
	const scanner = ensureScanner();
	const tarball = packPackage();
	const unpacked = mkdtempSync(path.join(os.tmpdir(), 'dingtalk-scan-'));
	try {
		execFileSync('tar', ['xzf', tarball, '-C', unpacked]);
		const { analyzePackage } = await import(scanner);
		const result = await analyzePackage(path.join(unpacked, 'package'));
		if (result.details) process.stdout.write(`${result.details}\n`);
		process.stdout.write(`scan (@n8n/scan-community-package ${SCANNER_VERSION}): ${result.passed ? 'passed' : `FAILED: ${result.message}`}\n`);
		process.exitCode = result.passed ? 0 : 1;
	} finally {
		rmSync(unpacked, { recursive: true, force: true });
		rmSync(path.dirname(tarball), { recursive: true, force: true });
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
