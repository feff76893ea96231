/**
 * DingTalk opens a `dingtalk://dingtalkclient/page/link?url=…&pc_slide=true` link in the desktop
 * client's side panel instead of the browser.
 */
export function toSidePanelUrl(url: string): string {
	if (/^dingtalk:/i.test(url)) return url;
	return `dingtalk://dingtalkclient/page/link?url=${encodeURIComponent(url)}&pc_slide=true`;
}

/** Rewrites markdown links `[text](http…)`, leaving images `![alt](…)` alone. */
export function rewriteMarkdownLinks(markdown: string): string {
	return markdown.replace(/(^|[^!])\[([^\]]*)\]\((https?:\/\/[^)\s]+)\)/gi, (_match, before: string, label: string, url: string) =>
		`${before}[${label}](${toSidePanelUrl(url)})`,
	);
}
