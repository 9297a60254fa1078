import { expect } from 'chai';
import { whereToGet } from '../../src/platform/tools.js';

describe('where ping and dig come from', () => {
  it('names the package on Linux, and says ping ships with Windows and macOS', () => {
    expect(whereToGet('ping', 'linux')).to.include('iputils-ping');
    expect(whereToGet('ping', 'win32')).to.include('C:\\Windows\\System32');
    expect(whereToGet('ping', 'darwin')).to.include('ships with macOS');
    expect(whereToGet('dig', 'linux')).to.include('dnsutils');
    expect(whereToGet('dig', 'win32')).to.match(/^optional: .*BIND 9.*WSL/);
    expect(whereToGet('dig', 'darwin')).to.include('/usr/bin');
  });
});
