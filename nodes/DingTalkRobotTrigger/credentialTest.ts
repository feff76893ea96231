import type { ICredentialTestFunctions, ICredentialsDecrypted, INodeCredentialTestResult } from 'n8n-workflow';

/**
 * DingTalk has no endpoint that answers "is this AppSecret right?": its callbacks prove
 * themselves to us. The test checks what can be checked here: that there is something to verify
 * callbacks with, and that it was pasted whole (no inner spaces or line breaks).
 */
export async function testCallbackCredential(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const appSecret = String(credential.data?.appSecret ?? '').trim();
	const outgoingToken = String(credential.data?.outgoingToken ?? '').trim();
	if (!appSecret && !outgoingToken) {
		return { status: 'Error', message: 'Enter the robot\'s App Secret, or the Outgoing Token of a custom robot' };
	}
	for (const [label, value] of [['App Secret', appSecret], ['Outgoing Token', outgoingToken]]) {
		if (/\s/.test(value)) return { status: 'Error', message: `The ${label} contains spaces or line breaks: copy it again` };
	}
	const checks = [appSecret && 'sign header (App Secret)', outgoingToken && 'token header (Outgoing Token)'].filter(Boolean);
	return { status: 'OK', message: `Callbacks will be accepted only with a valid ${checks.join(' and ')}` };
}
