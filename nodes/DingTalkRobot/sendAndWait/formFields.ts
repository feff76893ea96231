/**
 * Response Type "Custom Form": the fields as n8n's Form node defines them, from the Form
 * Elements list or from JSON (Define Form: Using JSON), with the keys, types and options n8n
 * accepts. Everything is checked when the message is sent, so a form that could not be shown
 * fails the node (naming the field) instead of sending a link to a broken page; the webhook
 * reads the same parameters again when the page is opened (it keeps no state).
 * Not offered: File fields (the uploads would stay in n8n's temporary folder: this package may
 * not touch the file system to remove them).
 */
import { parseJsonField } from '../messages/checks';
import { MessageInputError, describeValue } from '../messages/fields';

export const FORM_FIELD_TYPES = ['checkbox', 'date', 'dropdown', 'email', 'file', 'hiddenField', 'html', 'number', 'password', 'radio', 'text', 'textarea'] as const;
export type FormFieldType = (typeof FORM_FIELD_TYPES)[number];

/** The keys of a field n8n's form JSON accepts (n8n-workflow's form field validation). */
const FIELD_KEYS = new Set([
	'fieldLabel', 'fieldType', 'placeholder', 'defaultValue', 'fieldOptions', 'multiselect', 'multipleFiles', 'acceptFileTypes', 'formatDate',
	'requiredField', 'fieldValue', 'elementName', 'html', 'fieldName', 'limitSelection', 'numberOfSelections', 'minSelections', 'maxSelections',
]);

const CHOICE_TYPES = new Set<FormFieldType>(['checkbox', 'dropdown', 'radio']);

export interface FormField {
	fieldType: FormFieldType;
	/** the label shown, and the answer's key (a hidden field's key is its fieldName) */
	fieldLabel: string;
	fieldName?: string;
	placeholder?: string;
	defaultValue?: string;
	options?: string[];
	multiselect?: boolean;
	requiredField: boolean;
	fieldValue?: string;
	elementName?: string;
	html?: string;
	limitSelection?: 'exact' | 'range' | 'unlimited';
	numberOfSelections?: number;
	minSelections?: number;
	maxSelections?: number;
}

/** Where a field's problems are reported: `Form Elements › Element 2` or `Form Fields (JSON) › field 1`. */
type FieldLabel = (index: number) => string;

const text = (value: unknown): string | undefined => (value === undefined || value === null ? undefined : typeof value === 'object' ? JSON.stringify(value) : String(value));

function optionalWholeNumber(value: unknown, field: string, min: number): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const number = typeof value === 'number' ? value : Number(value);
	if (!Number.isInteger(number) || number < min) throw new MessageInputError(field, `must be a whole number of at least ${min}, got ${describeValue(value)}`);
	return number;
}

function readOptions(raw: unknown, field: string): string[] {
	const list = Array.isArray(raw) ? raw : (raw as { values?: unknown } | undefined)?.values;
	if (!Array.isArray(list) || list.length === 0) throw new MessageInputError(field, 'needs at least one option ({ "values": [{ "option": "…" }] })');
	return list.map((entry, index) => {
		const option = (entry as { option?: unknown } | null)?.option;
		if (typeof option !== 'string' || option.trim() === '') throw new MessageInputError(`${field} › option ${index + 1}`, `must be { "option": "<text>" }, got ${describeValue(entry)}`);
		return option;
	});
}

function readBoolean(value: unknown, field: string): boolean {
	if (value === undefined || value === null || value === '') return false;
	if (typeof value === 'boolean') return value;
	if (value === 'true' || value === 'false') return value === 'true';
	throw new MessageInputError(field, `must be true or false, got ${describeValue(value)}`);
}

function readField(raw: unknown, index: number, where: FieldLabel, json: boolean): FormField {
	const at = where(index);
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new MessageInputError(at, `must be an object, got ${describeValue(raw)}`);
	const entry = raw as Record<string, unknown>;
	if (json) {
		const unknown = Object.keys(entry).find((key) => !FIELD_KEYS.has(key));
		if (unknown) throw new MessageInputError(at, `has the key "${unknown}", which is not a form field key`, `Form fields take: ${[...FIELD_KEYS].join(', ')}.`);
	}
	const fieldType = (entry.fieldType ?? 'text') as FormFieldType;
	if (!FORM_FIELD_TYPES.includes(fieldType)) throw new MessageInputError(`${at} › fieldType`, `must be one of ${FORM_FIELD_TYPES.join(', ')}, got ${describeValue(entry.fieldType)}`);
	if (fieldType === 'file') {
		throw new MessageInputError(`${at} › fieldType`, 'is "file", which this node does not offer', 'Ask for a link to the file instead (a Text field), or use n8n\'s Form node for uploads.');
	}
	const fieldName = text(entry.fieldName)?.trim();
	let fieldLabel = text(entry.fieldLabel)?.trim() ?? '';
	if (fieldType === 'hiddenField') {
		if (!fieldName) throw new MessageInputError(`${at} › fieldName`, 'is required for a hidden field (it names the answer)');
		fieldLabel = fieldName;
	} else if (fieldType !== 'html' && fieldLabel === '') {
		throw new MessageInputError(`${at} › fieldLabel`, 'is required (it is shown and names the answer)');
	}
	const limitSelection = entry.limitSelection === undefined || entry.limitSelection === '' ? undefined : String(entry.limitSelection);
	if (limitSelection !== undefined && !['exact', 'range', 'unlimited'].includes(limitSelection)) {
		throw new MessageInputError(`${at} › limitSelection`, `must be exact, range or unlimited, got ${describeValue(entry.limitSelection)}`);
	}
	return {
		fieldType,
		fieldLabel,
		...(fieldName && { fieldName }),
		...(text(entry.placeholder) && { placeholder: text(entry.placeholder) }),
		...(text(entry.defaultValue) !== undefined && text(entry.defaultValue) !== '' && { defaultValue: text(entry.defaultValue) }),
		...(CHOICE_TYPES.has(fieldType) && { options: readOptions(entry.fieldOptions, `${at} › fieldOptions`) }),
		...(fieldType === 'dropdown' && readBoolean(entry.multiselect, `${at} › multiselect`) && { multiselect: true }),
		requiredField: readBoolean(entry.requiredField, `${at} › requiredField`),
		...(text(entry.fieldValue) !== undefined && { fieldValue: text(entry.fieldValue) }),
		...(text(entry.elementName) && { elementName: text(entry.elementName) }),
		...(fieldType === 'html' && { html: text(entry.html) ?? '' }),
		...(fieldType === 'checkbox' && limitSelection && { limitSelection: limitSelection as FormField['limitSelection'] }),
		...(fieldType === 'checkbox' && limitSelection === 'exact' && { numberOfSelections: optionalWholeNumber(entry.numberOfSelections, `${at} › numberOfSelections`, 1) ?? 1 }),
		...(fieldType === 'checkbox' && limitSelection === 'range' && {
			minSelections: optionalWholeNumber(entry.minSelections, `${at} › minSelections`, 0) ?? 0,
			maxSelections: optionalWholeNumber(entry.maxSelections, `${at} › maxSelections`, 1) ?? 1,
		}),
	};
}

/** Refuses two fields whose answers would have the same key (the second would overwrite the first). */
function assertDistinctKeys(fields: FormField[], where: FieldLabel): void {
	const seen = new Map<string, number>();
	fields.forEach((field, index) => {
		if (field.fieldType === 'html') return;
		const first = seen.get(field.fieldLabel);
		if (first !== undefined) throw new MessageInputError(where(index), `has the same name as ${where(first)} ("${field.fieldLabel}"); each answer needs a name of its own`);
		seen.set(field.fieldLabel, index);
	});
}

/** Parses and checks the form's fields; `defineForm` is n8n's "fields" (the Form Elements list) or "json". */
export function parseFormFields(defineForm: unknown, source: unknown): FormField[] {
	const json = defineForm === 'json';
	const where: FieldLabel = json ? (index) => `Form Fields (JSON) › field ${index}` : (index) => `Form Elements › Element ${index + 1}`;
	let list: unknown = source;
	if (json && typeof source === 'string') list = parseJsonField(source, 'Form Fields (JSON)');
	if (!json) list = (source as { values?: unknown } | undefined)?.values ?? [];
	if (!Array.isArray(list)) throw new MessageInputError(json ? 'Form Fields (JSON)' : 'Form Elements', `must be a list of fields, got ${describeValue(list)}`);
	if (list.length === 0) throw new MessageInputError(json ? 'Form Fields (JSON)' : 'Form Elements', 'needs at least one field');
	const fields = list.map((raw, index) => readField(raw, index, where, json));
	assertDistinctKeys(fields, where);
	return fields;
}
