import type pg from 'pg';

/** The fields of the database secret (the RDS-generated secret's JSON). */
export interface DatabaseSecret {
  readonly host: string;
  readonly port?: number | string;
  readonly username: string;
  readonly password: string;
  readonly dbname?: string;
}

/** Where the database is, from the environment: a URL, or a secret to fetch. */
export type DatabaseLocation =
  | { readonly kind: 'url'; readonly connectionString: string }
  | { readonly kind: 'secret'; readonly secretArn: string };

/** `DATABASE_URL` wins (local runs and tests); else `DB_SECRET_ARN`. */
export function databaseLocationFromEnv(env: NodeJS.ProcessEnv): DatabaseLocation {
  if (env.DATABASE_URL) return { kind: 'url', connectionString: env.DATABASE_URL };
  if (env.DB_SECRET_ARN) return { kind: 'secret', secretArn: env.DB_SECRET_ARN };
  throw new Error('set DB_SECRET_ARN (the Aurora secret) or DATABASE_URL');
}

/**
 * The `pg` pool configuration from the secret. `DB_HOST_OVERRIDE` replaces the host (an RDS Proxy endpoint);
 * `DB_SSL` is `verify` (default: TLS checked against the trusted CAs), `require` (TLS, certificate not checked) or
 * `off`.
 */
export function poolConfigFromSecret(secret: DatabaseSecret, env: NodeJS.ProcessEnv): pg.PoolConfig {
  for (const field of ['host', 'username', 'password'] as const)
    if (typeof secret[field] !== 'string' || secret[field] === '')
      throw new Error(`the database secret lacks '${field}'`);
  const ssl = env.DB_SSL ?? 'verify';
  return {
    host: env.DB_HOST_OVERRIDE || secret.host,
    port: Number(secret.port ?? 5432),
    user: secret.username,
    password: secret.password,
    database: secret.dbname ?? 'postgres',
    ssl: ssl === 'off' ? false : { rejectUnauthorized: ssl !== 'require' },
    // One import at a time per Lambda instance; a second connection only for the failure ledger row.
    max: 2,
    connectionTimeoutMillis: 10_000,
    application_name: 's3-import-to-aurora',
  };
}
