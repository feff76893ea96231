/**
 * A received file's type. DingTalk's storage serves every file as application/octet-stream under
 * a name ending in ".file" (its SDKs tell developers to put the extension back themselves), and a
 * picture or voice note has no name at all: the type is read from the first bytes (the magic
 * numbers of the formats people send), or else from the sender's file name. Pure.
 */

export interface FileType {
	mimeType: string;
	/** without the dot */
	extension: string;
}

const OCTET_STREAM: FileType = { mimeType: 'application/octet-stream', extension: '' };

/** Types by the bytes they start with (`at`: the offset of the signature). */
const SIGNATURES: Array<{ bytes: number[] | string; at?: number; type: FileType; also?: { bytes: string; at: number } }> = [
	{ bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], type: { mimeType: 'image/png', extension: 'png' } },
	{ bytes: [0xff, 0xd8, 0xff], type: { mimeType: 'image/jpeg', extension: 'jpg' } },
	{ bytes: 'GIF8', type: { mimeType: 'image/gif', extension: 'gif' } },
	{ bytes: 'BM', type: { mimeType: 'image/bmp', extension: 'bmp' } },
	{ bytes: 'RIFF', type: { mimeType: 'image/webp', extension: 'webp' }, also: { bytes: 'WEBP', at: 8 } },
	{ bytes: 'RIFF', type: { mimeType: 'audio/wav', extension: 'wav' }, also: { bytes: 'WAVE', at: 8 } },
	{ bytes: '%PDF-', type: { mimeType: 'application/pdf', extension: 'pdf' } },
	{ bytes: '#!AMR', type: { mimeType: 'audio/amr', extension: 'amr' } },
	{ bytes: 'OggS', type: { mimeType: 'audio/ogg', extension: 'ogg' } },
	{ bytes: 'ID3', type: { mimeType: 'audio/mpeg', extension: 'mp3' } },
	{ bytes: 'ftypM4A', at: 4, type: { mimeType: 'audio/mp4', extension: 'm4a' } },
	{ bytes: 'ftypqt', at: 4, type: { mimeType: 'video/quicktime', extension: 'mov' } },
	{ bytes: 'ftyp', at: 4, type: { mimeType: 'video/mp4', extension: 'mp4' } },
	{ bytes: [0x1a, 0x45, 0xdf, 0xa3], type: { mimeType: 'video/webm', extension: 'webm' } },
	{ bytes: 'Rar!', type: { mimeType: 'application/vnd.rar', extension: 'rar' } },
	{ bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], type: { mimeType: 'application/x-7z-compressed', extension: '7z' } },
	{ bytes: [0x1f, 0x8b], type: { mimeType: 'application/gzip', extension: 'gz' } },
	{ bytes: 'PK\u0003\u0004', type: { mimeType: 'application/zip', extension: 'zip' } },
];

/** Types by the extension a sender's file name has (zip-based office files look like zip by their bytes). */
const BY_EXTENSION: Record<string, string> = {
	pdf: 'application/pdf',
	doc: 'application/msword',
	docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
	xls: 'application/vnd.ms-excel',
	xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
	ppt: 'application/vnd.ms-powerpoint',
	pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
	txt: 'text/plain',
	csv: 'text/csv',
	md: 'text/markdown',
	json: 'application/json',
	zip: 'application/zip',
	rar: 'application/vnd.rar',
	png: 'image/png',
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	gif: 'image/gif',
	mp4: 'video/mp4',
	mov: 'video/quicktime',
	mp3: 'audio/mpeg',
	amr: 'audio/amr',
	wav: 'audio/wav',
};

function startsWith(head: Uint8Array, bytes: number[] | string, at = 0): boolean {
	const wanted = typeof bytes === 'string' ? [...bytes].map((c) => c.charCodeAt(0)) : bytes;
	return head.length >= at + wanted.length && wanted.every((byte, i) => head[at + i] === byte);
}

/** The type the first bytes of a file show, or undefined when they show none this knows. */
export function sniffFileType(head: Uint8Array): FileType | undefined {
	const found = SIGNATURES.find((s) => startsWith(head, s.bytes, s.at) && (!s.also || startsWith(head, s.also.bytes, s.also.at)));
	return found?.type;
}

/**
 * The type of a received file: the sender's extension when it names a type (a .docx is a zip by
 * its bytes), else the bytes, else what the server said unless that is octet-stream.
 */
export function receivedFileType(head: Uint8Array, extension: string, served?: string): FileType {
	const named = BY_EXTENSION[extension.toLowerCase()];
	if (named) return { mimeType: named, extension: extension.toLowerCase() };
	const sniffed = sniffFileType(head);
	if (sniffed) return sniffed;
	const given = (served ?? '').split(';')[0].trim().toLowerCase();
	if (given && given !== 'application/octet-stream' && /^[a-z]+\/[a-z0-9.+-]+$/.test(given)) {
		const known = Object.entries(BY_EXTENSION).find(([, mime]) => mime === given);
		return { mimeType: given, extension: known?.[0] ?? extension.toLowerCase() };
	}
	return { ...OCTET_STREAM, extension: extension.toLowerCase() };
}
