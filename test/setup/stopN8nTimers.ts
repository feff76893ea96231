import { stopN8nTimers } from '../../scripts/lib/n8nEngine';

// see stopN8nTimers: n8n-core leaves an interval running that would keep jest from exiting
afterAll(() => stopN8nTimers());
