// @ts-check
'use strict';
/**
 * An HTML page that shows what the simulated group received, drawn like a DingTalk chat: the
 * robot's messages in order (and, when the simulator played DingTalk calling a trigger, what the
 * person wrote to the robot, each followed by the robot's replies), markdown rendered (the subset DingTalk renders), cards with their
 * buttons, an app robot's cards as they are when the page is drawn (an AI card's streamed text
 * and its state, the buttons and who clicked them), mentions highlighted, app-robot messages with their group, recalled ones greyed out.
 * Served by the simulator at GET /, for people trying the node (and for the README's picture).
 * Tokens and secrets are never shown.
 */

const { readFileSync } = require('node:fs');
const path = require('node:path');

// the package's own icon as the robot's avatar; a plain picture glyph where DingTalk shows an image
const AVATAR = readFileSync(path.join(__dirname, '..', 'icons', 'dingtalk.svg'), 'utf8').replace(/<title>.*?<\/title>/, '');
const PICTURE =
	'<svg viewBox="0 0 24 24" width="22" height="22" fill="#7aa7e8"><path d="M4 5h16a1 1 0 0 1 1 1v12a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1zm1 12h14l-4.5-6-3.5 4.5-2.5-3L5 17zm3-7a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3z"/></svg>';

/** @param {unknown} value */
const escapeHtml = (value) =>
	String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** Inline markdown: images, links, bold, italic, and @mentions, on already-escaped text. */
function inline(/** @type {string} */ text) {
	return escapeHtml(text)
		.replace(/!\[([^\]]*)\]\(([^)\s]+)\)/g, `<span class="img">${PICTURE} $1</span>`)
		.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, '<a>$1</a>')
		.replace(/\*\*([^*]+)\*\*/g, '<b>$1</b>')
		.replace(/\*([^*]+)\*/g, '<i>$1</i>')
		.replace(/(^|\s)@([\w.+-]+)/g, '$1<span class="at">@$2</span>');
}

/** The markdown subset DingTalk renders: headings, quotes, lists, paragraphs. */
function markdown(/** @type {string} */ text) {
	return String(text)
		.split('\n')
		.map((line) => {
			const heading = /^(#{1,6})\s+(.*)$/.exec(line);
			if (heading) return `<div class="h h${heading[1].length}">${inline(heading[2])}</div>`;
			if (line.startsWith('>')) return `<div class="quote">${inline(line.replace(/^>\s?/, ''))}</div>`;
			if (/^\s*[-*]\s+/.test(line)) return `<div class="li">• ${inline(line.replace(/^\s*[-*]\s+/, ''))}</div>`;
			if (/^\s*\d+\.\s+/.test(line)) return `<div class="li">${inline(line.trim())}</div>`;
			return line.trim() === '' ? '<div class="gap"></div>' : `<div>${inline(line)}</div>`;
		})
		.join('');
}

/** @param {any} message */
function bubble(message) {
	switch (message.msgtype) {
		case 'text':
			return `<div class="bubble">${escapeHtml(message.text.content)
				.split('\n')
				.map((line) => line.replace(/(^|\s)@([\w.+-]+)/g, '$1<span class="at">@$2</span>'))
				.join('<br>')}</div>`;
		case 'markdown':
			return `<div class="bubble md">${markdown(message.markdown.text)}</div>`;
		case 'link':
			return `<div class="bubble card link"><div class="title">${escapeHtml(message.link.title)}</div>
				<div class="row"><div class="text">${escapeHtml(message.link.text)}</div>${message.link.picUrl ? `<div class="pic">${PICTURE}</div>` : ''}</div></div>`;
		case 'actionCard': {
			const card = message.actionCard;
			const buttons = card.singleTitle
				? [card.singleTitle]
				: (card.btns ?? []).map((/** @type {any} */ b) => b.title);
			const vertical = String(card.btnOrientation ?? '0') === '0';
			return `<div class="bubble card action"><div class="md">${markdown(card.text)}</div>
				<div class="buttons ${vertical ? 'vertical' : ''}">${buttons.map((/** @type {string} */ t) => `<div class="btn">${escapeHtml(t)}</div>`).join('')}</div></div>`;
		}
		case 'feedCard':
			return `<div class="bubble card feed">${message.feedCard.links
				.map(
					(/** @type {any} */ link, /** @type {number} */ i) =>
						`<div class="feed-item ${i === 0 ? 'first' : ''}"><div class="text">${escapeHtml(link.title)}</div><div class="pic">${PICTURE}</div></div>`,
				)
				.join('')}</div>`;
		default:
			return `<div class="bubble">${escapeHtml(JSON.stringify(message))}</div>`;
	}
}

/**
 * What a person wrote to the robot: the mention DingTalk cut out of the callback is put back; a
 * picture, voice, video or file in words (`[picture chart.png]`), a quoted message above it.
 * @param {string} robotName
 * @param {Extract<GroupEntry, { from: 'user' }>} entry
 */
function userRow(robotName, entry) {
	// a plain circle with the first letter, as DingTalk draws people without a photo
	const initial = escapeHtml(Array.from(entry.nick.trim())[0] ?? '?');
	const mention = entry.mentioned && !entry.oneToOne ? `<span class="at">@${escapeHtml(robotName)}</span> ` : '';
	const lines = escapeHtml(entry.text).split('\n').join('<br>');
	const quote = entry.quote
		? `<div class="quote">Reply to ${entry.quote.fromRobot ? escapeHtml(robotName) : 'an earlier message'}: ${escapeHtml(entry.quote.words)}</div>`
		: '';
	return `<div class="msg"><div class="avatar person">${initial}</div><div class="body">
				<div class="name">${escapeHtml(entry.nick)}${entry.oneToOne ? ' · one-to-one' : ''}</div><div class="bubble">${quote}${mention}${lines}</div></div></div>`;
}

/**
 * A robot's message (`via`: the group an app robot sent it to through the OpenAPI; `recalled`:
 * recalled since), what a person wrote (`text`: in words; `quote`: the message it replies to), or
 * a card an app robot delivered (`picture`: the card as it is at the time of drawing, cards.js).
 * @typedef {{ from: 'robot', message: Record<string, unknown>, via?: string, recalled?: boolean }
 *   | { from: 'user', nick: string, text: string, mentioned: boolean, oneToOne: boolean, quote?: { fromRobot: boolean, words: string } }
 *   | { from: 'card', picture: () => CardPicture }} GroupEntry
 */

/**
 * A card as the page draws it: an AI card with its streamed text and state, or a card with its
 * variables; its buttons, with who clicked them.
 * @typedef {object} CardPicture
 * @property {string} title
 * @property {string} via where it was delivered
 * @property {boolean} ai
 * @property {'processing' | 'inputting' | 'finished' | 'executing' | 'failed' | undefined} state an AI card's flowStatus
 * @property {string | undefined} text an AI card's streamed text (markdown)
 * @property {[string, string][]} fields other variables to show
 * @property {string[]} mentions the people it mentions (names)
 * @property {{ text: string, link: boolean, disabled: boolean, clickedBy: string[] }[]} buttons link: opens a URL, does not call back
 */

/** The label of each state of an AI card. */
const STATE_LABELS = Object.freeze({ processing: 'Processing…', inputting: 'Typing…', finished: 'Finished', executing: 'Executing…', failed: 'Failed' });

/**
 * A card's row, drawn from what the card is now.
 * @param {string} robotName
 * @param {CardPicture} card
 */
function cardRow(robotName, card) {
	const state = card.state ? `<div class="state ${card.state}">${STATE_LABELS[card.state]}</div>` : '';
	const mentions = card.mentions.map((name) => `<span class="at">@${escapeHtml(name)}</span>`).join(' ');
	const body = card.ai ? `<div class="md">${markdown(card.text ?? '')}</div>` : '';
	const fields = card.fields.map(([k, v]) => `<div class="field"><span class="key">${escapeHtml(k)}</span> ${markdown(v)}</div>`).join('');
	const buttons = card.buttons
		.map((b) => {
			const clicked = b.clickedBy.length ? ` <span class="clicked">(clicked by ${escapeHtml(b.clickedBy.join(', '))})</span>` : '';
			return `<div class="btn${b.link ? ' link' : ''}${b.disabled ? ' disabled' : ''}">${escapeHtml(b.text)}${clicked}</div>`;
		})
		.join('');
	return `<div class="msg"><div class="avatar">${AVATAR}</div><div class="body">
				<div class="name">${escapeHtml(robotName)} · ${escapeHtml(card.via)}</div><div class="bubble card dcard${card.ai ? ' ai' : ''}">
				<div class="title">${escapeHtml(card.title)}</div>${state}${mentions ? `<div class="mentions">${mentions}</div>` : ''}${body}${fields}
				${buttons ? `<div class="buttons">${buttons}</div>` : ''}</div></div></div>`;
}

/**
 * A robot's row. DingTalk removes a recalled robot message without a notice; the page keeps a
 * grey line so that the tester sees it went.
 * @param {string} robotName
 * @param {Extract<GroupEntry, { from: 'robot' }>} entry
 */
function robotRow(robotName, entry) {
	const name = entry.via === undefined ? escapeHtml(robotName) : `${escapeHtml(robotName)} · app robot in ${escapeHtml(entry.via)}`;
	const content = entry.recalled ? '<div class="recalled">This message was recalled</div>' : bubble(entry.message);
	return `<div class="msg"><div class="avatar">${AVATAR}</div><div class="body">
				<div class="name">${name}</div>${content}</div></div>`;
}

/**
 * @param {{ groupName: string, robotName: string, messages?: Record<string, unknown>[], entries?: GroupEntry[] }} options
 *   `entries` (robot messages and what people wrote, in order) wins over `messages` (robot only)
 * @returns {string}
 */
function renderGroupPage({ groupName, robotName, messages = [], entries }) {
	/** @type {GroupEntry[]} */
	const all = entries ?? messages.map((message) => ({ from: /** @type {'robot'} */ ('robot'), message }));
	const rows = all
		.map((entry) => {
			if (entry.from === 'card') return cardRow(robotName, entry.picture());
			return entry.from === 'user' ? userRow(robotName, entry) : robotRow(robotName, entry);
		})
		.join('\n');
	const count = all.length;
	return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(groupName)}</title>
<style>
	body { margin: 0; font: 14px/1.5 -apple-system, "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; background: #f2f3f5; color: #171a1d; }
	header { background: #fff; padding: 12px 20px; border-bottom: 1px solid #e5e6eb; font-weight: 600; font-size: 16px; }
	header small { color: #86909c; font-weight: 400; margin-left: 8px; }
	main { padding: 16px 20px; max-width: 640px; }
	.msg { display: flex; gap: 10px; margin-bottom: 16px; }
	.avatar { width: 36px; height: 36px; flex: none; } .avatar svg { width: 36px; height: 36px; }
	.avatar.person { border-radius: 50%; background: #3370ff; color: #fff; display: flex; align-items: center; justify-content: center; font-weight: 600; }
	.name { color: #86909c; font-size: 12px; margin-bottom: 4px; }
	.bubble { background: #fff; border-radius: 8px; padding: 10px 12px; max-width: 460px; box-shadow: 0 1px 2px rgba(0,0,0,.05); word-break: break-word; }
	.at { color: #1677ff; }
	a { color: #1677ff; text-decoration: none; }
	.h { font-weight: 600; } .h1 { font-size: 20px; } .h2 { font-size: 18px; } .h3, .h4 { font-size: 16px; }
	.quote { border-left: 3px solid #d0d3d6; padding-left: 8px; color: #5f6368; }
	.gap { height: 8px; }
	.img { color: #86909c; }
	.card { padding: 0; overflow: hidden; width: 400px; }
	.card .title { font-weight: 600; padding: 10px 12px 4px; }
	.card .row { display: flex; gap: 10px; padding: 0 12px 12px; color: #5f6368; }
	.card .row .text { flex: 1; }
	.pic { width: 48px; height: 48px; border-radius: 4px; background: #e8f3ff; display: flex; align-items: center; justify-content: center; flex: none; }
	.action .md { padding: 10px 12px; }
	.buttons { display: flex; border-top: 1px solid #e5e6eb; }
	.buttons.vertical { flex-direction: column; }
	.btn { flex: 1; text-align: center; padding: 9px; color: #1677ff; border-left: 1px solid #e5e6eb; }
	.buttons.vertical .btn { border-left: 0; border-top: 1px solid #e5e6eb; }
	.buttons .btn:first-child { border: 0; }
	.feed-item { display: flex; gap: 10px; align-items: center; padding: 8px 12px; border-top: 1px solid #e5e6eb; }
	.feed-item.first { border-top: 0; font-weight: 600; }
	.feed-item .text { flex: 1; }
	.empty { color: #86909c; }
	.recalled { color: #86909c; font-style: italic; font-size: 12px; }
	.dcard .md, .dcard .field, .dcard .mentions { padding: 4px 12px 8px; }
	.dcard .key { color: #86909c; font-size: 12px; }
	.state { margin: 0 12px 6px; font-size: 12px; color: #1677ff; }
	.state.finished { color: #00b42a; } .state.failed { color: #f53f3f; }
	.btn.link { color: #5f6368; }
	.btn.disabled { color: #c9cdd4; }
	.clicked { color: #86909c; font-size: 12px; }
</style></head><body>
<header>${escapeHtml(groupName)}<small>DingTalk simulator: ${count} message${count === 1 ? '' : 's'} received</small></header>
<main>${rows || '<div class="empty">No messages yet.</div>'}</main>
</body></html>`;
}

module.exports = { renderGroupPage };
