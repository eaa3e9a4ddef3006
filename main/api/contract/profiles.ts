// Connection profiles: which stack the console looks at, how it reaches it (TLS, sslmode), and whether it is
// production (read-only until unlocked). Secrets travel in `secrets` on save and are never returned.
import { z } from 'zod';
import { operation } from './operation';
import { INTEGRATION_PROBE, type ValidationReport } from './stack';

export const ProfileNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    'Letters, digits, dot, dash and underscore; start with a letter or digit',
  );

export const SslModeSchema = z.enum(['disable', 'require', 'verify-ca', 'verify-full']);
export type SslMode = z.infer<typeof SslModeSchema>;

const pem = z
  .string()
  .max(64_000)
  .refine((v) => v === '' || v.includes('-----BEGIN '), 'Paste the certificate in PEM form (-----BEGIN …)');

export const PostgresProfileSchema = z
  .object({
    host: z.string().min(1).max(255),
    port: z.number().int().min(1).max(65535),
    database: z.string().min(1).max(63).optional(),
    user: z.string().min(1).max(63),
    sslmode: SslModeSchema.default('disable'),
    /** The CA that signed the server's certificate (PEM); needed for verify-ca and verify-full. */
    ca: pem.optional(),
  })
  .strict();
export type PostgresProfile = z.infer<typeof PostgresProfileSchema>;

export const TemporalProfileSchema = z
  .object({
    address: z
      .string()
      .regex(/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/, 'Write the address as host:port, for example 127.0.0.1:7233'),
    namespace: z.string().min(1).max(255),
    taskQueue: z.string().min(1).max(255).optional(),
    /** The cluster's Temporal Web UI, opened from the console (Open in Temporal Web UI). */
    webUiUrl: z
      .string()
      .max(2048)
      .regex(
        /^https?:\/\/[^\s/]+(\/\S*)?$/,
        'Write the Web UI address as a URL, for example https://temporal.example.com',
      )
      .optional(),
    tls: z
      .object({
        enabled: z.boolean(),
        /** The name the server's certificate is checked against, when it differs from the host. */
        serverName: z.string().max(255).optional(),
        /** Server CA (PEM); empty: the system's trusted CAs. */
        ca: pem.optional(),
        /** Client certificate for mutual TLS (PEM); its key is a secret. */
        clientCert: pem.optional(),
      })
      .strict()
      .default({ enabled: false }),
  })
  .strict();

export const ProfileSchema = z
  .object({
    name: ProfileNameSchema,
    provider: z.enum(['local', 'docker', 'attached']),
    production: z.boolean().default(false),
    description: z.string().max(500).optional(),
    /** Attached profiles: where the stack runs. Local and docker profiles use the stack settings. */
    temporal: TemporalProfileSchema.optional(),
    appPostgres: PostgresProfileSchema.optional(),
    /** Temporal's own persistence; absent when the operator has no access to it (Temporal Cloud). */
    temporalPostgres: PostgresProfileSchema.optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.provider !== 'attached') return;
    if (!p.temporal)
      ctx.addIssue({
        code: 'custom',
        path: ['temporal'],
        message: 'An attached profile needs the Temporal address',
      });
    if (!p.appPostgres)
      ctx.addIssue({
        code: 'custom',
        path: ['appPostgres'],
        message: 'An attached profile needs the app database',
      });
    for (const key of ['appPostgres', 'temporalPostgres'] as const) {
      const pg = p[key];
      if (pg && (pg.sslmode === 'verify-ca' || pg.sslmode === 'verify-full') && !pg.ca)
        ctx.addIssue({
          code: 'custom',
          path: [key, 'ca'],
          message: `sslmode ${pg.sslmode} needs the server CA`,
        });
    }
  });
export type Profile = z.infer<typeof ProfileSchema>;

export const ProfileSecretsSchema = z
  .object({
    appPostgresPassword: z.string().max(1024).optional(),
    temporalPostgresPassword: z.string().max(1024).optional(),
    /** Private key of the Temporal client certificate (PEM). */
    tlsClientKey: z.string().max(64_000).optional(),
    /** Temporal Cloud API key (instead of, or besides, mutual TLS). */
    apiKey: z.string().max(4096).optional(),
  })
  .strict();
export type ProfileSecrets = z.infer<typeof ProfileSecretsSchema>;
export type ProfileSecretName = keyof ProfileSecrets;

export interface ProfileView {
  profile: Profile;
  /** Which secrets are stored (their values never leave the main process). */
  secretsSet: Record<ProfileSecretName, boolean>;
}

export interface ProfileMode {
  /** The profile in force; `null`: the embedded stack from the settings, no profile. */
  name: string | null;
  provider: Profile['provider'];
  production: boolean;
  /** True while writes are refused (production and not unlocked). */
  readOnly: boolean;
  unlockedUntil?: string;
  /** Chosen for this process only (`--profile`), not the saved choice. */
  override: boolean;
}

export interface ProfilesView {
  active: string | null;
  mode: ProfileMode;
  profiles: ProfileView[];
}

const empty = z.object({}).strict();
const named = z.object({ name: ProfileNameSchema }).strict();

export const profileOperations = {
  'profiles.list': operation(empty, 'reads').returns<ProfilesView>(),
  'profiles.current': operation(empty, 'reads').returns<ProfileMode>(),
  'profiles.save': operation(
    z.object({ profile: ProfileSchema, secrets: ProfileSecretsSchema.optional() }).strict(),
    'writes',
  ).returns<ProfilesView>(),
  'profiles.remove': operation(named, 'writes').returns<ProfilesView>(),
  /** Switches the console to a profile; `null` goes back to the embedded stack. */
  'profiles.use': operation(
    z.object({ name: ProfileNameSchema.nullable() }).strict(),
    'writes',
  ).returns<ProfilesView>(),
  /** Runs the validation checks that apply to a saved profile. */
  'profiles.test': operation(
    z.object({ name: ProfileNameSchema, integration: z.boolean().default(false) }).strict(),
    'reads',
    { probe: INTEGRATION_PROBE },
  ).returns<ValidationReport>(),
  /** Lifts read-only on a production profile for a limited time; `confirm` must repeat its name. */
  'profiles.unlock': operation(
    z
      .object({
        name: ProfileNameSchema,
        confirm: z.string(),
        minutes: z.number().int().min(1).max(240).default(15),
      })
      .strict(),
    'writes',
  ).returns<ProfileMode>(),
  'profiles.lock': operation(empty, 'writes').returns<ProfileMode>(),
};

export const profileEvents = {
  'profiles.changed': z.custom<ProfilesView>(),
};
