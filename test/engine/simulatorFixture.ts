/** One DingTalk simulator per engine test file, on 127.0.0.1, reset before each test. */
import { stopN8nTimers } from '../../scripts/lib/n8nEngine';
import { DingTalkSimulator, type RobotOptions, type SimulatorOptions } from '../../simulator';

export const SIGNED_ROBOT = { accessToken: 'signedRobotToken', secret: 'SECsignedRobotSecret0123456789' };
export const PLAIN_ROBOT = { accessToken: 'plainRobotToken' };
export const KEYWORD_ROBOT = { accessToken: 'keywordRobotToken', keywords: ['alert', '监控报警'] };

export function useSimulator(options?: SimulatorOptions, robots: RobotOptions[] = [SIGNED_ROBOT, PLAIN_ROBOT, KEYWORD_ROBOT]) {
	const sim = new DingTalkSimulator(options);
	robots.forEach((robot) => sim.addRobot(robot));
	beforeAll(async () => {
		await sim.start({ host: '127.0.0.1', port: 0 });
	});
	afterAll(async () => {
		await sim.stop();
		// n8n-core leaves an interval running (see stopN8nTimers) that would keep jest from exiting
		stopN8nTimers();
	});
	beforeEach(() => sim.reset());
	return sim;
}
