/**
 * A file's name and type as they travel in an upload's multipart headers and are shown to people
 * in DingTalk. Both come from binary data that any earlier node (or a sender) chose: a line break
 * in either would end the header and let the rest be read as headers of its own (header
 * injection), and a path ("../../etc/report.pdf") is nobody's business but the sender's.
 */

/** Control characters: none belongs in a name shown to people or in a header. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * The visible name of a file: its last path part, without control characters, with `"` written
 * as %22 (as browsers do in a multipart filename); `fallback` when nothing visible is left.
 */
export function cleanFileName(name: string, fallback: string): string {
	const visible = name.replace(CONTROL, '');
	const last = visible.split(/[/\\]/).pop() ?? '';
	const clean = last.replace(/"/g, '%22').trim();
	return clean === '' || /^\.+$/.test(clean) ? fallback : clean;
}

/** `type/subtype` with optional parameters, printable ASCII only. */
const MIME_TYPE = /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+(?:\s*;\s*[!-~]+)*$/;

/**
 * The MIME type to declare for a file: what the binary data says, up to the first control
 * character, if it is a well-formed type; application/octet-stream otherwise.
 */
export function cleanMimeType(mimeType: string | undefined): string {
	const [first] = String(mimeType ?? '').split(CONTROL);
	const candidate = first.trim();
	return MIME_TYPE.test(candidate) ? candidate : 'application/octet-stream';
}
