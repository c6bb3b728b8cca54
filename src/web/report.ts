// The public outage report form, /report: people outside the company tell
// the responders something is broken. A report becomes a triage message in
// the incident channel (intake), never an incident by itself.
//
// Spam protection without a third-party service and without JavaScript:
// - a honeypot field people never see (hidden by CSS, skipped by keyboard and
//   screen readers) that form-filling bots fill in;
// - a time trap: the form carries a signed token with the time it was served;
//   a submission sooner than REPORT_MIN_FILL_SECONDS, older than a day, or
//   without a valid token (a bot posting straight at the endpoint) is refused;
// - rate limits per reporter's address and per client address, kept in the
//   database so they hold across replicas.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { AppError } from "../errors.js";
import type { IntakeService } from "../intake/service.js";
import { clientAddress } from "./client-address.js";
import { type Html, html, htmlResponse, page } from "./html.js";
import type { Metrics, ReportOutcome } from "./metrics.js";
import type { RouteTable, WebRequest, WebResponse } from "./server.js";

export const REPORT_PATH = "/report";
/** The honeypot's name: one a bot wants to fill in. */
export const HONEYPOT = "website";
const TOKEN_MAX_AGE_MS = 24 * 60 * 60_000;
const BODY_LIMIT = 32 * 1024;

/** The time-trap token's key: from a secret every replica has, never sent anywhere. */
export function reportFormSecret(config: {
  slack: { signingSecret?: string | undefined; botToken?: string | undefined };
}): string {
  return createHash("sha256")
    .update(`muster report form\0${config.slack.signingSecret ?? config.slack.botToken ?? ""}`)
    .digest("hex");
}

export interface ReportFormDeps {
  intake: Pick<IntakeService, "reportOutage" | "policy">;
  /** Tells the outbox worker a triage message was queued. */
  wake: () => void;
  metrics: Pick<Metrics, "report">;
  /** Signs the time-trap token (derived from a secret in config; the same on every replica). */
  secret: string;
  /** Submissions faster than this after the form was served are refused. */
  minFillMs: number;
  trustProxy: boolean;
  clock: () => Date;
}

const CSS = `
form{display:grid;gap:1rem;max-width:36rem}label{font-weight:600;display:block;margin-bottom:.25rem}
input,textarea,select{width:100%;font:inherit;padding:.55rem .6rem;border:1px solid var(--line);border-radius:.4rem;background:var(--bg);color:var(--fg)}
textarea{min-height:9rem}button{font:inherit;font-weight:600;padding:.6rem 1.2rem;border:0;border-radius:.4rem;background:#3b5bdb;color:#fff;cursor:pointer;justify-self:start}
.hint{font-size:.9rem;color:var(--muted);margin:.2rem 0 0}.error{border-left:4px solid var(--crit);padding:.5rem .8rem;background:rgba(201,42,42,.08)}
.trap{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
`;

interface Values {
  description?: string;
  contact?: string;
  component?: string;
}

export function registerReportRoutes(routes: RouteTable, deps: ReportFormDeps): void {
  const sign = (issuedAt: number) =>
    createHmac("sha256", deps.secret).update(`muster-report-form:${issuedAt}`).digest("base64url");
  const token = () => {
    const at = deps.clock().getTime();
    return `${at}.${sign(at)}`;
  };
  /** How old the form is, or null when the token is not one muster made. */
  const formAge = (t: string): number | null => {
    const [at, mac] = t.split(".");
    const issuedAt = Number(at);
    if (!Number.isSafeInteger(issuedAt) || !mac) return null;
    const want = Buffer.from(sign(issuedAt));
    const got = Buffer.from(mac);
    if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
    return deps.clock().getTime() - issuedAt;
  };

  const form = (status: number, values: Values = {}, problem?: string, headers: Record<string, string> = {}) =>
    htmlResponse(
      status,
      page({
        title: "Report an outage",
        css: CSS,
        body: reportForm(token(), deps.intake.policy.report.components, values, problem),
      }),
      // The token is per view: never cache the form.
      { "cache-control": "no-store", ...headers },
    );

  routes.add({ method: "GET", path: REPORT_PATH, handle: () => form(200) });
  routes.add({
    method: "GET",
    path: `${REPORT_PATH}/sent`,
    handle: () =>
      htmlResponse(
        200,
        page({
          title: "Thank you",
          css: CSS,
          body: html`<h1>Thank you</h1>
<p>Your report reached the people on call. They will look into it and reply to the address you gave if they need more from you.</p>
<p><a href="${REPORT_PATH}">Report something else</a></p>`,
        }),
      ),
  });
  /** Decides on one submission; the route counts what became of it. */
  async function receive(r: WebRequest): Promise<{ outcome: ReportOutcome; response: WebResponse }> {
    const type = (r.req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
    if (type !== "application/x-www-form-urlencoded")
      return { outcome: "invalid", response: form(415, {}, "Please send the report from the form on this page.") };
    const fields = new URLSearchParams((await r.body(BODY_LIMIT)).toString("utf8"));
    const values: Values = {
      description: fields.get("description") ?? "",
      contact: fields.get("contact") ?? "",
      component: fields.get("component") ?? "",
    };
    // A person never sees the honeypot: whatever filled it in is not one.
    if (fields.get(HONEYPOT)) return { outcome: "spam_rejected", response: refused() };
    const age = formAge(fields.get("token") ?? "");
    if (age === null || age > TOKEN_MAX_AGE_MS)
      return {
        outcome: "spam_rejected",
        response: form(400, values, "This form has expired. Please check your report and send it again."),
      };
    if (age < deps.minFillMs)
      return {
        outcome: "spam_rejected",
        response: form(400, values, "That was very fast. Please check your report and send it again."),
      };
    try {
      const result = await deps.intake.reportOutage(
        {
          description: values.description ?? "",
          contact: values.contact ?? "",
          ...(values.component ? { component: values.component } : {}),
        },
        clientAddress(r.req, deps.trustProxy),
      );
      if (!result.ok) {
        const wait = Math.max(1, Math.ceil((result.retryAt.getTime() - deps.clock().getTime()) / 1000));
        return {
          outcome: "rate_limited",
          response: form(
            429,
            values,
            `Too many reports from you in a short time. Please try again in ${wait >= 120 ? `${Math.ceil(wait / 60)} minutes` : `${wait} seconds`}.`,
            { "retry-after": String(wait) },
          ),
        };
      }
      deps.wake();
      return {
        outcome: "accepted",
        response: { status: 303, headers: { location: `${REPORT_PATH}/sent`, "cache-control": "no-store" } },
      };
    } catch (e) {
      if (e instanceof AppError && e.code === "validation")
        return { outcome: "invalid", response: form(400, values, e.message) };
      throw e;
    }
  }
  routes.add({
    method: "POST",
    path: REPORT_PATH,
    handle: async (r: WebRequest): Promise<WebResponse> => {
      const { outcome, response } = await receive(r);
      deps.metrics.report(outcome);
      return response;
    },
  });

  /** Same words for every bot trap: nothing tells a bot which one it tripped. */
  function refused(): WebResponse {
    return htmlResponse(
      400,
      page({
        title: "Report not accepted",
        css: CSS,
        body: html`<h1>Report not accepted</h1><p>This report could not be accepted. If you are a person, please <a href="${REPORT_PATH}">open the form again</a> and send it from there.</p>`,
      }),
      { "cache-control": "no-store" },
    );
  }
}

function reportForm(token: string, components: string[], v: Values, problem?: string): Html {
  const component = components.length
    ? html`<select id="component" name="component"><option value="">Not sure</option>${components.map(
        (c) => html`<option value="${c}"${v.component === c ? html` selected` : ""}>${c}</option>`,
      )}</select>`
    : html`<input id="component" name="component" maxlength="100" value="${v.component ?? ""}" placeholder="e.g. Admin console, login, DNS">`;
  return html`<h1>Report an outage</h1>
<p class="muted">Something not working? Tell the people on call. Please don't include passwords or other secrets.</p>
${problem ? html`<p class="error" role="alert">${problem}</p>` : ""}
<form method="post" action="${REPORT_PATH}">
<input type="hidden" name="token" value="${token}">
<div><label for="description">What is happening?</label>
<textarea id="description" name="description" required minlength="10" maxlength="3000">${v.description ?? ""}</textarea>
<p class="hint">What you tried, what you saw, since when.</p></div>
<div><label for="contact">Your e-mail address</label>
<input id="contact" name="contact" type="email" required maxlength="254" autocomplete="email" value="${v.contact ?? ""}">
<p class="hint">Only to reply to you about this report.</p></div>
<div><label for="component">Which part is affected? <span class="muted">(optional)</span></label>${component}</div>
<div class="trap" aria-hidden="true"><label for="${HONEYPOT}">Leave this empty</label><input id="${HONEYPOT}" name="${HONEYPOT}" tabindex="-1" autocomplete="off"></div>
<button type="submit">Send report</button>
</form>`;
}
