import { expect } from 'chai';
import { isPortolanError } from '../../src/errors.js';
import { parseAllowList } from '../../src/exporter/allow-list.js';

describe('exporter allow list (--allow-target)', () => {
  it('allows nothing when no pattern is given', () => {
    const allow = parseAllowList([]);
    for (const target of ['127.0.0.1', '::1', 'dc1.corp.example']) expect(allow.allows(target), target).to.equal(false);
  });

  it('matches addresses against CIDR ranges and single addresses, IPv4 and IPv6', () => {
    const allow = parseAllowList(['10.0.0.0/8', '192.0.2.7', 'fd00::/8']);
    expect(allow.allows('10.200.3.4')).to.equal(true);
    expect(allow.allows('11.0.0.1')).to.equal(false);
    expect(allow.allows('192.0.2.7')).to.equal(true);
    expect(allow.allows('192.0.2.8')).to.equal(false);
    expect(allow.allows('fd12::1')).to.equal(true);
    expect(allow.allows('fe80::1')).to.equal(false);
    expect(allow.allows('::ffff:10.0.0.1'), 'a v4-mapped address is the v4 host').to.equal(true);
    expect(allow.allows('::ffff:11.0.0.1')).to.equal(false);
  });

  it('matches names against globs, whole name and without case; never an address against a glob', () => {
    const allow = parseAllowList(['*.corp.example,dc?.branch.example']);
    expect(allow.allows('DC1.Corp.Example')).to.equal(true);
    expect(allow.allows('a.b.corp.example'), '* spans dots').to.equal(true);
    expect(allow.allows('corp.example'), 'the dot before corp is part of the glob').to.equal(false);
    expect(allow.allows('evilcorp.example')).to.equal(false);
    expect(allow.allows('dc1.corp.example.attacker.example')).to.equal(false);
    expect(allow.allows('dc1.branch.example')).to.equal(true);
    expect(allow.allows('dc12.branch.example')).to.equal(false);
    expect(allow.allows('dc1.corp.example.'), 'a trailing root dot').to.equal(true);
    expect(allow.allows('10.0.0.1')).to.equal(false);
    expect(allow.allows('*.corp.example'), 'a wildcard in the target itself').to.equal(false);
  });

  it('refuses patterns that are neither a range nor a name glob, naming the flag', () => {
    for (const bad of ['10.0.0.0/33', '10.0.0.0/8/1', 'http://dc1', 'dc1.corp.example:88', '1.2.3.*', 'fd00::/129']) {
      try {
        parseAllowList([bad]);
        expect.fail(`${bad} was accepted`);
      } catch (err) {
        expect(isPortolanError(err, 'INVALID_VALUE'), bad).to.equal(true);
        expect((err as Error).message).to.match(/^--allow-target ".*": expected/);
      }
    }
  });
});
