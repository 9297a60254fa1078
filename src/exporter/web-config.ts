/**
 * `--web.config.file`: TLS and basic auth in the format of Prometheus' exporter-toolkit
 * (tls_server_config, http_server_config, basic_auth_users with bcrypt hashes), so the file
 * an operator already writes for node_exporter works here. Validated against
 * checks/schema/web-config.schema.json; keys portolan does not implement are refused rather
 * than silently ignored, because a security setting that is skipped looks like one in force.
 * Relative paths are read from the config file's folder, as exporter-toolkit does.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { SecureVersion } from 'node:tls';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { builtinChecksDir } from '../catalog/load.js';
import { readYamlFile, validateLocated } from '../catalog/yaml-file.js';
import { PortolanError } from '../errors.js';

export const webConfigSchemaPath = join(builtinChecksDir, 'schema', 'web-config.schema.json');

/** exporter-toolkit's names for Go's tls.ClientAuthType. */
export type ClientAuthType =
  | 'NoClientCert'
  | 'RequestClientCert'
  | 'RequireAnyClientCert'
  | 'VerifyClientCertIfGiven'
  | 'RequireAndVerifyClientCert';

type TlsVersionName = 'TLS10' | 'TLS11' | 'TLS12' | 'TLS13';

const TLS_VERSION: Record<TlsVersionName, SecureVersion> = {
  TLS10: 'TLSv1',
  TLS11: 'TLSv1.1',
  TLS12: 'TLSv1.2',
  TLS13: 'TLSv1.3',
};

/** What the HTTPS server needs, read from the files the config names. */
export interface TlsSettings {
  cert: Buffer;
  key: Buffer;
  ca: Buffer | null;
  clientAuth: ClientAuthType;
  minVersion: SecureVersion;
  maxVersion: SecureVersion;
}

export interface WebConfig {
  tls: TlsSettings | null;
  /** Added to every response. */
  headers: Readonly<Record<string, string>>;
  /** User name -> bcrypt hash; empty: no authentication. */
  users: ReadonlyMap<string, string>;
}

/** Plain HTTP, no authentication: what the exporter serves without `--web.config.file`. */
export const PLAIN_HTTP: WebConfig = { tls: null, headers: {}, users: new Map() };

interface RawWebConfig {
  tls_server_config?: {
    cert_file: string;
    key_file: string;
    client_auth_type?: ClientAuthType;
    client_ca_file?: string;
    min_version?: TlsVersionName;
    max_version?: TlsVersionName;
  };
  http_server_config?: { http2?: boolean; headers?: Record<string, string> };
  basic_auth_users?: Record<string, string>;
}

const ajv = new Ajv2020({ allErrors: true, strict: false, verbose: true });
const validateWebConfig = ajv.compile(JSON.parse(await readFile(webConfigSchemaPath, 'utf8')));

/** Client auth types that check the certificate against client_ca_file. */
const VERIFYING: readonly ClientAuthType[] = ['VerifyClientCertIfGiven', 'RequireAndVerifyClientCert'];

/** Read and check a web config file, and the certificate files it names. */
export async function loadWebConfig(file: string): Promise<WebConfig> {
  const yaml = await readYamlFile(file, 'CONFIG_INVALID');
  validateLocated(yaml, validateWebConfig, 'CONFIG_INVALID');
  const raw = (yaml.data ?? {}) as RawWebConfig;
  const base = dirname(resolve(file));
  const read = async (path: string, pointer: string): Promise<Buffer> => {
    try {
      return await readFile(resolve(base, path));
    } catch (err) {
      throw new PortolanError('CONFIG_INVALID', `cannot read ${path}: ${(err as Error).message}`, {
        location: yaml.locate(pointer),
        cause: err,
      });
    }
  };
  let tls: TlsSettings | null = null;
  const t = raw.tls_server_config;
  if (t) {
    const clientAuth = t.client_auth_type ?? 'NoClientCert';
    if (VERIFYING.includes(clientAuth) && !t.client_ca_file) {
      throw new PortolanError('CONFIG_INVALID', `client_auth_type ${clientAuth} needs client_ca_file`, {
        location: yaml.locate('/tls_server_config/client_auth_type'),
      });
    }
    const minVersion = TLS_VERSION[t.min_version ?? 'TLS12'];
    const maxVersion = TLS_VERSION[t.max_version ?? 'TLS13'];
    if (minVersion > maxVersion) {
      throw new PortolanError('CONFIG_INVALID', `min_version ${t.min_version} is above max_version ${t.max_version}`, {
        location: yaml.locate('/tls_server_config/min_version'),
      });
    }
    tls = {
      cert: await read(t.cert_file, '/tls_server_config/cert_file'),
      key: await read(t.key_file, '/tls_server_config/key_file'),
      ca: t.client_ca_file ? await read(t.client_ca_file, '/tls_server_config/client_ca_file') : null,
      clientAuth,
      minVersion,
      maxVersion,
    };
  }
  return {
    tls,
    headers: { ...raw.http_server_config?.headers },
    users: new Map(Object.entries(raw.basic_auth_users ?? {})),
  };
}
