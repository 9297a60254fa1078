import { expect } from 'chai';
import { isPortolanError } from '../../src/errors.js';
import { parseHistoryLocation } from '../../src/history/location.js';

describe('history location', () => {
  it('takes postgres:// and postgresql:// URLs as PostgreSQL, masking the password', () => {
    const pg = parseHistoryLocation('postgresql://portolan:s3cret@db.example:5432/portolan');
    expect(pg.kind).to.equal('postgres');
    expect(pg.display).to.equal('postgresql://portolan:***@db.example:5432/portolan');
    expect(parseHistoryLocation('postgres://db.example/portolan').kind).to.equal('postgres');
  });

  it('takes file paths, Windows drive paths included, as SQLite', () => {
    expect(parseHistoryLocation('reports/history.db')).to.deep.equal({
      kind: 'sqlite',
      path: 'reports/history.db',
      display: 'reports/history.db',
    });
    expect(parseHistoryLocation('C:\\portolan\\history.db').kind).to.equal('sqlite');
  });

  it('refuses any other scheme, naming it, without echoing the rest (it may hold a password)', () => {
    let caught: unknown;
    try {
      parseHistoryLocation('postgress://portolan:s3cret@db.example/portolan');
    } catch (err) {
      caught = err;
    }
    expect(isPortolanError(caught, 'INVALID_VALUE')).to.equal(true);
    expect((caught as Error).message).to.contain('postgress://');
    expect((caught as Error).message).to.not.contain('s3cret');
  });
});
