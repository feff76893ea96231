/**
 * A submitted response form (multipart, as n8n's form page posts it: `field-<n>` values, each
 * multiple-choice field a JSON list of the options ticked) turned into the answer n8n's own Send
 * and Wait nodes output: the fields by their labels (a hidden field by its name; a Custom HTML
 * field only when it has an Element Name), numbers as numbers, text trimmed, a radio choice as
 * its one value, a field left out as null.
 */
import type { IDataObject } from 'n8n-workflow';

import type { FormField } from './formFields';

function parseChoices(value: string): unknown {
	try {
		return JSON.parse(value);
	} catch {
		return value;
	}
}

function answerOf(field: FormField, value: unknown): unknown {
	if (value === undefined || value === null) return null;
	if (Array.isArray(value)) value = value[0]; // a field posted twice: the first, as n8n's parser does with one
	if (field.fieldType === 'number') return value === '' ? null : Number(value);
	if (field.fieldType === 'text' || field.fieldType === 'email') return String(value).trim();
	if ((field.multiselect || field.fieldType === 'checkbox' || field.fieldType === 'radio') && typeof value === 'string') {
		const choices = parseChoices(value);
		return field.fieldType === 'radio' && Array.isArray(choices) ? (choices[0] ?? null) : choices;
	}
	return value;
}

/** The answer of a submitted form; `posted` is the multipart body's fields (n8n's `getBodyData().data`). */
export function formAnswer(fields: FormField[], posted: IDataObject): IDataObject {
	const answer: IDataObject = {};
	fields.forEach((field, index) => {
		const value = posted[`field-${index}`];
		if (field.fieldType === 'html') {
			if (field.elementName) answer[field.elementName] = (value as string | undefined) ?? null;
			return;
		}
		answer[field.fieldLabel] = answerOf(field, value) as IDataObject[string];
	});
	return answer;
}
