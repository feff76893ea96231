/**
 * DingTalk opens a `dingtalk://dingtalkclient/page/link?url=…&pc_slide=true` link in the desktop
 * client's side panel instead of the browser.
 */
export function toSidePanelUrl(url: string): string {
	if (/^dingtalk:/i.test(url)) return url;
	return `dingtalk://dingtalkclient/page/link?url=${encodeURIComponent(url)}&pc_slide=true`;
}

/** The index of the bracket closing the one at `start` (nesting and backslash escapes respected), or -1. */
function closingBracket(text: string, start: number, open: string, close: string): number {
	let depth = 0;
	for (let index = start; index < text.length; index++) {
		const character = text[index];
		if (character === '\\') {
			index++;
		} else if (character === open) {
			depth++;
		} else if (character === close && --depth === 0) {
			return index;
		} else if (character === '\n' && open === '(') {
			return -1; // a link target never spans lines
		}
	}
	return -1;
}

/**
 * Rewrites markdown links `[text](http…)` to the side panel, leaving images `![alt](…)` alone.
 * A scanner, not a pattern: link targets may hold balanced parentheses
 * (`[wiki](https://en.wikipedia.org/wiki/Foo_(bar))`), and a label may be a picture
 * (`[![alt](img)](url)`).
 */
export function rewriteMarkdownLinks(markdown: string): string {
	let result = '';
	let done = 0;
	let from = 0;
	while (from < markdown.length) {
		const open = markdown.indexOf('[', from);
		if (open < 0) break;
		const labelEnd = closingBracket(markdown, open, '[', ']');
		const targetEnd = labelEnd >= 0 && markdown[labelEnd + 1] === '(' ? closingBracket(markdown, labelEnd + 1, '(', ')') : -1;
		if (targetEnd < 0) {
			from = open + 1;
			continue;
		}
		const target = markdown.slice(labelEnd + 2, targetEnd);
		const isImage = markdown[open - 1] === '!';
		if (!isImage && /^https?:\/\/\S+$/i.test(target)) {
			result += `${markdown.slice(done, open)}${markdown.slice(open, labelEnd + 1)}(${toSidePanelUrl(target)})`;
			done = targetEnd + 1;
		}
		from = targetEnd + 1;
	}
	return result + markdown.slice(done);
}
