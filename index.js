'use strict';
// The package's main entry: n8n loads the classes through the "n8n" section of package.json;
// this makes them reachable with require('n8n-nodes-dingtalk-robot') as well.
const { DingTalkRobot } = require('./dist/nodes/DingTalkRobot/DingTalkRobot.node');
const { DingTalkRobotTrigger } = require('./dist/nodes/DingTalkRobotTrigger/DingTalkRobotTrigger.node');
const { DingTalkStreamTrigger } = require('./dist/nodes/DingTalkStreamTrigger/DingTalkStreamTrigger.node');
const { DingTalkAiCard } = require('./dist/nodes/DingTalkAiCard/DingTalkAiCard.node');
const { DingTalkRobotApi } = require('./dist/credentials/DingTalkRobotApi.credentials');
const { DingTalkRobotCallbackApi } = require('./dist/credentials/DingTalkRobotCallbackApi.credentials');
const { DingTalkAppApi } = require('./dist/credentials/DingTalkAppApi.credentials');
const signing = require('./dist/credentials/signing');

module.exports = {
	DingTalkRobot,
	DingTalkRobotTrigger,
	DingTalkRobotApi,
	DingTalkRobotCallbackApi,
	DingTalkStreamTrigger,
	DingTalkAiCard,
	DingTalkAppApi,
	computeDingTalkSign: signing.computeDingTalkSign,
	signWebhookUrl: signing.signWebhookUrl,
	parseRobotWebhook: signing.parseRobotWebhook,
};
