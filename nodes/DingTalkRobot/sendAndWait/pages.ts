/**
 * The pages a person sees after answering, with the words n8n's own Send and Wait nodes use:
 * "Got it, thanks" (the answer was recorded) and a page for a form that cannot be read. Plain
 * HTML, no script, nothing from the workflow in it.
 */
import { SUBMITTED_HEADER, SUBMITTED_TEXT, escapeHtml } from './formPage';

function page(title: string, heading: string, text: string): string {
	return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { margin: 0; background: #fbfcfe; font-family: -apple-system, "PingFang SC", "Microsoft YaHei", "Segoe UI", sans-serif; color: #525356; }
main { max-width: 420px; margin: 48px auto; padding: 28px 24px; background: #fff; border: 1px solid #dbdfe7; border-radius: 8px; text-align: center; }
h1 { margin: 0 0 8px; font-size: 20px; font-weight: 400; }
p { margin: 0; font-size: 14px; color: #7e8186; }
</style>
</head>
<body><main><h1>${escapeHtml(heading)}</h1><p>${escapeHtml(text)}</p></main></body>
</html>
`;
}

/** After an answer was recorded: the execution goes on. */
export const ANSWER_RECORDED_PAGE = page('Action recorded', SUBMITTED_HEADER, SUBMITTED_TEXT);

/** A form post without the form's fields: nothing was recorded, the execution keeps waiting. */
export const UNREADABLE_ANSWER_PAGE = page('Answer not recorded', 'Your answer could not be read', 'Nothing was recorded. Open the link in the DingTalk message again and send the form from there.');

/** The form cannot be shown (its fields changed since the message was sent, or an expression fails now). */
export const FORM_UNAVAILABLE_PAGE = page('Form unavailable', 'This form cannot be shown', 'The workflow\'s form could not be built. Nothing was recorded; tell the person who runs the workflow.');
