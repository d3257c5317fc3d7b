// Resource to host and tags, as opentelemetry-mapping-go's attributes package has them, and
// how the translator applies them (resource_attributes_as_tags, instrumentation scope tags).
import { describe, expect, it } from 'vitest';
import { anyValueToString, resourceHost, resourceTags, scopeTags } from '../../../src/agent/otlp/attributes.js';
import { MetricsTranslator } from '../../../src/agent/otlp/metrics/index.js';
import type { AnyValue } from '../../../src/agent/otlp/model.js';
import { attrs, metric, numberPoint, RecordingConsumer, request, sec } from './metrics-helpers.js';

describe('resource host', () => {
  it.each<[string, Record<string, string | AnyValue>, string]>([
    ['none', {}, ''],
    ['host.name', { 'host.name': 'web-1' }, 'web-1'],
    ['datadog.host.name wins over host.name', { 'host.name': 'web-1', 'datadog.host.name': 'dd-host' }, 'dd-host'],
    ['the literal host attribute wins over all', { host: 'literal', 'datadog.host.name': 'dd-host' }, 'literal'],
    ['host.id before host.name', { 'host.id': 'i-123', 'host.name': 'web-1' }, 'i-123'],
    ['aws: host.id', { 'cloud.provider': 'aws', 'host.id': 'i-abc', 'host.name': 'ip-10-0-0-1' }, 'i-abc'],
    ['gcp: short host name and project', { 'cloud.provider': 'gcp', 'host.name': 'vm.c.project.internal', 'cloud.account.id': 'project' }, 'vm.project'],
    ['azure: host.id', { 'cloud.provider': 'azure', 'host.id': 'vm-id', 'host.name': 'vm' }, 'vm-id'],
    ['kubernetes node with cluster', { 'k8s.node.name': 'node-1', 'k8s.cluster.name': 'prod' }, 'node-1-prod'],
    ['ECS Fargate has none', { 'aws.ecs.launchtype': 'fargate', 'host.name': 'x' }, ''],
    ['localhost is no host', { 'host.name': 'localhost' }, ''],
    ['a non-string literal host', { host: { kind: 'int', value: 7n } }, '7'],
  ])('%s', (_, record, host) => {
    expect(resourceHost(attrs(record))).toBe(host);
  });
});

describe('resource tags', () => {
  it('always maps unified service tagging and the semantic conventions, nothing else', () => {
    const tags = resourceTags(
      attrs({
        'service.name': 'checkout',
        'service.version': '1.2.3',
        'deployment.environment.name': 'prod',
        'container.id': 'abc',
        'k8s.pod.name': 'pod-1',
        'cloud.region': 'eu-west-1',
        'process.executable.name': 'node',
        'process.command': 'node app.js',
        'os.type': 'linux',
        'datadog.container.tag.team': 'core',
        'app.kubernetes.io/name': 'shop',
        'custom.attribute': 'not a tag',
        'host.name': 'web-1',
      }),
    ).sort();
    expect(tags).toEqual(
      [
        'service:checkout',
        'version:1.2.3',
        'env:prod',
        'container_id:abc',
        'pod_name:pod-1',
        'region:eu-west-1',
        'process.executable.name:node',
        'os.type:linux',
        'team:core',
        'kube_app_name:shop',
      ].sort(),
    );
  });

  it('deployment.environment (older convention) maps to env too', () => {
    expect(resourceTags(attrs({ 'deployment.environment': 'staging' }))).toEqual(['env:staging']);
  });

  it('prints values as pdata AsString does', () => {
    expect(anyValueToString({ kind: 'int', value: 42n })).toBe('42');
    expect(anyValueToString({ kind: 'double', value: 1.5 })).toBe('1.5');
    expect(anyValueToString({ kind: 'bool', value: true })).toBe('true');
    expect(anyValueToString({ kind: 'array', values: [{ kind: 'string', value: 'a<b' }, { kind: 'int', value: 1n }] })).toBe('["a\\u003cb",1]');
    expect(anyValueToString({ kind: 'kvlist', values: [{ key: 'z', value: { kind: 'bool', value: false } }, { key: 'a', value: { kind: 'empty' } }] })).toBe('{"a":null,"z":false}');
    expect(scopeTags({ name: 'lib', version: '', attributes: [] })).toEqual(['instrumentation_scope:lib', 'instrumentation_scope_version:n/a']);
  });
});

describe('translator tags', () => {
  const resource = attrs({ 'service.name': 'checkout', 'custom.attribute': 'x', 'host.name': 'web-1' });
  const scope = { name: 'my.lib', version: '1.0.0', attributes: [] };
  const gauge = metric('g', { type: 'gauge', dataPoints: [numberPoint(1, sec(1), { attributes: attrs({ 'custom.attribute': 'point', route: '/a', empty: '' }) })] });

  function tags(options: ConstructorParameters<typeof MetricsTranslator>[0]): { tags: string[]; host: string } {
    const c = new RecordingConsumer();
    new MetricsTranslator(options).consume(request([gauge], resource, scope), c);
    return { tags: c.series[0]!.tags, host: c.series[0]!.host };
  }

  it('by default: point attributes, semantic resource tags, instrumentation scope; host from the resource', () => {
    expect(tags({})).toEqual({
      tags: ['custom.attribute:point', 'empty:n/a', 'instrumentation_scope:my.lib', 'instrumentation_scope_version:1.0.0', 'route:/a', 'service:checkout'],
      host: 'web-1',
    });
  });

  it('resource_attributes_as_tags adds every resource attribute, overriding a point attribute of the same key', () => {
    expect(tags({ resourceAttributesAsTags: true, instrumentationScopeMetadataAsTags: false }).tags).toEqual(
      ['custom.attribute:x', 'empty:n/a', 'host.name:web-1', 'route:/a', 'service.name:checkout', 'service:checkout'].sort(),
    );
  });
});
