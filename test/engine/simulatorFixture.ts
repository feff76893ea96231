/** One DingTalk simulator per engine test file, on 127.0.0.1, reset before each test. */
import { appCallPacer } from '../../nodes/DingTalkRobot/transport/callPacer';
import { robotRateLimiter } from '../../nodes/DingTalkRobot/transport/rateLimiter';
import { stopN8nTimers } from '../../scripts/lib/n8nEngine';
import { DingTalkSimulator, type RobotOptions, type SimulatorOptions } from '../../simulator';

/**
 * One time scale for the simulator and the node's rate limiter, so paced runs take seconds,
 * not minutes: DingTalk's 20 per 60 s window and 10-minute throttle become 20 per 1.5 s and 3 s.
 * The margin is larger in proportion than DingTalk's (1 s a minute): on a loaded test machine a
 * timer can fire 100 ms late, which a real minute absorbs and a 1.5 s window does not.
 */
export const TEST_TIMING = { windowMs: 1500, marginMs: 300, throttleMs: 3000, retryBaseMs: 10, retryMaxMs: 50 };
export const SIMULATOR_RATE_LIMIT = { perWindow: 20, windowMs: TEST_TIMING.windowMs, throttleMs: TEST_TIMING.throttleMs };

export const SIGNED_ROBOT = { accessToken: 'signedRobotToken', secret: 'SECsignedRobotSecret0123456789' };
export const PLAIN_ROBOT = { accessToken: 'plainRobotToken' };
export const KEYWORD_ROBOT = { accessToken: 'keywordRobotToken', keywords: ['alert', '监控报警'] };

export function useSimulator(options: SimulatorOptions = {}, robots: RobotOptions[] = [SIGNED_ROBOT, PLAIN_ROBOT, KEYWORD_ROBOT]) {
	const sim = new DingTalkSimulator({ rateLimit: SIMULATOR_RATE_LIMIT, ...options });
	robots.forEach((robot) => sim.addRobot(robot));
	beforeAll(async () => {
		await sim.start({ host: '127.0.0.1', port: 0 });
	});
	afterAll(async () => {
		await sim.stop();
		// n8n-core leaves an interval running (see stopN8nTimers) that would keep jest from exiting
		stopN8nTimers();
	});
	beforeEach(() => {
		sim.reset();
		robotRateLimiter.configure(TEST_TIMING);
		appCallPacer.configure();
	});
	return sim;
}

/**
 * The credential fields of a robot of the simulator: its webhook URL, and the simulator's
 * host:port as a Plain HTTP Host (the simulator has no TLS; DingTalk itself is https only).
 */
export function simulatorWebhook(sim: DingTalkSimulator, accessToken: string) {
	return { accessToken: sim.webhookUrl(accessToken), plainHttpHosts: sim.host ?? '' };
}
