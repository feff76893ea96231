import type { INodeProperties } from 'n8n-workflow';

import { cardProperties } from '../actions/card/description';
import { downloadFileProperties } from '../actions/downloadFile/description';
import { recallProperties } from '../actions/recall/description';
import { sendProperties } from '../actions/send/description';
import { sendAndWaitProperties } from '../actions/sendAndWait/description';
import { operationProperty } from './operation';

/** The node's whole form: the operation, then each operation's own fields. */
export const dingTalkRobotProperties: INodeProperties[] = [operationProperty, ...sendProperties, ...sendAndWaitProperties, ...recallProperties, ...downloadFileProperties, ...cardProperties];
