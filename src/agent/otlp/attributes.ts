// Resource and attribute rules shared by the OTLP translators, as the Datadog mapping has them
// (opentelemetry-mapping-go pkg/otlp/attributes): AnyValue as text (pdata's AsString and Str),
// the resource's host (datadog.host.name, cloud and Kubernetes rules, host.id, host.name), the
// few resource attributes that always become tags (service, env, version, containers, cloud,
// Kubernetes, process, os.type) and the instrumentation scope as tags.
import { asString as anyValueToString } from './any-value.js';
import type { AnyValue, InstrumentationScope, KeyValue } from './model.js';

/** pdata `Value.AsString()`, one implementation for both translators (any-value.ts). */
export { anyValueToString };

/** Attributes by key, the first of duplicate keys winning (as pdata's Map.Get finds it). */
export function attributeMap(attributes: readonly KeyValue[]): Map<string, AnyValue> {
  const map = new Map<string, AnyValue>();
  for (const { key, value } of attributes) if (!map.has(key)) map.set(key, value);
  return map;
}

/** pdata `Value.Str()`: the string, '' for any other kind. */
export function anyValueStr(value: AnyValue | undefined): string {
  return value?.kind === 'string' ? value.value : '';
}

/** `key:value`, with `n/a` for an empty value (a tag may not end with ':'). */
export function formatKeyValueTag(key: string, value: string): string {
  return `${key}:${value === '' ? 'n/a' : value}`;
}

/** Every attribute as a `key:value` tag (datapoint attributes, or resource ones with resource_attributes_as_tags). */
export function attributeTags(attributes: readonly KeyValue[]): string[] {
  const tags: string[] = [];
  for (const { key, value } of attributes) tags.push(formatKeyValueTag(key, anyValueToString(value)));
  return tags;
}

/** Hostnames that name no host: a resource reporting one has no host. */
const INVALID_HOSTS = new Set(['0.0.0.0', '127.0.0.1', 'localhost', 'localhost.localdomain', 'localhost6.localdomain6', 'ip6-localhost']);

/**
 * The host a resource names, '' when none (then the agent's hostname applies): `host`, then
 * `datadog.host.name`, none on ECS Fargate, the cloud provider's rule (aws: host.id; gcp:
 * host.name.cloud.account.id; azure: host.id, else host.name), then k8s.node.name(-cluster),
 * host.id, host.name.
 */
export function resourceHost(attributes: readonly KeyValue[]): string {
  const attrs = attributeMap(attributes);
  const host = unsanitizedHost(attrs);
  return host === undefined || INVALID_HOSTS.has(host) ? '' : host;
}

function unsanitizedHost(attrs: Map<string, AnyValue>): string | undefined {
  const literal = attrs.get('host');
  if (literal !== undefined) return anyValueToString(literal);
  const custom = attrs.get('datadog.host.name');
  if (custom !== undefined) return anyValueStr(custom);
  if (anyValueStr(attrs.get('aws.ecs.launchtype')) === 'fargate') return undefined;
  const provider = attrs.has('cloud.provider') ? anyValueStr(attrs.get('cloud.provider')) : undefined;
  switch (provider) {
    case 'aws':
      return attrs.has('host.id') ? anyValueStr(attrs.get('host.id')) : undefined;
    case 'gcp': {
      if (!attrs.has('host.name') || !attrs.has('cloud.account.id')) return undefined;
      let name = anyValueStr(attrs.get('host.name'));
      if (name.split('.').length - 1 >= 3) name = name.slice(0, name.indexOf('.'));
      return `${name}.${anyValueStr(attrs.get('cloud.account.id'))}`;
    }
    case 'azure':
      if (attrs.has('host.id')) return anyValueStr(attrs.get('host.id'));
      return attrs.has('host.name') ? anyValueStr(attrs.get('host.name')) : undefined;
  }
  const node = attrs.get('k8s.node.name');
  if (node !== undefined) {
    const cluster = clusterName(attrs, provider);
    return cluster === undefined ? anyValueStr(node) : `${anyValueStr(node)}-${cluster}`;
  }
  if (attrs.has('host.id')) return anyValueStr(attrs.get('host.id'));
  if (attrs.has('host.name')) return anyValueStr(attrs.get('host.name'));
  return undefined;
}

function clusterName(attrs: Map<string, AnyValue>, provider: string | undefined): string | undefined {
  if (attrs.has('k8s.cluster.name')) return anyValueStr(attrs.get('k8s.cluster.name'));
  if (provider === 'azure') {
    const parts = anyValueStr(attrs.get('azure.resourcegroup.name')).split('_');
    if (parts.length < 4 || parts[0]!.toLowerCase() !== 'mc') return undefined;
    return parts[parts.length - 2];
  }
  if (provider === 'aws') {
    let found: string | undefined;
    for (const key of attrs.keys()) {
      if (key.startsWith('ec2.tag.kubernetes.io/cluster/')) found = key.split('/')[2];
    }
    return found;
  }
  return undefined;
}

/** Unified service tagging: always mapped, whatever resource_attributes_as_tags says. */
const CORE_MAPPING: Readonly<Record<string, string>> = {
  'deployment.environment': 'env',
  'deployment.environment.name': 'env',
  'service.name': 'service',
  'service.version': 'version',
};

const CONTAINER_MAPPING: Readonly<Record<string, string>> = {
  'container.id': 'container_id',
  'container.name': 'container_name',
  'container.image.name': 'image_name',
  'container.image.tag': 'image_tag',
  'container.runtime': 'runtime',
  'cloud.provider': 'cloud_provider',
  'cloud.region': 'region',
  'cloud.availability_zone': 'zone',
  'aws.ecs.task.family': 'task_family',
  'aws.ecs.task.arn': 'task_arn',
  'aws.ecs.cluster.arn': 'ecs_cluster_name',
  'aws.ecs.task.revision': 'task_version',
  'aws.ecs.container.arn': 'ecs_container_name',
  'k8s.container.name': 'kube_container_name',
  'k8s.cluster.name': 'kube_cluster_name',
  'k8s.deployment.name': 'kube_deployment',
  'k8s.replicaset.name': 'kube_replica_set',
  'k8s.statefulset.name': 'kube_stateful_set',
  'k8s.daemonset.name': 'kube_daemon_set',
  'k8s.job.name': 'kube_job',
  'k8s.cronjob.name': 'kube_cronjob',
  'k8s.namespace.name': 'kube_namespace',
  'k8s.pod.name': 'pod_name',
};

const KUBERNETES_MAPPING: Readonly<Record<string, string>> = {
  'tags.datadoghq.com/env': 'env',
  'tags.datadoghq.com/service': 'service',
  'tags.datadoghq.com/version': 'version',
  'app.kubernetes.io/name': 'kube_app_name',
  'app.kubernetes.io/instance': 'kube_app_instance',
  'app.kubernetes.io/version': 'kube_app_version',
  'app.kuberenetes.io/component': 'kube_app_component',
  'app.kubernetes.io/part-of': 'kube_app_part_of',
  'app.kubernetes.io/managed-by': 'kube_app_managed_by',
};

/** Datadog's out-of-the-box Kubernetes tag names: a resource attribute of that very name is a tag as it is. */
const DATADOG_TAG_NAMES = new Set(
  (
    'architecture availability-zone chronos_job chronos_job_owner cluster_name container_id container_name ' +
    'dd_remote_config_id dd_remote_config_rev display_container_name docker_image ecs_cluster_name ' +
    'ecs_container_name eks_fargate_node env git.commit.sha git.repository_url image_id image_name image_tag ' +
    'kube_app_component kube_app_instance kube_app_managed_by kube_app_name kube_app_part_of kube_app_version ' +
    'kube_container_name kube_cronjob kube_daemon_set kube_deployment kube_job kube_namespace kube_ownerref_kind ' +
    'kube_ownerref_name kube_priority_class kube_qos kube_replica_set kube_replication_controller kube_service ' +
    'kube_stateful_set language marathon_app mesos_task nomad_dc nomad_group nomad_job nomad_namespace nomad_task ' +
    'oshift_deployment oshift_deployment_config os_name os_version persistentvolumeclaim pod_name pod_phase ' +
    'rancher_container rancher_service rancher_stack region service short_image swarm_namespace swarm_service ' +
    'task_name task_family task_version task_arn version'
  ).split(' '),
);

const CUSTOM_CONTAINER_TAG_PREFIX = 'datadog.container.tag.';

/** The first of these a resource has identifies its process (one tag, not four). */
const PROCESS_KEYS = ['process.executable.name', 'process.executable.path', 'process.command', 'process.command_line'] as const;

/** The resource attributes that become tags on every metric, as the mapping's TagsFromAttributes picks them. */
export function resourceTags(attributes: readonly KeyValue[]): string[] {
  const tags: string[] = [];
  const process = new Map<string, string>();
  let osType = '';
  const container = new Map<string, string>();
  for (const { key, value } of attributes) {
    const str = anyValueStr(value);
    if ((PROCESS_KEYS as readonly string[]).includes(key)) process.set(key, str);
    if (key === 'os.type') osType = str;
    const core = CORE_MAPPING[key];
    if (core !== undefined && str !== '') tags.push(`${core}:${str}`);
    const kube = KUBERNETES_MAPPING[key];
    if (kube !== undefined && str !== '') tags.push(`${kube}:${str}`);
    // The mapping would emit `key:` for a non-string value; an empty tag value is left out here.
    if (DATADOG_TAG_NAMES.has(key) && str !== '') tags.push(`${key}:${str}`);
    const mapped = CONTAINER_MAPPING[key];
    if (mapped !== undefined && str !== '') container.set(mapped, str);
  }
  for (const { key, value } of attributes) {
    if (!key.startsWith(CUSTOM_CONTAINER_TAG_PREFIX)) continue;
    const custom = key.slice(CUSTOM_CONTAINER_TAG_PREFIX.length);
    const str = anyValueStr(value);
    if (custom !== '' && str !== '' && !container.has(custom)) container.set(custom, str);
  }
  for (const [key, value] of container) tags.push(`${key}:${value}`);
  for (const key of PROCESS_KEYS) {
    const value = process.get(key);
    if (value !== undefined && value !== '') {
      tags.push(`${key}:${value}`);
      break;
    }
  }
  if (osType !== '') tags.push(`os.type:${osType}`);
  return tags;
}

/** `container_id://…` or `kubernetes_pod_uid://…`: part of a series' identity in the cumulative cache. */
export function originId(attributes: readonly KeyValue[]): string {
  const attrs = attributeMap(attributes);
  const container = attrs.get('container.id');
  if (container !== undefined) return `container_id://${anyValueToString(container)}`;
  const pod = attrs.get('k8s.pod.uid');
  if (pod !== undefined) return `kubernetes_pod_uid://${anyValueToString(pod)}`;
  return '';
}

/** `instrumentation_scope:`, `instrumentation_scope_version:` and the scope's attributes. */
export function scopeTags(scope: InstrumentationScope): string[] {
  return [
    formatKeyValueTag('instrumentation_scope', scope.name),
    formatKeyValueTag('instrumentation_scope_version', scope.version),
    ...attributeTags(scope.attributes),
  ];
}
