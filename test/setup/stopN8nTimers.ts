/**
 * n8n-core's SSH tunnel manager starts a one-minute cleanup interval the first time an execute
 * context is built; in the n8n server it is stopped at shutdown. Stop it when a test file ends
 * so jest can exit.
 */
import { Container } from '@n8n/di';
import { SSHClientsManager } from 'n8n-core/dist/execution-engine/ssh-clients-manager';

afterAll(() => {
	if (Container.has(SSHClientsManager)) Container.get(SSHClientsManager).onShutdown();
});
