import { describe, expect, it } from 'vitest';
import { parseStanzas } from '../../../src/installer/apt/deb822.js';
import { releaseChecksums } from '../../../src/installer/apt/release.js';
import { agentPackages } from '../../../src/installer/apt/versions.js';

const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);

const RELEASE = `Origin: Datadog, Inc.
Suite: stable
Components: 6 7
MD5Sum:
 0123456789abcdef0123456789abcdef 1154 6/binary-amd64/Packages
SHA256:
 ${SHA_A}             4032 7/binary-amd64/Packages
 ${SHA_B.toUpperCase()}              1484 7/binary-amd64/Packages.gz
 not-a-hash 12 7/binary-amd64/Bogus
`;

describe('deb822 parsing', () => {
  it('splits paragraphs on blank lines and keeps continuation lines of a field', () => {
    const stanzas = parseStanzas('A: 1\nB: two\n words\n\n\nA: 3\r\n');
    expect(stanzas).toHaveLength(2);
    expect(stanzas[0]!.get('B')).toBe('two\nwords');
    expect(stanzas[1]!.get('A')).toBe('3');
  });

  it('keeps colons inside values and skips lines that are not fields', () => {
    const [stanza] = parseStanzas('Version: 1:7.81.2-1\nnot a field\nFilename: pool/x.deb\n');
    expect(stanza!.get('Version')).toBe('1:7.81.2-1');
    expect(stanza!.get('Filename')).toBe('pool/x.deb');
    expect(stanza!.size).toBe(2);
  });

  it('gives nothing for empty or blank input', () => {
    expect(parseStanzas('')).toEqual([]);
    expect(parseStanzas('\n\n  \n')).toEqual([]);
  });
});

describe('Release checksums', () => {
  it('reads the SHA256 table only, lower-casing hashes and dropping malformed rows', () => {
    const files = releaseChecksums(RELEASE);
    expect([...files.keys()]).toEqual(['7/binary-amd64/Packages', '7/binary-amd64/Packages.gz']);
    expect(files.get('7/binary-amd64/Packages')).toEqual({ sha256: SHA_A, size: 4032 });
    expect(files.get('7/binary-amd64/Packages.gz')).toEqual({ sha256: SHA_B, size: 1484 });
    expect(files.has('6/binary-amd64/Packages')).toBe(false);
  });

  it('is empty for a Release without SHA256', () => {
    expect(releaseChecksums('Suite: stable\n').size).toBe(0);
  });
});

describe('agent packages of a Packages index', () => {
  const entry = (fields: Record<string, string>) => Object.entries(fields).map(([k, v]) => `${k}: ${v}`).join('\n');
  const index = [
    entry({ Package: 'datadog-agent', Version: '1:7.81.2-1', Filename: 'pool/d/datadog-agent_7.81.2-1_amd64.deb', Size: '123', SHA256: SHA_A }),
    entry({ Package: 'datadog-heroku-agent', Version: '7.70.0-1', Filename: 'pool/h.deb', Size: '9', SHA256: SHA_B.toUpperCase() }),
    entry({ Package: 'datadog-iot-agent', Version: '1:7.81.2-1', Filename: 'pool/i.deb', Size: '1', SHA256: SHA_A }),
    entry({ Package: 'datadog-agent', Version: '1:7.1.0-1', Filename: 'pool/no-sha.deb', Size: '1' }),
    entry({ Package: 'datadog-agent', Version: '1:7.2.0-1', Filename: '../../etc/passwd', Size: '1', SHA256: SHA_A }),
    entry({ Package: 'datadog-agent', Version: '1:7.3.0-1', Filename: 'pool/x.deb', Size: 'big', SHA256: SHA_A }),
  ].join('\n\n');

  it('keeps the two agent packages, epoch removed, with size and SHA256', () => {
    expect(agentPackages(parseStanzas(index))).toEqual([
      { name: 'datadog-agent', version: '7.81.2-1', filename: 'pool/d/datadog-agent_7.81.2-1_amd64.deb', size: 123, sha256: SHA_A },
      { name: 'datadog-heroku-agent', version: '7.70.0-1', filename: 'pool/h.deb', size: 9, sha256: SHA_B },
    ]);
  });
});
