// Sign in with Slack (OpenID Connect) as the Slack emulator serves it, by
// Slack's published shape (EXTERNAL-APIS.md): the discovery document, the
// authorize redirect, `openid.connect.token` (form or JSON; client_id,
// client_secret, code, redirect_uri, which must match the one sent to
// authorize), `openid.connect.userInfo` and the JWKS. The ID token is signed
// RS256 with a key made at start-up. Errors come as Slack's Web API errors
// (HTTP 200, {ok:false, error}).
//
// The person at the browser: `signInAs(userId)` says who is signed in to the
// emulated Slack and approves the app; with nobody signed in, authorize
// answers 401 (the real Slack would show its sign-in page).
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { readBody } from "./http.js";

export interface OidcClient {
  clientId: string;
  clientSecret: string;
}

export interface SlackOidc {
  clients: OidcClient[];
  /** Who is signed in to Slack in the browser (null: nobody). */
  signInAs(userId: string | null): void;
  /** Each authorize request as it arrived (its query), oldest first. */
  authorizeRequests: Record<string, string>[];
}

interface Grant {
  clientId: string;
  redirectUri: string;
  userId: string;
  nonce: string | null;
  at: number;
  used: boolean;
}

const CODE_TTL_MS = 10 * 60_000;

export async function createSlackOidc(o: {
  baseUrl: () => string;
  teamId: string;
  users: Map<string, { id: string; name: string; email: string }>;
  clients: OidcClient[];
  now: () => number;
}) {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const kid = randomBytes(6).toString("hex");
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  const grants = new Map<string, Grant>();
  const accessTokens = new Map<string, { userId: string; clientId: string }>();
  let signedIn: string | null = null;
  const authorizeRequests: Record<string, string>[] = [];

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
    res.end(JSON.stringify(body));
  };
  const slackError = (res: ServerResponse, error: string) => json(res, 200, { ok: false, error });

  const claimsOf = (userId: string) => {
    const u = o.users.get(userId);
    return {
      sub: userId,
      "https://slack.com/user_id": userId,
      "https://slack.com/team_id": o.teamId,
      email: u?.email ?? `${userId.toLowerCase()}@example.com`,
      email_verified: true,
      name: u?.name ?? userId,
      given_name: (u?.name ?? userId).split(" ")[0],
    };
  };

  function discovery(res: ServerResponse) {
    const base = o.baseUrl();
    json(res, 200, {
      issuer: base,
      authorization_endpoint: `${base}/openid/connect/authorize`,
      token_endpoint: `${base}/api/openid.connect.token`,
      userinfo_endpoint: `${base}/api/openid.connect.userInfo`,
      jwks_uri: `${base}/openid/connect/keys`,
      scopes_supported: ["openid", "profile", "email"],
      response_types_supported: ["code"],
      response_modes_supported: ["query"],
      grant_types_supported: ["authorization_code"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["RS256"],
      claims_supported: ["sub", "auth_time", "iss"],
      claims_parameter_supported: false,
      request_parameter_supported: false,
      request_uri_parameter_supported: true,
      token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"],
    });
  }

  function authorize(res: ServerResponse, url: URL) {
    const q = Object.fromEntries(url.searchParams);
    authorizeRequests.push(q);
    const client = o.clients.find((c) => c.clientId === q.client_id);
    const redirect = q.redirect_uri;
    if (!client || !redirect) {
      res.writeHead(400, { "content-type": "text/plain" });
      return res.end("invalid_client_id");
    }
    const back = new URL(redirect);
    const fail = (error: string) => {
      back.searchParams.set("error", error);
      if (q.state) back.searchParams.set("state", q.state);
      res.writeHead(302, { location: back.toString() });
      res.end();
    };
    if (q.response_type !== "code") return fail("unsupported_response_type");
    if (!(q.scope ?? "").split(/[ +]/).includes("openid")) return fail("invalid_scope");
    if (!signedIn) {
      res.writeHead(401, { "content-type": "text/plain" });
      return res.end("Sign in to the emulated Slack workspace first.");
    }
    const code = randomBytes(16).toString("hex");
    grants.set(code, {
      clientId: client.clientId,
      redirectUri: redirect,
      userId: signedIn,
      nonce: q.nonce ?? null,
      at: o.now(),
      used: false,
    });
    back.searchParams.set("code", code);
    if (q.state) back.searchParams.set("state", q.state);
    res.writeHead(302, { location: back.toString() });
    res.end();
  }

  async function token(req: IncomingMessage, res: ServerResponse) {
    const raw = await readBody(req);
    const type = String(req.headers["content-type"] ?? "");
    let args: Record<string, string> = {};
    try {
      args = type.startsWith("application/json")
        ? (JSON.parse(raw) as Record<string, string>)
        : Object.fromEntries(new URLSearchParams(raw));
    } catch {
      return slackError(res, "invalid_json");
    }
    // client_secret_basic as well as client_secret_post.
    const basic = /^Basic\s+(.+)$/i.exec(String(req.headers.authorization ?? ""))?.[1];
    if (basic) {
      const [id, secret] = Buffer.from(basic, "base64").toString("utf8").split(":");
      args.client_id ??= decodeURIComponent(id ?? "");
      args.client_secret ??= decodeURIComponent(secret ?? "");
    }
    const client = o.clients.find((c) => c.clientId === args.client_id);
    if (!client) return slackError(res, "invalid_client_id");
    if (client.clientSecret !== args.client_secret) return slackError(res, "bad_client_secret");
    if (args.grant_type && args.grant_type !== "authorization_code") return slackError(res, "unsupported_grant_type");
    const grant = args.code ? grants.get(args.code) : undefined;
    if (!grant || grant.clientId !== client.clientId) return slackError(res, "invalid_code");
    if (grant.used) return slackError(res, "code_already_used");
    if (o.now() - grant.at > CODE_TTL_MS) return slackError(res, "code_expired");
    if (args.redirect_uri !== grant.redirectUri) return slackError(res, "bad_redirect_uri");
    grant.used = true;
    const accessToken = `xoxp-oidc-${randomBytes(12).toString("hex")}`;
    accessTokens.set(accessToken, { userId: grant.userId, clientId: client.clientId });
    const iat = Math.floor(o.now() / 1000);
    const idToken = await new SignJWT({
      ...claimsOf(grant.userId),
      ...(grant.nonce ? { nonce: grant.nonce } : {}),
      auth_time: iat,
    })
      .setProtectedHeader({ alg: "RS256", kid })
      .setIssuer(o.baseUrl())
      .setAudience(client.clientId)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 3600)
      .sign(privateKey);
    json(res, 200, { ok: true, access_token: accessToken, token_type: "Bearer", id_token: idToken });
  }

  async function userInfo(req: IncomingMessage, res: ServerResponse) {
    await readBody(req);
    const bearer = /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ""))?.[1];
    const t = bearer ? accessTokens.get(bearer) : undefined;
    if (!t) return slackError(res, bearer ? "invalid_auth" : "not_authed");
    json(res, 200, { ok: true, ...claimsOf(t.userId) });
  }

  const oidc: SlackOidc = {
    clients: o.clients,
    signInAs(userId) {
      signedIn = userId;
    },
    authorizeRequests,
  };

  /** Serves the request when it is one of Sign in with Slack's; false otherwise. */
  async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const p = url.pathname;
    if (req.method === "GET" && p === "/.well-known/openid-configuration") discovery(res);
    else if (req.method === "GET" && p === "/openid/connect/authorize") authorize(res, url);
    else if (req.method === "GET" && p === "/openid/connect/keys") json(res, 200, { keys: [jwk] });
    else if (req.method === "POST" && p === "/api/openid.connect.token") await token(req, res);
    else if ((req.method === "POST" || req.method === "GET") && p === "/api/openid.connect.userInfo")
      await userInfo(req, res);
    else return false;
    return true;
  }

  return { oidc, handle };
}
