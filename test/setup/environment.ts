/**
 * n8n-core reads its settings from N8N_USER_FOLDER when it is first imported: give every test
 * file a throw-away one, so tests never touch ~/.n8n and run the same on any machine.
 */
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

process.env.N8N_USER_FOLDER = mkdtempSync(join(tmpdir(), 'n8n-dingtalk-test-'));
process.env.N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS = 'false';
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
