// @ts-check
'use strict';

/**
 * A person in the group tapping a button of a robot's message, and the browser that opens it.
 * DingTalk opens an actionCard button's `actionURL` in its own browser (or, for a
 * `dingtalk://dingtalkclient/page/link?url=…` link, the page in `url`, where `pc_slide` says which
 * browser on a desktop: the same request either way). The browser:
 * - sends GET with a browser's User-Agent (DingTalk's mobile one by default; `userAgent: ''` sends an empty
 *   one, as a link preview does), follows redirects, keeps the page's HTML;
 * - reads a form page n8n draws (its `form-trigger` page: `field-<n>` inputs, textareas, selects,
 *   hidden fields, multiple choices), and submits it as the page's own script does: a
 *   multipart POST to the page's own URL (path and query, the signature with it), every named
 *   field with its value, every multiple choice as a JSON list of the options ticked; required
 *   fields left empty are refused in the page, before anything is sent.
 * It is a client: it talks to whatever the link points at (n8n), not to the simulator.
 */

/** DingTalk's in-app browser on a phone (the words a real one carries: "AliApp(DingTalk/…)"). */
const DINGTALK_USER_AGENT =
	'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 AliApp(DingTalk/7.6.10) com.laiwang.DingTalk/37089781 Channel/201200 language/zh-Hans-CN';

/**
 * @typedef {object} FormField one input of n8n's form page
 * @property {string} name `field-<n>`
 * @property {string} label what the page shows above it (a hidden field: its name)
 * @property {'input' | 'textarea' | 'select' | 'choices' | 'hidden'} kind
 * @property {string} [type] an input's type (text, number, email, date, password)
 * @property {boolean} required
 * @property {string} value the value the page starts with
 * @property {string[]} [options] a select's or a multiple choice's options
 * @property {boolean} [radio] a multiple choice of one
 * @property {string[]} [checked] a multiple choice's options ticked at first
 */

/**
 * @typedef {object} Page what the browser shows after a request
 * @property {string} url the URL it ended at
 * @property {number} status
 * @property {string} contentType
 * @property {string} body
 * @property {string | undefined} heading the text of the page's first visible <h1>
 * @property {{ title: string, fields: FormField[], submitLabel: string } | undefined} form n8n's form, when the page is one
 */

/** @param {string} text */
function decodeEntities(text) {
	return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|nbsp);/gi, (entity, code) => {
		const lower = code.toLowerCase();
		if (lower.startsWith('#x')) return String.fromCodePoint(parseInt(lower.slice(2), 16));
		if (lower.startsWith('#')) return String.fromCodePoint(Number(lower.slice(1)));
		return /** @type {Record<string, string>} */ ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' })[lower] ?? entity;
	});
}

/** @param {string} html */
const textOf = (html) => decodeEntities(html.replace(/<[^>]*>/g, '')).replace(/\s+/g, ' ').trim();

/**
 * The attributes of a tag's inside (`class='a b' id="x" checked`).
 * @param {string} inside
 * @returns {Record<string, string>}
 */
function attributes(inside) {
	/** @type {Record<string, string>} */
	const attrs = {};
	for (const match of inside.matchAll(/([\w:-]+)(?:\s*=\s*(?:'([^']*)'|"([^"]*)"|([^\s'">]+)))?/g)) {
		attrs[match[1].toLowerCase()] = decodeEntities(match[2] ?? match[3] ?? match[4] ?? '');
	}
	return attrs;
}

/** @param {Record<string, string>} attrs */
const isRequired = (attrs) => (attrs.class ?? '').split(/\s+/).includes('form-required');

/**
 * n8n's form in a page's HTML, or undefined when the page has none.
 * @param {string} html
 */
function readForm(html) {
	const start = html.search(/<form\b[^>]*id=['"]n8n-form['"]/i);
	if (start < 0) return undefined;
	const end = html.indexOf('</form>', start);
	const form = html.slice(start, end < 0 ? undefined : end);
	/** @type {FormField[]} */
	const fields = [];
	/** @type {Record<string, string>} */
	const labels = {};
	let pendingLabel = '';
	/** @type {FormField | undefined} */
	let choices;
	for (const match of form.matchAll(/<label\b([^>]*)>([\s\S]*?)<\/label>|<textarea\b([^>]*)>([\s\S]*?)<\/textarea>|<select\b([^>]*)>([\s\S]*?)<\/select>|<(input|div)\b([^>]*)>/gi)) {
		if (match[1] !== undefined) {
			const attrs = attributes(match[1]);
			if (attrs.for) labels[attrs.for] = textOf(match[2]);
			else pendingLabel = textOf(match[2]); // a multiple choice's label, before its options
			continue;
		}
		if (match[3] !== undefined) {
			const attrs = attributes(match[3]);
			fields.push({ name: attrs.name, label: labels[attrs.id] ?? '', kind: 'textarea', required: isRequired(attrs), value: decodeEntities(match[4]) });
			continue;
		}
		if (match[5] !== undefined) {
			const attrs = attributes(match[5]);
			const options = [...match[6].matchAll(/<option\b([^>]*)>([\s\S]*?)<\/option>/gi)].map((option) => ({ attrs: attributes(option[1]), text: textOf(option[2]) }));
			const selected = options.find((option) => 'selected' in option.attrs && option.attrs.value !== '');
			fields.push({
				name: attrs.name,
				label: labels[attrs.id] ?? '',
				kind: 'select',
				required: isRequired(attrs),
				value: selected?.attrs.value ?? '',
				options: options.filter((option) => option.attrs.value !== '').map((option) => option.attrs.value),
			});
			continue;
		}
		const attrs = attributes(match[8]);
		if (match[7].toLowerCase() === 'div') {
			if ((attrs.class ?? '').split(/\s+/).includes('multiselect')) {
				choices = { name: attrs.id, label: pendingLabel, kind: 'choices', required: isRequired(attrs), value: '', options: [], checked: [], radio: attrs['data-radio-select'] === 'radio' };
				fields.push(choices);
			}
			continue;
		}
		if ((attrs.class ?? '').includes('multiselect-checkbox') && choices) {
			choices.options?.push(attrs.value ?? '');
			if ('checked' in attrs) choices.checked?.push(attrs.value ?? '');
		} else if (attrs.type === 'hidden' && attrs.name) {
			fields.push({ name: attrs.name, label: attrs.name, kind: 'hidden', required: false, value: attrs.value ?? '' });
		} else if (attrs.name && attrs.type !== 'file' && attrs.type !== 'submit') {
			fields.push({ name: attrs.name, label: labels[attrs.id] ?? '', kind: 'input', type: attrs.type ?? 'text', required: isRequired(attrs), value: attrs.value ?? '' });
		}
	}
	const title = /<h1>([\s\S]*?)<\/h1>/i.exec(form);
	const button = /<button\b[^>]*id=['"]submit-btn['"][^>]*>([\s\S]*?)<\/button>/i.exec(form);
	return { title: title ? textOf(title[1]) : '', fields, submitLabel: button ? textOf(button[1]) : '' };
}

/**
 * The page's first heading a person sees (n8n's form page keeps its "submitted" heading hidden).
 * @param {string} html
 */
function firstHeading(html) {
	const visible = html.replace(/<div\b[^>]*style=['"]display:\s*none;?['"][^>]*>[\s\S]*?<\/div>/gi, '');
	const match = /<h1\b[^>]*>([\s\S]*?)<\/h1>/i.exec(visible);
	return match ? textOf(match[1]) : undefined;
}

/**
 * What DingTalk opens for a button's link: a `dingtalk://dingtalkclient/page/link` link's page,
 * else the link itself.
 * @param {string} link
 */
function pageOfLink(link) {
	if (!/^dingtalk:\/\/dingtalkclient\/page\/link\?/i.test(link)) return link;
	const url = new URL(link).searchParams.get('url');
	if (!url) throw new Error(`the DingTalk link ${link} has no url parameter`);
	return url;
}

/**
 * @param {Response} response
 * @returns {Promise<Page>}
 */
async function pageOf(response) {
	const body = await response.text();
	const contentType = response.headers.get('content-type') ?? '';
	const html = contentType.includes('html') || /^\s*</.test(body);
	return { url: response.url, status: response.status, contentType, body, heading: html ? firstHeading(body) : undefined, form: html ? readForm(body) : undefined };
}

/**
 * Opens a link as DingTalk's browser does.
 * @param {string} link an actionURL (http(s), or DingTalk's page link)
 * @param {{ userAgent?: string }} [options] `userAgent: ''` sends an empty one (a link preview's way)
 * @returns {Promise<Page>}
 */
async function openLink(link, options = {}) {
	// fetch would send its own User-Agent ("node") when given none: an empty one stands for none
	const response = await fetch(pageOfLink(link), { headers: { 'user-agent': options.userAgent ?? DINGTALK_USER_AGENT, accept: 'text/html,*/*' } });
	return await pageOf(response);
}

/**
 * Fills in and submits n8n's form of an opened page. `answers` are keyed by a field's label
 * (or its `field-<n>` name): text for inputs, textareas and selects, a list of options (or one)
 * for multiple choices. Fields not given keep the value the page started with.
 * @param {Page} page
 * @param {Record<string, string | number | string[]>} answers
 * @param {{ userAgent?: string }} [options]
 * @returns {Promise<Page & { refused?: string[] }>} `refused`: the required fields left empty (nothing was sent)
 */
async function submitForm(page, answers, options = {}) {
	if (!page.form) throw new Error(`the page at ${page.url} (HTTP ${page.status}) has no form`);
	const given = (/** @type {FormField} */ field) => answers[field.label] ?? answers[field.name];
	const unknown = Object.keys(answers).filter((key) => !page.form?.fields.some((field) => field.label === key || field.name === key));
	if (unknown.length) throw new Error(`the form has no field ${unknown.join(', ')}; it has ${page.form.fields.map((field) => field.label || field.name).join(', ')}`);
	const body = new FormData();
	/** @type {string[]} */
	const missing = [];
	for (const field of page.form.fields) {
		const answer = given(field);
		if (field.kind === 'choices') {
			const ticked = answer === undefined ? (field.checked ?? []) : (Array.isArray(answer) ? answer : [String(answer)]);
			const wrong = ticked.filter((option) => !field.options?.includes(option));
			if (wrong.length) throw new Error(`"${field.label}" has no option ${wrong.join(', ')}`);
			if (field.required && ticked.length === 0) missing.push(field.label);
			body.append(field.name, JSON.stringify(ticked));
			continue;
		}
		const value = answer === undefined ? field.value : String(answer);
		if (field.kind === 'select' && value !== '' && !field.options?.includes(value)) throw new Error(`"${field.label}" has no option ${value}`);
		if (field.required && value.trim() === '') missing.push(field.label);
		body.append(field.name, value);
	}
	if (missing.length) return { ...page, refused: missing };
	const response = await fetch(page.url, { method: 'POST', body, headers: { 'user-agent': options.userAgent ?? DINGTALK_USER_AGENT } });
	return await pageOf(response);
}

module.exports = { DINGTALK_USER_AGENT, openLink, submitForm, pageOfLink, readForm };
