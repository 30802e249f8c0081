/**
 * `npm start`: one server on one port with the API, on an embedded SQLite file by default.
 */
import { loadConfig } from './config.ts';
import { createServer } from './server.ts';

const config = loadConfig();
const server = await createServer(config, { logger: { level: config.logLevel } });
await server.app.listen({ port: config.port, host: config.host });
server.runner.start();
if (server.generatedAdminPassword) {
  // Printed once, on the first start of an empty database; store it or set LOOPDESK_ADMIN_PASSWORD.
  console.log(`\n  First start: created user "admin" with password ${server.generatedAdminPassword}\n`);
}
const address = server.app.server.address();
const where = typeof address === 'object' && address ? `http://${config.host}:${address.port}` : String(address);
console.log(`Loopdesk ${where}  (API ${where}/api, docs ${where}/api/docs, database ${config.database.kind}${config.manualClock ? ', manual clock' : ''})`);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    try {
      await server.close();
      process.exit(0);
    } catch (err) {
      console.error('shutdown failed', err);
      process.exit(1);
    }
  });
}
