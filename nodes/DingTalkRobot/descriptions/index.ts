import type { INodeProperties } from 'n8n-workflow';

import { actionCardProperties } from './actionCard';
import { feedCardProperties } from './feedCard';
import { imageProperties } from './image';
import { jsonProperties } from './json';
import { linkProperties } from './link';
import { markdownProperties } from './markdown';
import { mentionsProperty } from './mentions';
import { messageTypeProperty } from './messageType';
import { optionsProperty } from './options';
import { sessionProperties, targetProperty } from './target';
import { textProperties } from './text';

export const dingTalkRobotProperties: INodeProperties[] = [
	targetProperty,
	...sessionProperties,
	messageTypeProperty,
	...textProperties,
	...markdownProperties,
	...linkProperties,
	...actionCardProperties,
	...feedCardProperties,
	...imageProperties,
	...jsonProperties,
	mentionsProperty,
	optionsProperty,
];
