// Shared by the OpenAPI tests of the simulator: a started simulator with two apps, a group and
// users, and the HTTP calls an app robot makes (real fetch, FormData and Blob for uploads).
import { DingTalkSimulator } from '../../simulator';
import type { SimulatorOptions } from '../../simulator';

export const APP = { clientId: 'dingopenapiapp01', clientSecret: 'openapiSecret-0123456789' };
export const OTHER = { clientId: 'dingopenapiapp02', clientSecret: 'otherSecret-9876543210' };
export const CID = 'cidSimulatedOps1+/A==';
export const OTHER_CID = 'cidSimulatedDev2+/B==';
export const USERS = ['manager1234', 'staff0001', 'staff0002'];
export const PATHS = {
	groupSend: '/v1.0/robot/groupMessages/send',
	otoSend: '/v1.0/robot/oToMessages/batchSend',
	groupRecall: '/v1.0/robot/groupMessages/recall',
	otoRecall: '/v1.0/robot/otoMessages/batchRecall',
} as const;
export const REQUEST_ID = expect.stringMatching(/^[0-9A-F-]{36}$/);

/** Starts simulators with APP and OTHER, group CID (APP's robot in it), OTHER_CID (OTHER's) and USERS; stops them after each test. */
export function simulatorPool(): (options?: SimulatorOptions) => Promise<DingTalkSimulator> {
	const sims: DingTalkSimulator[] = [];
	afterEach(async () => {
		await Promise.all(sims.splice(0).map((s) => s.stop()));
	});
	return async (options = {}) => {
		const sim = new DingTalkSimulator(options);
		sims.push(sim);
		sim.addApp(APP);
		sim.addApp(OTHER);
		sim.addGroup({ openConversationId: CID, title: 'Ops', robotCodes: [APP.clientId] });
		sim.addGroup({ openConversationId: OTHER_CID, title: 'Dev', robotCodes: [OTHER.clientId] });
		for (const userId of USERS) sim.addUser({ userId });
		await sim.start({ host: '127.0.0.1', port: 0 });
		return sim;
	};
}

export async function getToken(sim: DingTalkSimulator, app = APP): Promise<string> {
	const res = await fetch(`${sim.baseUrl}/v1.0/oauth2/accessToken`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ appKey: app.clientId, appSecret: app.clientSecret }),
	});
	return ((await res.json()) as { accessToken: string }).accessToken;
}

export interface Answer {
	status: number;
	contentType: string | null;
	text: string;
	json: Record<string, unknown>;
}

async function answerOf(res: Response): Promise<Answer> {
	const text = await res.text();
	let json: Record<string, unknown> = {};
	try {
		json = JSON.parse(text) as Record<string, unknown>;
	} catch {
		// a page, not JSON
	}
	return { status: res.status, contentType: res.headers.get('content-type'), text, json };
}

/** POSTs JSON to an OpenAPI path with the token header (none when token is undefined). */
export async function call(sim: DingTalkSimulator, path: string, body: unknown, token: string | undefined, method = 'POST'): Promise<Answer> {
	const headers: Record<string, string> = { 'content-type': 'application/json' };
	if (token !== undefined) headers['x-acs-dingtalk-access-token'] = token;
	const res = await fetch(`${sim.baseUrl}${path}`, { method, headers, body: method === 'GET' ? undefined : JSON.stringify(body) });
	return answerOf(res);
}

/** A group send of APP's robot to CID. */
export function groupSend(sim: DingTalkSimulator, token: string, msgKey: string, params: unknown, extra: Record<string, unknown> = {}) {
	const msgParam = typeof params === 'string' ? params : JSON.stringify(params);
	return call(sim, PATHS.groupSend, { robotCode: APP.clientId, openConversationId: CID, msgKey, msgParam, ...extra }, token);
}

export interface UploadOptions {
	token?: string;
	type?: string;
	/** Send type as a form field instead of the query. */
	typeInForm?: boolean;
	filename?: string;
	bytes?: Uint8Array;
	contentType?: string;
	/** The form field's name; default 'media'. */
	field?: string;
	method?: string;
}

/** POST /media/upload as multipart/form-data (FormData and Blob: undici writes the multipart). */
export async function upload(sim: DingTalkSimulator, options: UploadOptions = {}): Promise<Answer> {
	const { type = 'image', filename = 'chart.png', contentType = 'image/png', field = 'media' } = options;
	const bytes = options.bytes ?? new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 255]);
	const form = new FormData();
	if (options.typeInForm) form.append('type', type);
	form.append(field, new Blob([bytes], { type: contentType }), filename);
	const query = new URLSearchParams();
	if (options.token !== undefined) query.set('access_token', options.token);
	if (!options.typeInForm) query.set('type', type);
	const res = await fetch(`${sim.baseUrl}/media/upload?${query}`, { method: options.method ?? 'POST', body: options.method === 'GET' ? undefined : form });
	return answerOf(res);
}
