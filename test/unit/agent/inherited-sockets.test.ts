// DD_BUILDPACK_INHERITED_SOCKETS, as supervisor.pl writes it and the agent reads it; the supervisor's
// socket arguments as `agent-wrapper start` computes them.
import { describe, expect, it } from 'vitest';
import { formatInheritedSockets, inheritedSockets, INHERITED_SOCKETS_VARIABLE } from '../../../src/agent/dogstatsd/inherited-sockets.js';
import { perlSupervisorArgs } from '../../../src/runtime/perl-supervisor.js';

const agent = { name: 'agent', command: 'node', program: 'agent.js', args: ['agent.js', 'run'], needsAuthToken: false };

describe('DD_BUILDPACK_INHERITED_SOCKETS', () => {
  it('names each socket by kind; absent or empty means none (the agent binds itself)', () => {
    expect(inheritedSockets({ [INHERITED_SOCKETS_VARIABLE]: 'udp=3,unix=4,apm=5' })).toEqual({ udp: 3, unix: 4, apm: 5 });
    expect(inheritedSockets({ [INHERITED_SOCKETS_VARIABLE]: 'apm=7' })).toEqual({ apm: 7 });
    expect(inheritedSockets({})).toEqual({});
    expect(inheritedSockets({ [INHERITED_SOCKETS_VARIABLE]: '' })).toEqual({});
  });

  it('ignores what it does not understand, and the standard descriptors', () => {
    expect(inheritedSockets({ [INHERITED_SOCKETS_VARIABLE]: 'udp=1,tcp=5,unix=x,apm=-1, udp=9 ,' })).toEqual({ udp: 9 });
  });

  it('round-trips', () => {
    expect(formatInheritedSockets({ apm: 5, udp: 3 })).toBe('udp=3,apm=5');
    expect(inheritedSockets({ [INHERITED_SOCKETS_VARIABLE]: formatInheritedSockets({ udp: 3, unix: 4, apm: 5 }) })).toEqual({ udp: 3, unix: 4, apm: 5 });
  });
});

describe('perlSupervisorArgs: the sockets held across restarts', () => {
  it('passes UDP, the Unix socket, SO_RCVBUF and the trace receiver before the command', () => {
    const args = perlSupervisorArgs({
      process: agent,
      level: 'info',
      sockets: { udp: { address: '127.0.0.1', port: 8125 }, unixSocket: '/app/dsd.socket', receiveBuffer: 4194304, apm: { address: '0.0.0.0', port: 8126 } },
    });
    expect(args.slice(args.indexOf('--') - 4)).toEqual(['--udp=127.0.0.1:8125', '--unix-socket=/app/dsd.socket', '--rcvbuf=4194304', '--apm=0.0.0.0:8126', '--', 'node', 'agent.js', 'run']);
  });

  it('without sockets (or with the trace receiver alone, no SO_RCVBUF), nothing more', () => {
    expect(perlSupervisorArgs({ process: agent, level: 'info' }).filter((a) => /^--(udp|unix-socket|rcvbuf|apm)=/.test(a))).toEqual([]);
    expect(perlSupervisorArgs({ process: agent, level: 'info', sockets: { receiveBuffer: 1000, apm: { address: '127.0.0.1', port: 1 } } }).filter((a) => /^--(udp|unix-socket|rcvbuf|apm)=/.test(a))).toEqual(['--apm=127.0.0.1:1']);
  });
});
