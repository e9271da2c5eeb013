import { loadConfig, type ConfigFlags } from '../config/config.js';
import { createOutdial } from '../main.js';
import { DEMO } from '../services/seed.js';

/** `outdial serve`: starts, prints one ready line, and stops cleanly on SIGTERM/SIGINT. */
export async function runServe(flags: ConfigFlags): Promise<void> {
  const config = loadConfig({ flags, env: process.env });
  const outdial = await createOutdial(config);
  // Before the ready line: whoever waits for it may signal at once.
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    outdial
      .close()
      .then(() => {
        process.stdout.write(`outdial stopped (${signal})\n`);
        process.exit(0);
      })
      .catch((error: unknown) => {
        process.stderr.write(`outdial: shutdown failed: ${String(error)}\n`);
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  const url = await outdial.listen();
  const hint = config.demo
    ? ` · demo call: aws connect start-outbound-voice-contact --endpoint-url ${url} --instance-id ${DEMO.instanceId} --contact-flow-id ${DEMO.flowId} --queue-id ${DEMO.queueId} --destination-phone-number +12065550100` +
      ` · agent console: ${url}/console/ (${DEMO.agentUsername} / ${DEMO.agentPassword})`
    : '';
  const keys = config.usingLocalCredentials
    ? ` (local keys: AWS_ACCESS_KEY_ID=${config.credentials[0]?.accessKeyId} AWS_SECRET_ACCESS_KEY=${config.credentials[0]?.secretAccessKey})`
    : '';
  process.stdout.write(`outdial listening on ${url}${hint}${keys}\n`);
}
