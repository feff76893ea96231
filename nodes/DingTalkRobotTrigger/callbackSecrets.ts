/**
 * Reading the callback credential: fast on both n8n majors, and no workflow ever started on a
 * secret the credential no longer holds.
 *
 * The cost (measured on n8n 2.40.7): this.getCredentials() in a webhook reads "runless" (n8n-core's
 * WebhookContext.getCredentials → _getRunlessCredentials: no input items), so n8n's
 * CredentialsHelper.applyDefaultsAndOverwrites resolves the credential's fields in a throwaway
 * Workflow and calls workflow.expression.acquireIsolate() for it. With n8n 2's default expression
 * engine (N8N_EXPRESSION_ENGINE=vm, a pool of one warm isolate, released isolates disposed and
 * replaced) and the webhook call already holding the warm one (LiveWebhooks takes an isolate for
 * every trigger node but n8n's own Webhook node), every read cold-starts an isolated-vm isolate and
 * loads n8n's expression runtime into it: 40-100 ms before the call can be answered, about 45 ms
 * of CPU, most of a core at 20 calls a second. n8n 1 resolves expressions in-process, where the
 * read costs next to nothing.
 *
 * What the trigger does: it keeps the last value it read, per trigger node and credential. A call
 * that checks out with the kept value is decided (refusals, retries, filters) and answered at
 * once; its workflow starts only after a read that began after the call arrived still verifies
 * it. Calls that arrive while a read is under way share the next read, so under load there are far
 * fewer reads than calls. A call that does not check out with the kept value (a first call, a
 * changed secret, a forger) waits for a fresh read before anything is decided. So a change to the
 * credential counts from the first call after it: the kept value only decides how soon DingTalk
 * hears back, never whether a workflow runs.
 * Not chosen: a cache that expires (it would go on accepting a removed secret until then): n8n
 * tells a node nothing when a credential changes, and a webhook has no other way to read one.
 */
import type { IWebhookFunctions } from 'n8n-workflow';

import type { CallbackSecrets } from './callback';

export const CALLBACK_CREDENTIAL_TYPE = 'dingTalkRobotCallbackApi';

export type ReadSecrets = Required<CallbackSecrets>;

/** Whether the credential has something to check robot messages with. */
export function hasProof(secrets: CallbackSecrets): boolean {
	return Boolean(secrets.appSecret?.trim() || secrets.outgoingToken?.trim());
}

/** Whether the credential has something to check any call with: robot messages, or card clicks. */
function hasAnyProof(secrets: CallbackSecrets): boolean {
	return hasProof(secrets) || Boolean(secrets.cardApiSecret?.trim());
}

/** Reads of one credential, shared by the calls waiting for them, each begun after its callers arrived. */
export class FreshReads<T> {
	private inFlight: Promise<T> | undefined;
	private queued: Promise<T> | undefined;

	/** A read that starts now, or, if one is under way (it began before this caller), the next one. */
	read(start: () => Promise<T>): Promise<T> {
		if (this.inFlight === undefined) return this.begin(start);
		const settled = this.inFlight.then(
			() => undefined,
			() => undefined,
		);
		this.queued ??= settled.then(() => {
			this.queued = undefined;
			return this.begin(start);
		});
		return this.queued;
	}

	private begin(start: () => Promise<T>): Promise<T> {
		const reading = start();
		this.inFlight = reading;
		const settle = () => {
			if (this.inFlight === reading) this.inFlight = undefined;
		};
		reading.then(settle, settle);
		return reading;
	}
}

interface NodeCredential {
	/** the last value read, when it had something to check calls with */
	kept?: ReadSecrets;
	reads: FreshReads<ReadSecrets>;
}

/** Trigger nodes of deleted workflows are forgotten oldest first past this many. */
const MAX_NODES = 1000;

const nodes = new Map<string, NodeCredential>();

function nodeCredential(ctx: IWebhookFunctions): NodeCredential {
	const node = ctx.getNode();
	const key = `${ctx.getWorkflow().id ?? ''}\n${node.id}\n${node.credentials?.[CALLBACK_CREDENTIAL_TYPE]?.id ?? ''}`;
	let entry = nodes.get(key);
	if (entry !== undefined) {
		// most recently used last, so the first is the one to forget
		nodes.delete(key);
	} else {
		if (nodes.size >= MAX_NODES) nodes.delete(nodes.keys().next().value as string);
		entry = { reads: new FreshReads() };
	}
	nodes.set(key, entry);
	return entry;
}

/** The value this trigger node last read, if it had something to check calls with. */
export function keptSecrets(ctx: IWebhookFunctions): ReadSecrets | undefined {
	return nodeCredential(ctx).kept;
}

/** Reads the credential (a read begun after this call), and keeps the value for the next calls. */
export async function readSecrets(ctx: IWebhookFunctions): Promise<ReadSecrets> {
	const entry = nodeCredential(ctx);
	const start = async (): Promise<ReadSecrets> => {
		const data = await ctx.getCredentials(CALLBACK_CREDENTIAL_TYPE);
		const secrets = { appSecret: String(data.appSecret ?? ''), outgoingToken: String(data.outgoingToken ?? ''), cardApiSecret: String(data.cardApiSecret ?? '') };
		entry.kept = hasAnyProof(secrets) ? secrets : undefined;
		return secrets;
	};
	const reading = entry.reads.read(start);
	// a credential that can no longer be read (deleted, no access) keeps nothing either
	void reading.then(undefined, () => {
		entry.kept = undefined;
	});
	return await reading;
}
