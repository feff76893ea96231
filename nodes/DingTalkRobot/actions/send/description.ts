import { updateDisplayOptions, type INodeProperties } from 'n8n-workflow';

import { actionCardProperties } from '../../descriptions/actionCard';
import { appRobotProperties } from '../../descriptions/appRobot';
import { feedCardProperties } from '../../descriptions/feedCard';
import { fileProperties } from '../../descriptions/file';
import { imageProperties } from '../../descriptions/image';
import { jsonProperties } from '../../descriptions/json';
import { linkProperties } from '../../descriptions/link';
import { markdownProperties } from '../../descriptions/markdown';
import { mentionsProperty } from '../../descriptions/mentions';
import { messageTypeProperty } from '../../descriptions/messageType';
import { optionsProperty } from '../../descriptions/options';
import { sessionProperties, targetProperty } from '../../descriptions/target';
import { textProperties } from '../../descriptions/text';

/** The Send operation's form: where to, the message type's own fields, mentions, options. */
export const sendProperties: INodeProperties[] = updateDisplayOptions({ show: { operation: ['send'] } }, [
	targetProperty,
	...sessionProperties,
	...appRobotProperties,
	messageTypeProperty,
	...textProperties,
	...markdownProperties,
	...linkProperties,
	...actionCardProperties,
	...feedCardProperties,
	...imageProperties,
	...fileProperties,
	...jsonProperties,
	mentionsProperty,
	optionsProperty,
]);
