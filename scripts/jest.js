#!/usr/bin/env node
// Runs jest (arguments passed through) and ends with one plain closing line,
// "jest: N passed, N failed, N skipped", that any CI reader understands. Fails when jest ran no test.
'use strict';
const { spawnSync } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

const dir = mkdtempSync(path.join(tmpdir(), 'jest-results-'));
const outputFile = path.join(dir, 'results.json');
const jest = require.resolve('jest/bin/jest');
// the Stream trigger uses Node's global WebSocket: on Node 20 it needs this flag (Node 22+ has it)
const nodeFlags = typeof WebSocket === 'undefined' ? ['--experimental-websocket'] : [];
const run = spawnSync(process.execPath, [...nodeFlags, jest, '--json', `--outputFile=${outputFile}`, ...process.argv.slice(2)], {
	stdio: ['inherit', 'ignore', 'inherit'], // the JSON goes to the file; jest's report is on stderr
});
let results;
try {
	results = JSON.parse(readFileSync(outputFile, 'utf8'));
} catch {
	console.error('jest wrote no results');
	process.exit(run.status || 1);
} finally {
	rmSync(dir, { recursive: true, force: true });
}
const { numPassedTests: passed, numFailedTests: failed, numPendingTests: skipped, numTotalTests: total } = results;
console.log(`jest: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (total === 0) {
	console.error('jest ran no test');
	process.exit(1);
}
process.exit(run.status ?? 1);
