#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * npm run scan: n8n's own community-package verification scanner (@n8n/scan-community-package,
 * the rules n8n applies before it lists a package as verified) run on this package's npm
 * tarball, exactly the files users install. The scanner's CLI downloads a published version
 * from the registry; this calls its analyzePackage on the local tarball instead.
 *
 * The scanner is installed once into the cache folder (N8N_E2E_CACHE, as the e2e installs, and
 * like them with npm's --before, so that its tree is the same on every machine).
 * Two overrides make it run here: TypeScript 5.9 for its TypeScript parser (the scanner pins
 * TypeScript 7, which @typescript-eslint cannot load), and n8n-workflow, which its rules
 * require without declaring it.
 */
const { execFileSync } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { ensureCachedInstall, packPackage } = require('../test/e2e/n8nInstalls');

const SCANNER_VERSION = '0.32.0';

function ensureScanner() {
	const dir = ensureCachedInstall({
		name: `scan-community-package-${SCANNER_VERSION}`,
		what: `@n8n/scan-community-package ${SCANNER_VERSION}`,
		packageJson: {
			private: true,
			dependencies: { '@n8n/scan-community-package': SCANNER_VERSION, 'n8n-workflow': '1.120.14', typescript: '5.9.3' },
			overrides: { typescript: '5.9.3' },
		},
		// the registry just after the newest of these was published (n8n-workflow 1.120.14,
		// 2026-09-16T09:07Z; the scanner 2026-08-25): the same tree on every machine, every day
		before: '2026-09-16T10:08:00Z',
		ignoreScripts: true,
		legacyPeerDeps: true,
	});
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
