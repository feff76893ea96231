/**
 * DingTalk opens a `dingtalk://dingtalkclient/page/link?url=…&pc_slide=true` link in the desktop
 * client's side panel instead of the browser.
 */
export function toSidePanelUrl(url: string): string {
	if (/^dingtalk:/i.test(url)) return url;
	return `dingtalk://dingtalkclient/page/link?url=${encodeURIComponent(url)}&pc_slide=true`;
}

/**
 * A markdown link or image: an optional "!", a label that may itself be an image (a linked
 * picture `[![alt](img)](url)`), and an http(s) target.
 */
const MARKDOWN_LINK = /(!?)\[((?:!\[[^\]]*\]\([^)\s]*\)|[^\]])*)\]\((https?:\/\/[^)\s]+)\)/gi;

/** Rewrites markdown links `[text](http…)` to the side panel, leaving images `![alt](…)` alone. */
export function rewriteMarkdownLinks(markdown: string): string {
	return markdown.replace(MARKDOWN_LINK, (match, bang: string, label: string, url: string) =>
		bang ? match : `[${label}](${toSidePanelUrl(url)})`,
	);
}
