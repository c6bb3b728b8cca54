// The whole environment, described once. Parsed in the composition roots
// (src/main.ts, src/cli/main.ts) and passed down: nothing else reads process.env.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { cronProblem } from "./backup/cron.js";
import { DEFAULT_DUTY_POLICY, DUTY_KEYS, type DutyKey, type DutyPolicy, type DutySchedule } from "./dr/duties.js";
import { type CompanyPolicy, companyPolicySchema, DEFAULT_COMPANY_POLICY } from "./incidents/company-policy.js";
import type { PostmortemReminderPolicy, RoleDefinition } from "./incidents/context.js";
import { DEFAULT_ROLES } from "./incidents/context.js";
import type { IntakePolicy } from "./intake/service.js";
import { DEFAULT_DATABASE_URL, parseDatabaseUrl } from "./store/database-url.js";

const EXTRA_ROLES: RoleDefinition[] = [
  {
    key: "scribe",
    name: "Scribe",
    description:
      "Keeps the timeline: adds decisions, findings and actions as they happen (the message shortcut “Add to incident timeline” helps).",
  },
  {
    key: "operations",
    name: "Operations lead",
    description: "Leads the hands-on technical work: coordinates investigation, mitigation and recovery steps.",
  },
];

const url = (name: string) => z.string().url(`${name} must be a URL`);
const list = z.string().transform((s) =>
  s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean),
);

const roleList = z
  .string()
  .transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: 'must be JSON: [{"key":"scribe","name":"Scribe","description":"…"}]' });
      return z.NEVER;
    }
  })
  .pipe(
    z.array(
      z.object({
        key: z.string().regex(/^[a-z][a-z0-9_]{0,30}$/, "role keys are lower-case words, e.g. scribe"),
        name: z.string().min(1).max(60),
        description: z.string().min(1).max(1000),
      }),
    ),
  );

const alertRules = z
  .string()
  .transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({
        code: "custom",
        message: 'must be JSON: [{"alert":"SiteDown","commander":"U0123ABCD","severity":"critical"}]',
      });
      return z.NEVER;
    }
  })
  .pipe(
    z.array(
      z
        .object({
          alert: z.string().min(1, "each rule names an alert").max(200),
          commander: z.string().regex(/^[UW][A-Z0-9]{2,}$/, "commander must be a Slack user id like U0123ABCD"),
          severity: z
            .enum(["critical", "high", "medium", "low"], { error: "severity is critical, high, medium or low" })
            .optional(),
          private: z.boolean().optional(),
        })
        .strict(),
    ),
  );
/** "up to N: words" bands, smallest first; the last has no bound ("; :most customers"). */
export interface ScopeBand {
  upTo: number | null;
  words: string;
}
export const DEFAULT_SCOPE_BANDS: ScopeBand[] = [
  { upTo: 10, words: "a small number of customers" },
  { upTo: 100, words: "some customers" },
  { upTo: null, words: "many customers" },
];
const scopeBands = z.string().transform((s, ctx) => {
  const bands: ScopeBand[] = [];
  for (const part of s
    .split(";")
    .map((x) => x.trim())
    .filter(Boolean)) {
    const m = /^(\d*)\s*:\s*(.{1,100})$/.exec(part);
    if (!m) {
      ctx.addIssue({
        code: "custom",
        message: 'must look like "10:a small number of customers;100:some customers;:many customers"',
      });
      return z.NEVER;
    }
    bands.push({ upTo: m[1] ? Number(m[1]) : null, words: (m[2] as string).trim() });
  }
  const bounded = bands.slice(0, -1);
  if (
    !bands.length ||
    bands.at(-1)?.upTo !== null ||
    bounded.some((b, i) => b.upTo === null || (i > 0 && b.upTo <= (bounded[i - 1]?.upTo ?? 0)))
  ) {
    ctx.addIssue({ code: "custom", message: 'needs rising bounds and a last band without one (":many customers")' });
    return z.NEVER;
  }
  return bands;
});

const schema = z.object({
  DATABASE_URL: z
    .string()
    .default(DEFAULT_DATABASE_URL)
    .refine((s) => parseDatabaseUrl(s) !== null, "must start with file: (SQLite), postgres:// or postgresql://"),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  DATABASE_PREPARED_STATEMENTS: z.enum(["true", "false"], { error: "must be true or false" }).default("true"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),

  SLACK_BOT_TOKEN: z.string().startsWith("xoxb-", "must be a bot token (starts with xoxb-)").optional(),
  SLACK_SIGNING_SECRET: z.string().min(8, "looks too short to be a signing secret").optional(),
  SLACK_APP_TOKEN: z.string().startsWith("xapp-", "must be an app-level token (starts with xapp-)").optional(),
  SLACK_API_URL: url("SLACK_API_URL").default("https://slack.com/api/"),
  // /insights: Sign in with Slack (OpenID Connect), or a shared token for headless use.
  SLACK_CLIENT_ID: z.string().min(1).optional(),
  SLACK_CLIENT_SECRET: z.string().min(8, "looks too short to be a client secret").optional(),
  SLACK_OIDC_ISSUER: url("SLACK_OIDC_ISSUER").default("https://slack.com"),
  SLACK_TEAM_ID: z
    .string()
    .regex(/^[TE][A-Z0-9]{2,}$/, "must be a workspace id like T0123ABCD")
    .optional(),
  SESSION_SECRET: z.string().min(32, "must be at least 32 characters (it signs session cookies)").optional(),
  INSIGHTS_TOKEN: z.string().min(32, "must be at least 32 characters (anyone holding it reads /insights)").optional(),
  INCIDENT_CHANNEL: z
    .string()
    .regex(/^#?[a-z0-9_-]{1,80}$|^[CG][A-Z0-9]{6,}$/, "must be a channel name like incident-response or a channel id")
    .default("incident-response"),
  MUSTER_ADMINS: list.default([]),
  MUSTER_ROLES: roleList.optional(),
  MUSTER_POLICY: z.string().optional(),
  DR_CHANNEL: z
    .string()
    .regex(/^#?[a-z0-9_-]{1,80}$|^[CG][A-Z0-9]{6,}$/, "must be a channel name like security or a channel id")
    .optional(),
  DR_OWNER: z
    .string()
    .regex(/^[UW][A-Z0-9]{2,}$/, "must be a Slack user id like U0123ABCD")
    .optional(),
  DR_REMIND_DAYS_BEFORE: z.coerce.number().int().min(0).max(365).default(14),
  DR_REMIND_EVERY_DAYS: z.coerce.number().int().min(1).max(90).default(7),

  GITHUB_API_URL: url("GITHUB_API_URL").default("https://api.github.com"),
  GITHUB_REPO: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "must look like owner/repo")
    .default("tailscale/corp"),
  GITHUB_CONFIDENTIAL_REPO: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "must look like owner/repo")
    .optional(),
  GOOGLE_API_URL: url("GOOGLE_API_URL").default("https://www.googleapis.com/"),

  ESCALATION_USERS: list.default([]),
  ESCALATION_USERGROUP: z
    .string()
    .regex(/^S[A-Z0-9]{4,}$/, "must be a user group id like S0123ABCD")
    .optional(),
  ONCALL_USERGROUP: z
    .string()
    .regex(/^S[A-Z0-9]{4,}$/, "must be a user group id like S0123ABCD")
    .optional(),
  HANDOFF_TIMEOUT_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(30),
  POSTMORTEM_REMINDER_FIRST_DAYS: z.coerce.number().int().min(1).max(30).default(1),
  POSTMORTEM_REMINDER_EVERY_DAYS: z.coerce.number().int().min(1).max(30).default(2),
  POSTMORTEM_DEADLINE_DAYS_HIGH: z.coerce.number().int().min(1).max(60).default(5),
  POSTMORTEM_DEADLINE_DAYS: z.coerce.number().int().min(1).max(60).default(10),
  POSTMORTEM_ESCALATION_USERS: list.default([]),
  QUIET_DM_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(60),
  STATUS_PAGE_NAME: z.string().max(100).optional(),
  STATUS_PAGE_COMPONENTS: z
    .string()
    .transform((s) => [
      ...new Set(
        s
          .split(",")
          .map((x) => x.trim())
          .filter(Boolean),
      ),
    ])
    .pipe(z.array(z.string().max(200)).max(50, "at most 50 components"))
    .optional(),
  STATUS_PAGE_SCOPE_BANDS: scopeBands.optional(),
  PUBLIC_URL: url("PUBLIC_URL").optional(),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(16),
  BACKUP_DIR: z.string().optional(),
  BACKUP_EVERY: z
    .string()
    .superRefine((s, ctx) => {
      const problem = cronProblem(s);
      if (problem) ctx.addIssue({ code: "custom", message: `must be a cron expression like "0 3 * * *" (${problem})` });
    })
    .optional(),
  BACKUP_KEEP: z.coerce.number().int().min(1).max(10_000).default(7),
  PG_DUMP: z.string().optional(),

  GITHUB_TOKEN: z.string().min(10, "looks too short to be a GitHub token").optional(),
  GITHUB_APP_ID: z.string().regex(/^\d+$/, "must be the GitHub App's numeric id").optional(),
  GITHUB_APP_PRIVATE_KEY: z
    .string()
    .includes("PRIVATE KEY", { message: "must be the App's PEM private key" })
    .optional(),
  GITHUB_APP_INSTALLATION_ID: z.coerce.number().int().positive().optional(),
  GITHUB_ISSUE_SEVERITIES: z
    .string()
    .transform((s) => s.split(/[\s,]+/).filter(Boolean))
    .pipe(
      z.array(
        z.enum(["critical", "high", "medium", "low", "unclassified"], {
          error: "severities are critical, high, medium, low, unclassified",
        }),
      ),
    )
    .optional(),
  GITHUB_FOLLOW_UP_ISSUES: z.enum(["true", "false"], { error: "must be true or false" }).default("true"),
  GITHUB_WRITE_SPACING_MS: z.coerce.number().int().min(0).max(60_000).default(1000),

  GOOGLE_SERVICE_ACCOUNT_KEY: z
    .string()
    .includes("private_key", { message: "must be the service account's JSON key" })
    .optional(),
  GOOGLE_IMPERSONATE_USER: z.string().email("must be the e-mail of the Workspace user muster acts as").optional(),
  GOOGLE_DOC_TEMPLATE_ID: z.string().min(10).optional(),
  GOOGLE_POSTMORTEM_TEMPLATE_ID: z.string().min(10).optional(),
  GOOGLE_DRIVE_FOLDER_ID: z.string().min(10).optional(),

  REPORT_LIMIT_PER_ADDRESS: z.coerce.number().int().min(1).max(10_000).default(3),
  REPORT_LIMIT_PER_CLIENT: z.coerce.number().int().min(1).max(100_000).default(10),
  REPORT_LIMIT_WINDOW_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(60),
  REPORT_COMPONENTS: list.optional(),
  REPORT_MIN_FILL_SECONDS: z.coerce.number().int().min(0).max(600).default(3),
  TRUST_PROXY: z.enum(["true", "false"], { error: "must be true or false" }).default("false"),
  ALERT_TOKEN: z.string().min(16, "must be at least 16 characters (a long random string)").optional(),
  ALERT_HMAC_SECRET: z.string().min(16, "must be at least 16 characters (a long random string)").optional(),
  ALERT_DEDUP_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(60),
  ALERT_DECLARE_RULES: alertRules.optional(),
});

export type Env = Record<string, string | undefined>;

export interface Config {
  databaseUrl: string;
  databasePoolSize: number;
  /** PostgreSQL: name statements so each connection plans them once (off behind poolers that cannot keep them). */
  databasePreparedStatements: boolean;
  port: number;
  logLevel: z.output<typeof schema>["LOG_LEVEL"];
  slack: {
    botToken: string | undefined;
    signingSecret: string | undefined;
    appToken: string | undefined;
    apiUrl: string;
    incidentChannel: string;
    /** Where an overdue yearly duty is announced (the incident channel unless DR_CHANNEL). */
    drChannel: string;
  };
  github: {
    apiUrl: string;
    repo: string;
    /** Private incidents' full record goes here; without it their issue in `repo` is minimal. */
    confidentialRepo: string | null;
    auth:
      | { kind: "token"; token: string }
      | { kind: "app"; appId: string; privateKey: string; installationId: number }
      | null;
    issueSeverities: ("critical" | "high" | "medium" | "low" | "unclassified")[];
    followUpIssues: boolean;
    writeSpacingMs: number;
  };
  google: {
    apiUrl: string;
    serviceAccountKey: { client_email: string; private_key: string } | null;
    impersonate: string | null;
    docTemplateId: string | null;
    postmortemTemplateId: string | null;
    folderId: string | null;
  };
  escalation: { users: string[]; usergroup: string | null };
  /** Members of this Slack user group are suggested first as an IC's successor at the end of the day. */
  oncallUsergroup: string | null;
  handoffTimeoutMs: number;
  /** Reminders about unwritten post-mortems, in business days of the owner's zone. */
  postmortemReminders: PostmortemReminderPolicy;
  /** Who hears of a post-mortem past its deadline; the escalation contacts when empty. */
  postmortemLeads: string[];
  /** The quiet gate: one reminder DM per person, incident and kind within this long. */
  quietDmMs: number;
  workerConcurrency: number;
  backup: {
    /** BACKUP_DIR: where scheduled backups go, and where `muster restore-drill` looks by default. */
    dir: string | null;
    /** BACKUP_EVERY: a cron expression (UTC); null: no scheduled backups. */
    every: string | null;
    keep: number;
    /** PG_DUMP: the pg_dump to use (pg_restore is looked for beside it). */
    pgDump: string | null;
  };
  admins: string[];
  /** Who may open /insights: people signed in with Slack (OIDC), or a headless client holding the shared token. */
  insights: {
    publicUrl: string | null;
    oidc: { issuer: string; clientId: string; clientSecret: string; teamId: string | null } | null;
    sessionSecret: string | null;
    token: string | null;
  };
  roles: RoleDefinition[];
  /** Severity definitions, what an incident is, and when a post-mortem is owed (MUSTER_POLICY, else the policy's own). */
  company: CompanyPolicy;
  /** The yearly BCP/DR duties' owners, intervals and first due dates, and when owners are reminded. */
  duties: DutyPolicy;
  /** Reports from outside Slack: the public outage form and alert ingestion. */
  intake: IntakePolicy & {
    /** The outage form's time trap: a submission sooner than this after the form was served is refused. */
    minFillMs: number;
    /** Take the client's address from X-Forwarded-For (set by the one proxy in front). */
    trustProxy: boolean;
    /** POST /hooks/alerts answers 404 while neither is set. */
    alertToken: string | null;
    alertHmacSecret: string | null;
  };
  statusPage: {
    /** The page's name in its title, feeds and API. */
    name: string;
    /** Public component names in page order; empty: those of published incidents. */
    components: string[];
    /** Customers affected → words ("a small number of customers"). */
    scopeBands: ScopeBand[];
    /** Where the public reaches muster (absolute links in feeds and the API); http://localhost:PORT by default. */
    publicUrl: string;
  };
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

/**
 * Every problem at once, each naming the variable. Values are never echoed:
 * a mistyped variable may hold a secret.
 */
export function parseConfig(
  env: Env,
  readFile: (path: string) => string = (p) => readFileSync(p, "utf8"),
): ConfigResult {
  // Empty means unset: `FOO= npm start` should fall back to the default.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ""));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "environment"}: ${i.message}`);
    return { ok: false, problems: [...new Set(problems)] };
  }
  const e = parsed.data;
  const problems: string[] = [];
  if ((e.GITHUB_APP_ID || e.GITHUB_APP_PRIVATE_KEY || e.GITHUB_APP_INSTALLATION_ID) && !e.GITHUB_TOKEN) {
    for (const k of ["GITHUB_APP_ID", "GITHUB_APP_PRIVATE_KEY", "GITHUB_APP_INSTALLATION_ID"] as const)
      if (!e[k]) problems.push(`${k}: needed with the other GITHUB_APP_* settings (GitHub App auth)`);
  }
  let serviceAccount: { client_email: string; private_key: string } | null = null;
  if (e.GOOGLE_SERVICE_ACCOUNT_KEY) {
    try {
      const key = JSON.parse(e.GOOGLE_SERVICE_ACCOUNT_KEY) as { client_email?: unknown; private_key?: unknown };
      if (typeof key.client_email !== "string" || typeof key.private_key !== "string") throw new Error("fields");
      serviceAccount = { client_email: key.client_email, private_key: key.private_key };
    } catch {
      problems.push(
        "GOOGLE_SERVICE_ACCOUNT_KEY: must be the service account's JSON key (with client_email and private_key)",
      );
    }
    if (!e.GOOGLE_IMPERSONATE_USER)
      problems.push(
        "GOOGLE_IMPERSONATE_USER: needed with GOOGLE_SERVICE_ACCOUNT_KEY (domain-wide delegation acts as a user)",
      );
  }
  if (e.BACKUP_EVERY && !e.BACKUP_DIR) problems.push("BACKUP_DIR: needed with BACKUP_EVERY (where the backups go)");
  if (e.SLACK_CLIENT_ID || e.SLACK_CLIENT_SECRET) {
    if (!e.SLACK_CLIENT_ID) problems.push("SLACK_CLIENT_ID: needed with SLACK_CLIENT_SECRET (Sign in with Slack)");
    if (!e.SLACK_CLIENT_SECRET) problems.push("SLACK_CLIENT_SECRET: needed with SLACK_CLIENT_ID (Sign in with Slack)");
    if (!e.PUBLIC_URL)
      problems.push(
        "PUBLIC_URL: needed for Sign in with Slack (muster's address in the browser, for the redirect URL)",
      );
    if (!e.SESSION_SECRET) problems.push("SESSION_SECRET: needed for Sign in with Slack (it signs the session cookie)");
  }
  const dutyFile: Partial<Record<DutyKey, Partial<DutySchedule>>> = {};
  const company = e.MUSTER_POLICY
    ? readPolicyFile(e.MUSTER_POLICY, readFile, problems, dutyFile)
    : DEFAULT_COMPANY_POLICY;
  if (problems.length) return { ok: false, problems };
  const custom = e.MUSTER_ROLES ?? EXTRA_ROLES;
  const roles = [...DEFAULT_ROLES, ...custom.filter((r) => !DEFAULT_ROLES.some((d) => d.key === r.key))];
  return {
    ok: true,
    config: {
      databaseUrl: e.DATABASE_URL,
      databasePoolSize: e.DATABASE_POOL_SIZE,
      databasePreparedStatements: e.DATABASE_PREPARED_STATEMENTS === "true",
      port: e.PORT,
      logLevel: e.LOG_LEVEL,
      slack: {
        botToken: e.SLACK_BOT_TOKEN,
        signingSecret: e.SLACK_SIGNING_SECRET,
        appToken: e.SLACK_APP_TOKEN,
        apiUrl: e.SLACK_API_URL,
        incidentChannel: e.INCIDENT_CHANNEL.replace(/^#/, ""),
        drChannel: (e.DR_CHANNEL ?? e.INCIDENT_CHANNEL).replace(/^#/, ""),
      },
      github: {
        apiUrl: e.GITHUB_API_URL,
        repo: e.GITHUB_REPO,
        confidentialRepo: e.GITHUB_CONFIDENTIAL_REPO ?? null,
        auth: e.GITHUB_TOKEN
          ? { kind: "token", token: e.GITHUB_TOKEN }
          : e.GITHUB_APP_ID && e.GITHUB_APP_PRIVATE_KEY && e.GITHUB_APP_INSTALLATION_ID
            ? {
                kind: "app",
                appId: e.GITHUB_APP_ID,
                privateKey: e.GITHUB_APP_PRIVATE_KEY.replace(/\\n/g, "\n"),
                installationId: e.GITHUB_APP_INSTALLATION_ID,
              }
            : null,
        issueSeverities: e.GITHUB_ISSUE_SEVERITIES ?? ["critical", "high", "medium", "low", "unclassified"],
        followUpIssues: e.GITHUB_FOLLOW_UP_ISSUES === "true",
        writeSpacingMs: e.GITHUB_WRITE_SPACING_MS,
      },
      google: {
        apiUrl: e.GOOGLE_API_URL,
        serviceAccountKey: serviceAccount,
        impersonate: e.GOOGLE_IMPERSONATE_USER ?? null,
        docTemplateId: e.GOOGLE_DOC_TEMPLATE_ID ?? null,
        postmortemTemplateId: e.GOOGLE_POSTMORTEM_TEMPLATE_ID ?? null,
        folderId: e.GOOGLE_DRIVE_FOLDER_ID ?? null,
      },
      escalation: { users: e.ESCALATION_USERS, usergroup: e.ESCALATION_USERGROUP ?? null },
      oncallUsergroup: e.ONCALL_USERGROUP ?? null,
      handoffTimeoutMs: e.HANDOFF_TIMEOUT_MINUTES * 60_000,
      postmortemReminders: {
        firstAfterDays: e.POSTMORTEM_REMINDER_FIRST_DAYS,
        everyDays: e.POSTMORTEM_REMINDER_EVERY_DAYS,
        deadlineDays: {
          critical: e.POSTMORTEM_DEADLINE_DAYS_HIGH,
          high: e.POSTMORTEM_DEADLINE_DAYS_HIGH,
          medium: e.POSTMORTEM_DEADLINE_DAYS,
          low: e.POSTMORTEM_DEADLINE_DAYS,
          unclassified: e.POSTMORTEM_DEADLINE_DAYS,
        },
      },
      postmortemLeads: e.POSTMORTEM_ESCALATION_USERS,
      quietDmMs: e.QUIET_DM_MINUTES * 60_000,
      workerConcurrency: e.WORKER_CONCURRENCY,
      backup: {
        dir: e.BACKUP_DIR ? resolve(e.BACKUP_DIR) : null,
        every: e.BACKUP_EVERY ?? null,
        keep: e.BACKUP_KEEP,
        pgDump: e.PG_DUMP ?? null,
      },
      admins: e.MUSTER_ADMINS,
      insights: {
        publicUrl: e.PUBLIC_URL?.replace(/\/+$/, "") ?? null,
        oidc:
          e.SLACK_CLIENT_ID && e.SLACK_CLIENT_SECRET
            ? {
                issuer: e.SLACK_OIDC_ISSUER.replace(/\/+$/, ""),
                clientId: e.SLACK_CLIENT_ID,
                clientSecret: e.SLACK_CLIENT_SECRET,
                teamId: e.SLACK_TEAM_ID ?? null,
              }
            : null,
        sessionSecret: e.SESSION_SECRET ?? null,
        token: e.INSIGHTS_TOKEN ?? null,
      },
      roles,
      company,
      duties: {
        schedules: Object.fromEntries(
          DUTY_KEYS.map((k) => [
            k,
            {
              ...DEFAULT_DUTY_POLICY.schedules[k],
              ownerId: e.DR_OWNER ?? null,
              ...dutyFile[k],
            },
          ]),
        ) as Record<DutyKey, DutySchedule>,
        remindDaysBefore: e.DR_REMIND_DAYS_BEFORE,
        remindEveryDays: e.DR_REMIND_EVERY_DAYS,
      },
      intake: {
        report: {
          perAddress: e.REPORT_LIMIT_PER_ADDRESS,
          perClient: e.REPORT_LIMIT_PER_CLIENT,
          windowMs: e.REPORT_LIMIT_WINDOW_MINUTES * 60_000,
          // The status page's public component names, unless the form is given its own list.
          components: e.REPORT_COMPONENTS ?? e.STATUS_PAGE_COMPONENTS ?? [],
        },
        alerts: {
          dedupWindowMs: e.ALERT_DEDUP_MINUTES * 60_000,
          declareRules: (e.ALERT_DECLARE_RULES ?? []).map((r) => ({
            alert: r.alert,
            commander: r.commander,
            ...(r.severity ? { severity: r.severity } : {}),
            ...(r.private !== undefined ? { private: r.private } : {}),
          })),
        },
        minFillMs: e.REPORT_MIN_FILL_SECONDS * 1000,
        trustProxy: e.TRUST_PROXY === "true",
        alertToken: e.ALERT_TOKEN ?? null,
        alertHmacSecret: e.ALERT_HMAC_SECRET ?? null,
      },
      statusPage: {
        name: e.STATUS_PAGE_NAME ?? "Status",
        components: e.STATUS_PAGE_COMPONENTS ?? [],
        scopeBands: e.STATUS_PAGE_SCOPE_BANDS ?? DEFAULT_SCOPE_BANDS,
        publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ""),
      },
    },
  };
}

const dutyEntry = z
  .object(
    {
      owner: z
        .string()
        .regex(/^[UW][A-Z0-9]{2,}$/, "owner must be a Slack user id like U0123ABCD")
        .optional(),
      everyMonths: z.number().int().min(1, "everyMonths must be 1 or more").max(60).optional(),
      // YAML reads 2027-01-31 as text; a date with a time (2027-01-31T09:00:00Z) works too.
      firstDue: z
        .union([z.string(), z.date()])
        .transform((v, ctx) => {
          const d = v instanceof Date ? v : new Date(v);
          if (Number.isNaN(d.getTime())) {
            ctx.addIssue({ code: "custom", message: "firstDue must be a date like 2027-01-31" });
            return z.NEVER;
          }
          return d;
        })
        .optional(),
    },
    { error: "needs owner, everyMonths or firstDue" },
  )
  .strict();

const dutiesSchema = z
  .object(
    Object.fromEntries(DUTY_KEYS.map((k) => [k, dutyEntry.optional()])) as Record<
      DutyKey,
      z.ZodOptional<typeof dutyEntry>
    >,
    {
      error: `duties are ${DUTY_KEYS.join(", ")}`,
    },
  )
  .strict();

/** The policy file's `duties:` part: per duty its owner, interval and first due date. */
function readDuties(
  raw: unknown,
  path: string,
  problems: string[],
  out: Partial<Record<DutyKey, Partial<DutySchedule>>>,
) {
  const parsed = dutiesSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const message = issue.code === "unrecognized_keys" ? `unknown duty ${issue.keys.join(", ")}` : issue.message;
      problems.push(`MUSTER_POLICY: ${path}: duties.${issue.path.join(".")}${issue.path.length ? ": " : ""}${message}`);
    }
    return;
  }
  for (const k of DUTY_KEYS) {
    const d = parsed.data[k];
    if (!d) continue;
    out[k] = {
      ...(d.owner ? { ownerId: d.owner } : {}),
      ...(d.everyMonths ? { everyMonths: d.everyMonths } : {}),
      ...(d.firstDue ? { firstDueAt: d.firstDue } : {}),
    };
  }
}

/**
 * A company's policy file (YAML, or JSON, which is YAML too): read and checked
 * once at start-up, every problem named with its place in the file.
 */
function readPolicyFile(
  path: string,
  readFile: (path: string) => string,
  problems: string[],
  duties: Partial<Record<DutyKey, Partial<DutySchedule>>>,
): CompanyPolicy {
  let text: string;
  try {
    text = readFile(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    problems.push(`MUSTER_POLICY: cannot read ${path}${code ? ` (${code})` : ""}`);
    return DEFAULT_COMPANY_POLICY;
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    const at = (e as { linePos?: { line: number; col: number }[] }).linePos?.[0];
    problems.push(`MUSTER_POLICY: ${path} is not valid YAML${at ? ` (line ${at.line}, column ${at.col})` : ""}`);
    return DEFAULT_COMPANY_POLICY;
  }
  if (raw && typeof raw === "object" && "duties" in raw) {
    const { duties: dutyPart, ...rest } = raw as Record<string, unknown>;
    readDuties(dutyPart, path, problems, duties);
    raw = rest;
  }
  const parsed = companyPolicySchema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    const where = issue.path.length ? `${issue.path.join(".")}: ` : "";
    const message = issue.code === "unrecognized_keys" ? `unknown setting ${issue.keys.join(", ")}` : issue.message;
    problems.push(`MUSTER_POLICY: ${path}: ${where}${message}`);
  }
  return DEFAULT_COMPANY_POLICY;
}

/** The Slack settings the bot cannot start without. */
export function missingSlackSettings(config: Config): string[] {
  const missing: string[] = [];
  if (!config.slack.botToken) missing.push("SLACK_BOT_TOKEN");
  // Socket Mode has no incoming HTTP requests to verify.
  if (!config.slack.signingSecret && !config.slack.appToken) missing.push("SLACK_SIGNING_SECRET");
  return missing;
}
