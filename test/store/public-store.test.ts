// The public store on both databases: only published, non-private incidents
// that are (or were) incidents, with only the allow-listed fields; and the
// publishing rules of the declare and update commands, and withdrawing a
// publication (unpublish).
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

  it.runIf(available(provider))(
    "an unpublished incident leaves every public read; publishing again gives it a new public id",
    async () => {
      const svc = createIncidentService({ store: opened.store, policy: TEST_POLICY });
      const ic = user("UIC2");
      const since = new Date(Date.now() - 86_400_000);
      const store = createPublicStore(opened.db);
      const a = await svc.declare(ic, { title: "internal", publish: true, publicTitle: "Withdrawn title" });
      await svc.postStatusUpdate(ic, { key: a.key, internalText: "i", publicText: "Withdrawn update" });
      const [before] = (await store.published(since, { updates: true })).filter((r) => r.title === "Withdrawn title");
      expect(before?.updates.map((u) => u.text)).toEqual(["Withdrawn update"]);
      const oldId = before!.publicId;

      // Only the IC or an admin; a reason is required.
      await expect(svc.unpublish(user("UOTHER2"), { key: a.key, reason: "no" })).rejects.toMatchObject({
        code: "forbidden",
      });
      await expect(svc.unpublish(ic, { key: a.key, reason: " " })).rejects.toMatchObject({ field: "reason" });
      await svc.unpublish(ic, { key: a.key, reason: "Published the wrong incident" }, { idempotencyKey: "view:U1" });
      // A Slack retry of the same submission is the same withdrawal, not a refusal.
      await svc.unpublish(ic, { key: a.key, reason: "Published the wrong incident" }, { idempotencyKey: "view:U1" });

      const everything = JSON.stringify([
        await store.published(since, { updates: true }),
        await store.published(since),
        await store.withUpdates([oldId]),
        await store.byPublicId(oldId),
      ]);
      expect(everything).not.toContain("Withdrawn");
      expect(everything).not.toContain(oldId);
      expect(await store.byPublicId(oldId)).toBeNull();

      const record = await opened.store.loadIncident(a.key);
      const events = record!.timeline.filter((e) => e.kind === "unpublished");
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        actorId: "UIC2",
        visibility: "internal",
        data: { reason: "Published the wrong incident", publicId: oldId, title: "Withdrawn title" },
      });
      await expect(svc.unpublish(ic, { key: a.key, reason: "again" })).rejects.toThrow(
        `${a.key} is not on the status page.`,
      );

      // Publishing again: a new id; the old link stays dead.
      await svc.postStatusUpdate(ic, { key: a.key, internalText: "i", publish: true, publicTitle: "Back again" });
      const again = await store.published(since);
      const back = again.find((r) => r.title === "Back again");
      expect(back?.publicId).toMatch(/^[0-9a-z]{12}$/);
      expect(back?.publicId).not.toBe(oldId);
      expect(await store.byPublicId(oldId)).toBeNull();
      expect((await store.byPublicId(back!.publicId))?.title).toBe("Back again");
      // An admin may take it down too.
      await svc.unpublish(user("UADMIN2", true), { key: a.key, reason: "admin" });
      expect(await store.byPublicId(back!.publicId)).toBeNull();
    },
  );
});
