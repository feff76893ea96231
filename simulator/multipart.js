// @ts-check
'use strict';

/**
 * A strict reader of `multipart/form-data` bodies (RFC 7578 over RFC 2046), on Buffers so that
 * binary content stays byte for byte: the boundary from the Content-Type (quoted or not), each
 * part's headers (Content-Disposition `name`, `filename` or RFC 5987 `filename*`, Content-Type)
 * and its bytes up to the CRLF before the next delimiter. A body that does not follow the
 * grammar (no closing delimiter, a part without a blank line after its headers) is refused as a
 * whole rather than guessed at. Pure; used by media.js.
 */

/**
 * @typedef {object} Part
 * @property {string} name
 * @property {string | undefined} filename
 * @property {string | undefined} contentType
 * @property {string[]} headerNames every header line of the part, by name (lower case), in order
 * @property {Buffer} data
 */

const CRLF = Buffer.from('\r\n');
const HEADERS_END = Buffer.from('\r\n\r\n');

/**
 * The boundary of a `multipart/form-data` Content-Type, else undefined.
 * @param {string | null | undefined} contentType
 * @returns {string | undefined}
 */
function boundaryOf(contentType) {
	if (!contentType) return undefined;
	const [type, ...params] = splitParams(contentType);
	if (type.toLowerCase() !== 'multipart/form-data') return undefined;
	const boundary = params.find(([key]) => key === 'boundary')?.[1];
	// RFC 2046: 1 to 70 characters
	return boundary && boundary.length <= 70 ? boundary : undefined;
}

/**
 * `value; key=value; key="quoted; value"` → [value, [key, value]…], keys lowercased, quotes removed.
 * @param {string} header
 * @returns {[string, ...[string, string][]]}
 */
function splitParams(header) {
	const first = /^[^;]*/.exec(header)?.[0] ?? '';
	/** @type {[string, string][]} */
	const params = [];
	const re = /;\s*([^=;\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
	for (let m = re.exec(header); m; m = re.exec(header)) {
		const value = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '').trim();
		params.push([m[1].toLowerCase(), value]);
	}
	return [first.trim(), ...params];
}

/**
 * RFC 5987 `UTF-8''percent-encoded`; undefined when it is not that.
 * @param {string} value
 */
function decodeExtValue(value) {
	const m = /^utf-8'[^']*'(.*)$/i.exec(value);
	if (!m) return undefined;
	try {
		return decodeURIComponent(m[1]);
	} catch {
		return undefined;
	}
}

/**
 * @param {string} text the header lines of one part
 * @returns {Omit<Part, 'data'> | undefined}
 */
function readPartHeaders(text) {
	/** @type {Record<string, string>} */
	const headers = {};
	/** @type {string[]} */
	const headerNames = [];
	for (const line of text.split('\r\n')) {
		const colon = line.indexOf(':');
		if (colon <= 0) return undefined;
		const headerName = line.slice(0, colon).trim().toLowerCase();
		headerNames.push(headerName);
		headers[headerName] = line.slice(colon + 1).trim();
	}
	const disposition = headers['content-disposition'];
	if (!disposition) return undefined;
	const [kind, ...params] = splitParams(disposition);
	const param = (/** @type {string} */ key) => params.find(([k]) => k === key)?.[1];
	const name = param('name');
	if (kind.toLowerCase() !== 'form-data' || name === undefined) return undefined;
	const extended = param('filename*');
	const filename = (extended !== undefined ? decodeExtValue(extended) : undefined) ?? param('filename');
	return { name, filename, contentType: headers['content-type'], headerNames };
}

/**
 * The parts of a multipart body, or undefined when the body breaks the grammar.
 * @param {Buffer} body
 * @param {string} boundary
 * @returns {Part[] | undefined}
 */
function parseMultipart(body, boundary) {
	const delimiter = Buffer.from(`--${boundary}`);
	const nextDelimiter = Buffer.concat([CRLF, delimiter]);
	// the first delimiter starts the body or follows a preamble ending in CRLF
	let pos = body.subarray(0, delimiter.length).equals(delimiter) ? 0 : body.indexOf(nextDelimiter);
	if (pos < 0) return undefined;
	if (pos > 0) pos += CRLF.length;
	/** @type {Part[]} */
	const parts = [];
	for (;;) {
		pos += delimiter.length;
		if (body.subarray(pos, pos + 2).toString('latin1') === '--') return parts;
		while (body[pos] === 0x20 || body[pos] === 0x09) pos++; // transport padding
		if (!body.subarray(pos, pos + 2).equals(CRLF)) return undefined;
		pos += CRLF.length;
		const headersEnd = body.indexOf(HEADERS_END, pos);
		if (headersEnd < 0) return undefined;
		const headers = readPartHeaders(body.subarray(pos, headersEnd).toString('utf8'));
		const dataStart = headersEnd + HEADERS_END.length;
		const dataEnd = body.indexOf(nextDelimiter, dataStart);
		if (!headers || dataEnd < 0) return undefined;
		parts.push({ ...headers, data: body.subarray(dataStart, dataEnd) });
		pos = dataEnd + CRLF.length;
	}
}

module.exports = { boundaryOf, parseMultipart };
