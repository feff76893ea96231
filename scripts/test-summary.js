#!/usr/bin/env node
// Prints jest's result as one plain closing line ("N passed, N failed, N skipped") that any CI
// reader understands, and fails when jest ran no test at all.
'use strict';
const results = require(require('node:path').resolve(process.argv[2]));
const { numPassedTests: passed, numFailedTests: failed, numPendingTests: skipped, numTotalTests: total } = results;
console.log(`jest: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (total === 0) {
	console.error('jest ran no test');
	process.exit(1);
}
process.exit(failed > 0 ? 1 : 0);
