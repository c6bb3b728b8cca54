// Posting to a response_url. Bolt's respond() opens a new connection per
// call; fetch keeps connections to Slack alive, which matters under load.
import { z } from "zod";

const responseUrl = z.string().url().startsWith("http");

export async function respondTo(url: string | undefined, body: Record<string, unknown>): Promise<boolean> {
  if (!url || !responseUrl.safeParse(url).success) return false;
  try {
    const r = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    await r.arrayBuffer();
    return r.ok;
  } catch {
    return false;
  }
}
