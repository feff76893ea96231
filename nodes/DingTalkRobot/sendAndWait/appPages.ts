/**
 * The page of an app robot's approval URL opened in a browser: the decision is made with the
 * card's buttons in DingTalk, never by opening the URL (nothing is recorded).
 */
import { escapeHtml } from './formPage';

export const ANSWERED_IN_CARD_PAGE = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml('Answer in DingTalk')}</title></head>
<body style="font-family: -apple-system, 'PingFang SC', 'Microsoft YaHei', 'Segoe UI', sans-serif; color: #525356; text-align: center; margin-top: 48px">
<h1 style="font-size: 20px; font-weight: 400">Answer with the card's buttons in DingTalk</h1>
<p style="font-size: 14px; color: #7e8186">This request is decided in the DingTalk card. Nothing was recorded.</p>
</body>
</html>
`;
