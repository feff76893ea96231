/**
 * What every app robot operation opens first: the app's session (its token, redacting it from
 * every error), the app, and the delivery settings of the node's defaults paced to the app's
 * Calls per Second.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { createRedactor } from '../../shared/redact';
import type { DingTalkApp } from '../../../credentials/appCredential';
import type { DeliverySettings } from '../transport';
import { AppSession } from '../transport/openapi';
import { appDeliverySettings, defaultNodeOptions } from './send/options';

export async function openAppCalls(ctx: IExecuteFunctions): Promise<{ session: AppSession; app: DingTalkApp; settings: DeliverySettings }> {
	const session = new AppSession(ctx, createRedactor([]));
	const app = await session.app();
	return { session, app, settings: appDeliverySettings(defaultNodeOptions(), app, session.redact) };
}
