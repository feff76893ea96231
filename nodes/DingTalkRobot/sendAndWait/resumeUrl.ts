/**
 * n8n's resume URL of the waiting execution, signed by n8n: `<webhookWaitingBaseUrl>/<executionId>/<nodeId>?…&signature=<hmac>`.
 * n8n computes the HMAC-SHA256 with its instance's own key: n8n 1.x over host + path + query,
 * n8n 2.x over path + query (n8n-core's signature-helpers). Any change to the execution, the
 * node or a query parameter (`approved=false` → `true`) breaks it, and n8n refuses such a URL
 * (401) before this node's webhook sees it. n8n 1.x checks signatures only for executions that
 * asked for it (`setSignatureValidationRequired`, gone in n8n 2.x, which checks them always):
 * asked for here whenever the running n8n has it.
 */
import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

/** The query parameter n8n puts its signature in (n8n-core's WAITING_TOKEN_QUERY_PARAM). */
export const SIGNATURE_PARAM = 'signature';

type SigningContext = Pick<IExecuteFunctions, 'getNode'> & {
	getSignedResumeUrl?: (parameters?: Record<string, string>) => string;
	setSignatureValidationRequired?: () => void;
};

/** Makes n8n check the signature of every resume of this execution (n8n 1.x; a no-op where n8n always checks). */
export function requireSignedResumes(ctx: SigningContext): void {
	if (typeof ctx.setSignatureValidationRequired === 'function') ctx.setSignatureValidationRequired();
}

/** n8n's signed resume URL for this execution and node, with the given query parameters. */
export function signedResumeUrl(ctx: SigningContext, parameters: Record<string, string>): string {
	if (typeof ctx.getSignedResumeUrl !== 'function') {
		throw new NodeOperationError(ctx.getNode(), 'This n8n cannot sign resume URLs, which Send and Wait for Response needs', {
			description: 'Update n8n to a version whose own Send and Wait for Response nodes sign their links (this package is tested with n8n 1.123 and 2.40).',
		});
	}
	return ctx.getSignedResumeUrl(parameters);
}
