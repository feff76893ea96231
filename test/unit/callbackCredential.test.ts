import type { ICredentialTestFunctions, ICredentialsDecrypted } from 'n8n-workflow';

import { testCallbackCredential } from '../../nodes/DingTalkRobotTrigger/credentialTest';

const test = (data: Record<string, string>) =>
	testCallbackCredential.call({} as ICredentialTestFunctions, { id: '1', name: 'c', type: 'dingTalkRobotCallbackApi', data } as ICredentialsDecrypted);

describe('the DingTalk Robot Callback credential test', () => {
	it('needs an App Secret or an Outgoing Token', async () => {
		await expect(test({ appSecret: ' ', outgoingToken: '' })).resolves.toEqual({
			status: 'Error',
			message: 'Enter the robot\'s App Secret, or the Outgoing Token of a custom robot (or, for card clicks only, the Card Callback API Secret)',
		});
	});

	it('refuses a secret with inner spaces or line breaks (a bad paste), without repeating it', async () => {
		const result = await test({ appSecret: 'abc def', outgoingToken: '' });
		expect(result).toEqual({ status: 'Error', message: 'The App Secret contains spaces or line breaks: copy it again' });
		expect((await test({ appSecret: '', outgoingToken: 'to\nken' })).message).toBe('The Outgoing Token contains spaces or line breaks: copy it again');
	});

	it('says which headers calls will be checked by', async () => {
		await expect(test({ appSecret: ' s3cret ', outgoingToken: '' })).resolves.toEqual({
			status: 'OK',
			message: 'Callbacks will be accepted only with a valid sign header (App Secret)',
		});
		expect((await test({ appSecret: 's', outgoingToken: 't' })).message).toBe(
			'Callbacks will be accepted only with a valid sign header (App Secret) and token header (Outgoing Token)',
		);
		expect((await test({ appSecret: 's', outgoingToken: '', cardApiSecret: 'c' })).message).toBe(
			'Callbacks will be accepted only with a valid sign header (App Secret); card clicks only with a valid x-ddpaas-signature header (Card Callback API Secret)',
		);
		await expect(test({ appSecret: '', outgoingToken: '', cardApiSecret: 'c' })).resolves.toEqual({
			status: 'OK',
			message: 'Robot messages will be refused (no App Secret or Outgoing Token); card clicks only with a valid x-ddpaas-signature header (Card Callback API Secret)',
		});
		expect((await test({ appSecret: '', outgoingToken: '', cardApiSecret: 'c d' })).message).toBe('The Card Callback API Secret contains spaces or line breaks: copy it again');
	});
});
