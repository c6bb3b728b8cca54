// The public store on both databases: only published, non-private incidents
// that are (or were) incidents, with only the allow-listed fields; and the
// publishing rules of the declare and update commands.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIncidentService } from "../../src/incidents/service.js";
import { createPublicStore } from "../../src/store/public-store.js";
import { available, openTestStore, type Provider, TEST_POLICY, user } from "../helpers/stores.js";

describe.each(["sqlite", "postgresql"] as Provider[])("%s public store", (provider) => {
  let opened: Awaited<ReturnType<typeof openTestStore>>;
  beforeAll(async () => {
    if (available(provider)) opened = await openTestStore(provider);
  });
  afterAll(async () => {
    await opened?.cleanup();
  });

  it.runIf(available(provider))("shows published incidents only, with public words only", async () => {
    const svc = createIncidentService({
      store: opened.store,
      policy: { ...TEST_POLICY, statusPage: { components: ["API", "Admin console"] } },
    });
    const ic = user("UIC");
    const a = await svc.declare(ic, {
      title: "secret internal title",
      summary: "secret summary",
      components: ["secret-internal-component"],
      customersAffected: 3,
      publish: true,
      publicTitle: "Slow API",
      publicComponents: ["api"],
    });
    await svc.postStatusUpdate(ic, {
      key: a.key,
      internalText: "secret internal update",
      publicText: "Looking into it",
    });
    await svc.postStatusUpdate(ic, { key: a.key, internalText: "secret internal-only update" });
    // Not published; private (publishing refused); published then marked not an incident.
    await svc.declare(ic, { title: "secret unpublished" });
    await expect(
      svc.declare(ic, { title: "secret private", private: true, publish: true, publicTitle: "x" }),
    ).rejects.toMatchObject({ field: "publish" });
    const gone = await svc.declare(ic, { title: "secret false alarm", publish: true, publicTitle: "False alarm" });
    await svc.markNotAnIncident(ic, { key: gone.key, reason: "secret reason" });
    // Publishing asks for public words and configured components.
    await expect(svc.declare(ic, { title: "t", publish: true })).rejects.toMatchObject({ field: "publicTitle" });
    await expect(
      svc.declare(ic, { title: "t", publish: true, publicTitle: "p", publicComponents: ["Billing"] }),
    ).rejects.toMatchObject({ field: "publicComponents" });
    // Only the IC (or an admin) decides what is public.
    await expect(
      svc.postStatusUpdate(user("UOTHER"), { key: a.key, internalText: "x", publish: true }),
    ).rejects.toMatchObject({ code: "forbidden" });

    const store = createPublicStore(opened.db);
    const rows = await store.published(new Date(Date.now() - 86_400_000), { updates: true });
    expect(rows.map((r) => r.title)).toEqual(["Slow API"]);
    const [r] = rows;
    expect(r!.components).toEqual(["API"]);
    expect(r!.updates.map((u) => u.text)).toEqual(["Looking into it"]);
    expect(r!.publicId).toMatch(/^[0-9a-z]{12}$/);
    expect(JSON.stringify(rows)).not.toContain("secret");
    expect(await store.byPublicId(r!.publicId)).toEqual(r);
    expect(await store.withUpdates([r!.publicId, "nosuchid0000"])).toEqual([r]);
    // The light read (bars, history) leaves the updates out but keeps the public time moved by them.
    const [light] = await store.published(new Date(Date.now() - 86_400_000));
    expect(light).toEqual({ ...r, updates: [] });
    expect(light!.publicationUpdatedAt.getTime()).toBe(r!.updates[0]!.postedAt.getTime());
    expect(await store.byPublicId("nosuchid0000")).toBeNull();
  });
});
