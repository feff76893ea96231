import type { ICredentialTestFunctions, ICredentialsDecrypted, INodeCredentialTestResult } from 'n8n-workflow';

/**
 * DingTalk has no endpoint that answers "is this AppSecret right?": its callbacks prove
 * themselves to us. The test checks what can be checked here: that there is something to verify
 * callbacks with, and that it was pasted whole (no inner spaces or line breaks). A credential for
 * card clicks only (the Card Callback API Secret alone) is fine: robot messages are then refused.
 */
export async function testCallbackCredential(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const appSecret = String(credential.data?.appSecret ?? '').trim();
	const outgoingToken = String(credential.data?.outgoingToken ?? '').trim();
	const cardApiSecret = String(credential.data?.cardApiSecret ?? '').trim();
	if (!appSecret && !outgoingToken && !cardApiSecret) {
		return { status: 'Error', message: 'Enter the robot\'s App Secret, or the Outgoing Token of a custom robot (or, for card clicks only, the Card Callback API Secret)' };
	}
	for (const [label, value] of [['App Secret', appSecret], ['Outgoing Token', outgoingToken], ['Card Callback API Secret', cardApiSecret]]) {
		if (/\s/.test(value)) return { status: 'Error', message: `The ${label} contains spaces or line breaks: copy it again` };
	}
	const checks = [appSecret && 'sign header (App Secret)', outgoingToken && 'token header (Outgoing Token)'].filter(Boolean);
	const messages = checks.length ? `Callbacks will be accepted only with a valid ${checks.join(' and ')}` : 'Robot messages will be refused (no App Secret or Outgoing Token)';
	const cards = cardApiSecret ? '; card clicks only with a valid x-ddpaas-signature header (Card Callback API Secret)' : '';
	return { status: 'OK', message: `${messages}${cards}` };
}
