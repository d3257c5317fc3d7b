// gunicorn, as integrations-core's check runs it: the arbiter found by its setproctitle title,
// gunicorn.workers for its children by state (working/idle), and gunicorn.is_running, all
// tagged app:<proc_name>. Request and log metrics come from gunicorn's --statsd-host instead.
import type { Logger } from '../../../log.js';
import { CRITICAL, CheckConfigError, OK, stringSetting, type Check, type CheckConfig, type CheckDefinition, type Sender } from '../check.js';
import { DEFAULT_PROCFS } from '../process/proc.js';
import { countWorkers, findArbiters, masterTitle } from './workers.js';

const SERVICE_CHECK = 'gunicorn.is_running';

class GunicornCheck implements Check {
  private readonly tags: readonly string[];

  constructor(
    private readonly procName: string,
    private readonly logger: Logger,
    private readonly procfs = DEFAULT_PROCFS,
  ) {
    this.tags = [`app:${procName}`];
  }

  async run(sender: Sender, signal: AbortSignal): Promise<void> {
    const { procName, tags } = this;
    const { masters, workers } = await findArbiters(this.procfs, procName, this.logger, signal);
    if (masters.length === 0) {
      sender.serviceCheck(SERVICE_CHECK, CRITICAL, tags, `No gunicorn process with name ${procName} found, skipping worker metrics`);
      throw new Error(`Found no master process with name: ${masterTitle(procName)}`);
    }
    const { working, idle } = await countWorkers(this.procfs, workers, this.logger, signal);
    this.logger.debug(`gunicorn: instance ${procName} procs - working:${working} idle:${idle}`);
    if (working === 0 && idle === 0) sender.serviceCheck(SERVICE_CHECK, CRITICAL, tags, `${working} working and ${idle} idle workers for ${procName}`);
    else sender.serviceCheck(SERVICE_CHECK, OK, tags);
    sender.gauge('gunicorn.workers', working, [...tags, 'state:working']);
    sender.gauge('gunicorn.workers', idle, [...tags, 'state:idle']);
  }
}

export const definition: CheckDefinition = {
  name: 'gunicorn',
  create(config: CheckConfig): Check {
    const procName = stringSetting(config.instance, 'proc_name');
    if (procName === undefined || procName === '') throw new CheckConfigError('instance must specify: proc_name (the name given with gunicorn --name or proc_name in its config)');
    return new GunicornCheck(procName, config.logger);
  },
};
