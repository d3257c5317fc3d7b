// A minimal compiled slug in a temp dir: build.json and, for the official flavour, the package's config files.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SLUG } from '../../../src/constants.js';
import { buildInfoPath } from '../../../src/build-info.js';

const created: string[] = [];
afterAll(() => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

export function fakeSlug(flavor: 'official' | 'builtin', example = '# example\napi_key:\n# confd_path: /etc/datadog-agent/conf.d\n# apm_config:\n#   enabled: true\n'): string {
  const home = mkdtempSync(join(tmpdir(), 'dd-runtime-'));
  created.push(home);
  mkdirSync(join(home, SLUG.buildpackRoot), { recursive: true });
  writeFileSync(buildInfoPath(home), JSON.stringify({ buildpackVersion: '0.1.0', flavor, apmEnabled: true, processAgent: false, node: 'node' }));
  const conf = join(home, SLUG.confDir);
  mkdirSync(join(conf, 'conf.d', 'cpu.d'), { recursive: true });
  mkdirSync(join(conf, 'conf.d', 'disk.d'), { recursive: true });
  writeFileSync(join(conf, 'conf.d', 'cpu.d', 'conf.yaml.default'), 'instances: [{}]\n');
  writeFileSync(join(conf, 'conf.d', 'disk.d', 'conf.yaml.default'), 'instances: [{}]\n');
  if (flavor === 'official') writeFileSync(join(conf, 'datadog.yaml.example'), example);
  return home;
}
