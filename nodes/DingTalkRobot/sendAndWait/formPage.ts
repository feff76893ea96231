/**
 * The response form, drawn by n8n itself: the webhook renders n8n's own `form-trigger` page (the
 * page of its Form Trigger and of its own Send and Wait nodes) with the data that page takes,
 * built here as n8n builds it for its Send and Wait nodes: `field-<n>` inputs, the multiple-choice
 * options, "Got it, thanks" once submitted. The page posts the answer back to the same signed URL.
 * Unlike n8n, nothing the workflow puts on the page is taken as HTML: the description is text,
 * a Custom HTML field shows its text, and custom CSS cannot end its style element. The page is
 * served with n8n's sandbox Content-Security-Policy.
 */
import type { FormField } from './formFields';

/** n8n's sandbox policy for form pages (n8n-core's getHtmlSandboxCSP). */
export const FORM_SANDBOX_CSP =
	'sandbox allow-downloads allow-forms allow-modals allow-orientation-lock allow-pointer-lock allow-popups allow-presentation allow-scripts allow-top-navigation-by-user-activation allow-top-navigation-to-custom-protocols';

export const SUBMITTED_HEADER = 'Got it, thanks';
export const SUBMITTED_TEXT = 'This page can be closed now';

const ATTRIBUTION_LINK = 'https://n8n.io/?utm_source=n8n-internal&utm_medium=form-trigger';

export function escapeHtml(value: string): string {
	return value.replace(/[&<>"']/g, (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[character] ?? character);
}

/** A Custom HTML field's text: tags dropped, the rest escaped (the page shows it unescaped). */
function htmlAsText(html: string): string {
	const withoutBlocks = html.replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ');
	const withBreaks = withoutBlocks.replace(/<(br|\/p|\/div|\/h[1-6]|\/li)\b[^>]*>/gi, '\n');
	return escapeHtml(withBreaks.replace(/<[^>]*>?/g, '')).replace(/\n/g, '<br>');
}

/** Custom CSS without a `<`, so it cannot close the page's style element. */
function safeCss(css: string | undefined): string | undefined {
	const cleaned = (css ?? '').replace(/</g, '');
	return cleaned.trim() === '' ? undefined : cleaned;
}

export interface FormPageInput {
	title: string;
	description: string;
	buttonLabel: string;
	customCss?: string;
	fields: FormField[];
	appendAttribution: boolean;
}

/** One input as n8n's form page template reads it. */
type PageField = Record<string, unknown>;

function pageField(field: FormField, index: number): PageField {
	const id = `field-${index}`;
	const base: PageField = {
		id,
		errorId: `error-${id}`,
		label: field.fieldLabel,
		inputRequired: field.requiredField ? 'form-required' : '',
		defaultValue: field.defaultValue ?? '',
		placeholder: field.placeholder,
	};
	if (field.fieldType === 'checkbox' || field.fieldType === 'radio' || field.multiselect) {
		return {
			...base,
			isMultiSelect: true,
			multiSelectOptions: (field.options ?? []).map((label, optionIndex) => ({ id: `option${optionIndex}_${id}`, label })),
			...(field.fieldType === 'radio' && { radioSelect: 'radio' }),
			...(field.limitSelection === 'exact' && { exactSelectedOptions: field.numberOfSelections }),
			...(field.limitSelection === 'range' && { minSelectedOptions: field.minSelections, maxSelectedOptions: field.maxSelections }),
		};
	}
	switch (field.fieldType) {
		case 'dropdown':
			return { ...base, isSelect: true, selectOptions: field.options ?? [] };
		case 'textarea':
			return { ...base, isTextarea: true };
		case 'html':
			return { ...base, isHtml: true, html: htmlAsText(field.html ?? '') };
		case 'hiddenField':
			return { ...base, isHidden: true, hiddenName: field.fieldName, hiddenValue: field.fieldValue ?? field.defaultValue ?? '' };
		default:
			return { ...base, isInput: true, type: field.fieldType };
	}
}

/** The data n8n's `form-trigger` view takes (the same in n8n 1.x and 2.x). */
export function formPageData(input: FormPageInput): Record<string, unknown> {
	const description = escapeHtml(input.description);
	return {
		testRun: false,
		formTitle: input.title,
		formDescription: description,
		formDescriptionMetadata: input.description.replace(/\s+/g, ' ').trim().slice(0, 150) || 'n8n form',
		formSubmittedHeader: SUBMITTED_HEADER,
		formSubmittedText: SUBMITTED_TEXT,
		n8nWebsiteLink: ATTRIBUTION_LINK,
		formFields: input.fields.map(pageField),
		appendAttribution: input.appendAttribution,
		buttonLabel: input.buttonLabel,
		dangerousCustomCss: safeCss(input.customCss),
	};
}
