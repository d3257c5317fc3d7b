// Sockets that outlive the agent process: in a builtin dyno the supervisor (src/runtime/supervisor.pl)
// binds the DogStatsD UDP socket, the DogStatsD Unix socket and the trace receiver's listening TCP
// socket before it first starts the agent, and hands them to every agent it starts as inherited file
// descriptors, named by one variable:
//   DD_BUILDPACK_INHERITED_SOCKETS='udp=3,unix=4,apm=5'   (any subset; descriptors of this process)
// What arrives while the agent restarts then waits in the kernel (the datagram queues, the listen
// backlog) for the next agent. Without the variable (agent run by hand, tests) everything binds as before.

export const INHERITED_SOCKETS_VARIABLE = 'DD_BUILDPACK_INHERITED_SOCKETS';

export type InheritedSocketKind = 'udp' | 'unix' | 'apm';

export type InheritedSockets = Partial<Record<InheritedSocketKind, number>>;

/** The descriptors the variable names; malformed entries are ignored (the agent then binds itself). */
export function inheritedSockets(env: NodeJS.ProcessEnv = process.env): InheritedSockets {
  const out: InheritedSockets = {};
  for (const entry of (env[INHERITED_SOCKETS_VARIABLE] ?? '').split(',')) {
    const match = /^\s*(udp|unix|apm)=(\d{1,4})\s*$/.exec(entry);
    if (match === null) continue;
    const fd = Number(match[2]);
    if (fd >= 3) out[match[1] as InheritedSocketKind] = fd;
  }
  return out;
}

/** The variable's value for `sockets`, in the order udp, unix, apm. */
export function formatInheritedSockets(sockets: InheritedSockets): string {
  return (['udp', 'unix', 'apm'] as const).flatMap((kind) => (sockets[kind] === undefined ? [] : [`${kind}=${sockets[kind]}`])).join(',');
}
