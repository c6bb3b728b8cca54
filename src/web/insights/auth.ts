// Who may open /insights: a person signed in with Slack (OpenID Connect,
// through openid-client, a certified relying-party library: discovery, the
// authorize redirect with state and nonce, the code exchange at
// openid.connect.token with the ID token's issuer, audience, expiry and nonce
// checked, then openid.connect.userInfo), or a headless client holding the
// shared token (`Authorization: Bearer`). Nobody else: there is no anonymous
// access. The session is a cookie signed with HMAC-SHA256 (HttpOnly, Secure,
// SameSite=Lax, scoped to /insights); it carries the Slack user id, the name
// and the expiry, nothing confidential.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import * as oidc from "openid-client";

export const SESSION_COOKIE = "muster_insights";
const FLOW_COOKIE = "muster_oidc";
const SESSION_MS = 12 * 3600_000;
const FLOW_MS = 10 * 60_000;
export const CALLBACK_PATH = "/insights/auth/callback";

export interface Viewer {
  /** The Slack user id; null for the shared token. */
  userId: string | null;
  name: string;
  isAdmin: boolean;
  via: "slack" | "token";
}

export interface InsightsAuthConfig {
  publicUrl: string | null;
  oidc: { issuer: string; clientId: string; clientSecret: string; teamId: string | null } | null;
  sessionSecret: string | null;
  token: string | null;
  admins: readonly string[];
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString("base64url");

function sign(secret: string, payload: object): string {
  const body = b64(JSON.stringify(payload));
  return `${body}.${b64(createHmac("sha256", secret).update(body).digest())}`;
}

function verify<T extends { exp: number }>(secret: string, value: string | undefined, now: number): T | null {
  if (!value) return null;
  const [body, mac] = value.split(".");
  if (!body || !mac) return null;
  const want = createHmac("sha256", secret).update(body).digest();
  const got = Buffer.from(mac, "base64url");
  if (got.length !== want.length || !timingSafeEqual(got, want)) return null;
  try {
    const payload = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as T;
    return typeof payload.exp === "number" && payload.exp > now ? payload : null;
  } catch {
    return null;
  }
}

export function cookiesOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of String(req.headers.cookie ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

const cookie = (name: string, value: string, path: string, maxAgeS: number) =>
  `${name}=${value}; Path=${path}; Max-Age=${maxAgeS}; HttpOnly; Secure; SameSite=Lax`;

function sameToken(a: string, b: string): boolean {
  const x = createHmac("sha256", "token").update(a).digest();
  const y = createHmac("sha256", "token").update(b).digest();
  return timingSafeEqual(x, y);
}

/** A plain-words refusal; `status` 401 (sign in) or 403 (signed in, but not allowed). */
export class SignInProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function createInsightsAuth(cfg: InsightsAuthConfig, clock: () => Date = () => new Date()) {
  let discovered: Promise<oidc.Configuration> | null = null;
  const configuration = () => {
    const o = cfg.oidc;
    if (!o) throw new SignInProblem(503, "Sign in with Slack is not set up on this muster.");
    discovered ??= oidc
      .discovery(
        new URL(o.issuer),
        o.clientId,
        o.clientSecret,
        undefined,
        // Only the local emulator speaks plain HTTP; Slack itself is HTTPS.
        o.issuer.startsWith("http:") ? { execute: [oidc.allowInsecureRequests] } : undefined,
      )
      .catch((e: unknown) => {
        discovered = null; // try again on the next sign-in
        throw e;
      });
    return discovered;
  };
  const redirectUri = () => `${cfg.publicUrl}${CALLBACK_PATH}`;
  const isAdmin = (userId: string) => cfg.admins.includes(userId);

  return {
    /** Sign in with Slack is configured (else only the shared token gets in). */
    canSignIn: () => cfg.oidc !== null && cfg.sessionSecret !== null && cfg.publicUrl !== null,

    /** The viewer of this request, or null: no valid session cookie and no valid shared token. */
    viewer(req: IncomingMessage): Viewer | null {
      const bearer = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ""))?.[1];
      if (bearer && cfg.token && sameToken(bearer, cfg.token))
        return { userId: null, name: "shared token", isAdmin: false, via: "token" };
      if (!cfg.sessionSecret) return null;
      const s = verify<{ sub: string; name: string; exp: number }>(
        cfg.sessionSecret,
        cookiesOf(req)[SESSION_COOKIE],
        clock().getTime(),
      );
      return s ? { userId: s.sub, name: s.name, isAdmin: isAdmin(s.sub), via: "slack" } : null;
    },

    /** Starts a sign-in: where to send the browser, and the cookie that remembers state and nonce. */
    async start(back: string): Promise<{ location: string; setCookie: string }> {
      const config = await configuration();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri(),
        scope: "openid profile email",
        state,
        nonce,
        ...(cfg.oidc?.teamId ? { team: cfg.oidc.teamId } : {}),
      });
      const flow = sign(cfg.sessionSecret as string, {
        state,
        nonce,
        back: back.startsWith("/insights") ? back : "/insights",
        exp: clock().getTime() + FLOW_MS,
      });
      return { location: url.href, setCookie: cookie(FLOW_COOKIE, flow, CALLBACK_PATH, FLOW_MS / 1000) };
    },

    /** Finishes it: the code exchanged and checked, the person read; a session cookie and where to go. */
    async finish(req: IncomingMessage, url: URL): Promise<{ location: string; setCookies: string[] }> {
      const secret = cfg.sessionSecret as string;
      const flow = verify<{ state: string; nonce: string; back: string; exp: number }>(
        secret,
        cookiesOf(req)[FLOW_COOKIE],
        clock().getTime(),
      );
      if (!flow) throw new SignInProblem(401, "That sign-in took too long or did not start here. Sign in again.");
      if (url.searchParams.get("error"))
        throw new SignInProblem(401, "Slack did not sign you in (the request was declined). Sign in again.");
      const config = await configuration();
      // The URL Slack redirected to, as the browser saw it (PUBLIC_URL, not the Host header).
      const current = new URL(`${cfg.publicUrl}${CALLBACK_PATH}${url.search}`);
      let claims: oidc.IDToken | undefined;
      let accessToken: string;
      try {
        const tokens = await oidc.authorizationCodeGrant(config, current, {
          expectedState: flow.state,
          expectedNonce: flow.nonce,
          idTokenExpected: true,
        });
        claims = tokens.claims();
        accessToken = tokens.access_token;
      } catch {
        throw new SignInProblem(401, "Slack's answer to the sign-in did not check out. Sign in again.");
      }
      if (!claims) throw new SignInProblem(401, "Slack sent no identity. Sign in again.");
      const teamId = claims["https://slack.com/team_id"];
      if (cfg.oidc?.teamId && teamId !== cfg.oidc.teamId)
        throw new SignInProblem(403, "That Slack account belongs to another workspace.");
      const info = await oidc.fetchUserInfo(config, accessToken, claims.sub).catch(() => null);
      const userId = String(claims["https://slack.com/user_id"] ?? claims.sub);
      const name = String(info?.name ?? claims.name ?? userId).slice(0, 80);
      const session = sign(secret, { sub: userId, name, exp: clock().getTime() + SESSION_MS });
      return {
        location: flow.back,
        setCookies: [
          cookie(SESSION_COOKIE, session, "/insights", SESSION_MS / 1000),
          cookie(FLOW_COOKIE, "", CALLBACK_PATH, 0),
        ],
      };
    },

    signOutCookie: () => cookie(SESSION_COOKIE, "", "/insights", 0),
  };
}

export type InsightsAuth = ReturnType<typeof createInsightsAuth>;
