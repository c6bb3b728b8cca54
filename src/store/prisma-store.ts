// The IncidentStore port on Prisma. Both generated clients (SQLite and
// PostgreSQL) have the same model API; the SQLite one's types stand for both.
import { ConcurrencyConflict } from "../errors.js";
import type { Handoff, Postmortem, RiskField, RoleAssignment, VendorCheck } from "../incidents/model.js";
import type { IncidentFilter, IncidentPatch, IncidentRecord, IncidentStore, IncidentTx } from "../incidents/ports.js";
import type { Publication } from "../incidents/publication.js";
import { type Client, type Db, jobRows, json, type Prisma } from "./db.js";
import { createHotReads, type Provider } from "./hot-reads.js";
import { toEvent, toIncident } from "./incident-row.js";
import { type ChainHead, createTimelineAppender, KnownHeads } from "./timeline-append.js";

type Appender = ReturnType<typeof createTimelineAppender>;

function patchData(p: IncidentPatch): Prisma.IncidentUpdateInput {
  const d: Prisma.IncidentUpdateInput = {};
  if (p.title !== undefined) d.title = p.title;
  if (p.summary !== undefined) d.summary = p.summary;
  if (p.status !== undefined) d.status = p.status;
  if (p.severity !== undefined) d.severity = p.severity;
  if (p.impacts !== undefined) d.impacts = json(p.impacts);
  if (p.scope !== undefined) {
    d.scopeComponents = json(p.scope.components);
    d.scopeRegions = json(p.scope.regions);
    d.customersAffected = p.scope.customersAffected;
    d.scopeCustomers = json(p.scope.customers);
  }
  if (p.assetRisk !== undefined) d.assetRisk = p.assetRisk;
  if (p.private !== undefined) d.private = p.private;
  if (p.disrupted !== undefined) d.disrupted = p.disrupted;
  if (p.resolutionSummary !== undefined) d.resolutionSummary = p.resolutionSummary;
  if (p.partiesInformed !== undefined) d.partiesInformed = json(p.partiesInformed);
  if (p.times) Object.assign(d, p.times);
  return d;
}

/**
 * `heads`: the chain heads of the incidents this transaction has locked, as
 * they stand after its own appends (published to KnownHeads once committed).
 */
function txApi(db: Client, reads: HotReads, appender: Appender, heads: Map<string, ChainHead>): IncidentTx {
  return {
    async nextIncidentNumber() {
      const row = await db.counter.upsert({
        where: { name: "incident" },
        create: { name: "incident", value: 1 },
        update: { value: { increment: 1 } },
      });
      return row.value;
    },
    async insertIncident(i) {
      await db.incident.create({
        data: {
          id: i.id,
          number: i.number,
          key: i.key,
          title: i.title,
          summary: i.summary,
          status: i.status,
          severity: i.severity,
          impacts: json(i.impacts),
          scopeComponents: json(i.scope.components),
          scopeRegions: json(i.scope.regions),
          customersAffected: i.scope.customersAffected,
          scopeCustomers: json(i.scope.customers),
          assetRisk: i.assetRisk,
          private: i.private,
          disrupted: i.disrupted,
          reportSource: i.reportSource,
          reportedBy: i.reportedBy,
          declaredBy: i.declaredBy,
          ...i.times,
          resolutionSummary: i.resolutionSummary,
          partiesInformed: json(i.partiesInformed),
          version: i.version,
        },
      });
    },
    async findIncidentWithRoles(key) {
      return reads.incidentWithRoles(db, { key });
    },
    async findIncidentById(id) {
      const r = await db.incident.findUnique({ where: { id } });
      return r ? toIncident(r) : null;
    },
    async updateIncident(id, expectedVersion, patch) {
      try {
        const r = await db.incident.update({
          where: { id, version: expectedVersion },
          data: { ...patchData(patch), version: { increment: 1 } },
        });
        // The row is now locked by this transaction: its head is the one to chain from.
        heads.set(id, { head: r.timelineHead, length: r.timelineLength });
        return toIncident(r);
      } catch (e) {
        if ((e as { code?: string }).code === "P2025") throw new ConcurrencyConflict(e);
        throw e;
      }
    },
    async activeRoles(incidentId) {
      return db.roleAssignment.findMany({ where: { incidentId, endedAt: null }, orderBy: { assignedAt: "asc" } });
    },
    async insertRole(role) {
      await db.roleAssignment.create({ data: role });
    },
    async endRole(id, endedAt, endedBy) {
      await db.roleAssignment.update({ where: { id }, data: { endedAt, endedBy } });
    },
    async pendingHandoff(incidentId) {
      return db.handoff.findFirst({ where: { incidentId, status: "pending" } });
    },
    async findHandoff(id) {
      return db.handoff.findUnique({ where: { id } });
    },
    async insertHandoff(h) {
      await db.handoff.create({ data: h });
    },
    async answerHandoff(id, answer) {
      await db.handoff.update({ where: { id }, data: answer });
    },
    async insertStatusUpdate(u) {
      await db.statusUpdate.create({ data: u });
    },
    async insertEscalation(e) {
      await db.escalation.create({ data: e });
    },
    async findVendorCheck(id) {
      return db.vendorCheck.findUnique({ where: { id } });
    },
    async insertVendorCheck(c) {
      await db.vendorCheck.create({ data: c });
    },
    async answerVendorCheck(id, answer) {
      await db.vendorCheck.update({ where: { id }, data: answer });
    },
    async insertFollowUp(f) {
      await db.followUp.create({ data: f });
    },
    async findFollowUp(id) {
      return db.followUp.findUnique({ where: { id } });
    },
    async completeFollowUp(id, _done) {
      // Who and when are on the timeline event written with it.
      await db.followUp.update({ where: { id }, data: { status: "done" } });
    },
    async insertRisk(r) {
      await db.risk.create({ data: r });
    },
    async findRisk(id) {
      return db.risk.findUnique({ where: { id } });
    },
    async updateRisk(id, r) {
      const { id: _id, incidentId: _incident, createdAt: _created, createdBy: _by, ...data } = r;
      await db.risk.update({ where: { id }, data });
    },
    async insertRiskChanges(changes) {
      if (changes.length) await db.riskChange.createMany({ data: changes });
    },
    async listFollowUps(incidentId) {
      return db.followUp.findMany({ where: { incidentId }, orderBy: { createdAt: "asc" } });
    },
    async listRisks(incidentId) {
      return db.risk.findMany({ where: { incidentId }, orderBy: { createdAt: "asc" } });
    },
    async findPostmortem(incidentId) {
      return db.postmortem.findUnique({ where: { incidentId } });
    },
    async savePostmortem(pm) {
      const { incidentId, ...rest } = pm;
      await db.postmortem.upsert({ where: { incidentId }, create: pm, update: rest });
    },
    findPublication: (incidentId) => publicationOf(db, incidentId),
    async savePublication(p) {
      const { incidentId, ...rest } = p;
      const data = { ...rest, components: json(p.components) };
      await db.publication.upsert({ where: { incidentId }, create: { incidentId, ...data }, update: data });
    },
    async deletePublication(incidentId) {
      await db.publication.deleteMany({ where: { incidentId } });
    },
    async appendEvent(e) {
      const from = heads.get(e.incidentId) ?? (await appender.lockHeads(db, [e.incidentId])).get(e.incidentId);
      if (!from) throw new Error(`no incident ${e.incidentId} to append an event to`);
      const { id, head } = await appender.append(db, e, from);
      heads.set(e.incidentId, head);
      return id;
    },
    async countEvents(incidentId, kinds) {
      return db.timelineEvent.count({ where: { incidentId, kind: { in: [...kinds] } } });
    },
    async listEvents(incidentId, kinds) {
      const rows = await db.timelineEvent.findMany({
        where: { incidentId, kind: { in: [...kinds] } },
        orderBy: { id: "asc" },
      });
      return rows.map(toEvent);
    },
    async enqueueJobs(jobs, runAt) {
      await db.job.createMany({ data: jobRows(jobs, runAt) });
    },
    async findIdempotency(key) {
      const r = await db.idempotencyKey.findUnique({ where: { key } });
      return r ? { key: r.key, command: r.command, incidentId: r.incidentId, result: r.result } : null;
    },
    async saveIdempotency(rec, at) {
      // createMany: nothing to read back (create would return the row).
      await db.idempotencyKey.createMany({
        data: {
          key: rec.key,
          command: rec.command,
          incidentId: rec.incidentId,
          result: json(rec.result),
          createdAt: at,
        },
      });
    },
  };
}

/** Errors that mean "someone else wrote first": the whole command may be retried. */
async function publicationOf(db: Client, incidentId: string): Promise<Publication | null> {
  const row = await db.publication.findUnique({ where: { incidentId } });
  return row ? { ...row, components: row.components as string[] } : null;
}

export function isConflict(e: unknown): boolean {
  const code = (e as { code?: string }).code;
  if (code === "P2002" || code === "P2034") return true;
  // Prisma 7 may report the driver's error only in its metadata, with an
  // empty message: SQLite's SQLITE_BUSY_SNAPSHOT (another process wrote since
  // this transaction read) comes as P1008 so.
  const cause = (
    e as { meta?: { driverAdapterError?: { cause?: { originalCode?: string; originalMessage?: string } } } }
  ).meta?.driverAdapterError?.cause;
  const text = `${String((e as Error)?.message ?? "")} ${cause?.originalCode ?? ""} ${cause?.originalMessage ?? ""}`;
  return /SQLITE_BUSY|database is locked|could not serialize|deadlock detected/i.test(text);
}

type HotReads = ReturnType<typeof createHotReads>;

/**
 * Everything about one incident. The relations are read side by side (on
 * PostgreSQL each on its own pooled connection), the timeline with one raw
 * statement.
 */
async function loadRecord(
  db: Db,
  reads: HotReads,
  where: { key: string } | { id: string },
): Promise<IncidentRecord | null> {
  const r = await db.incident.findUnique({ where: "id" in where ? { id: where.id } : { key: where.key } });
  if (!r) return null;
  const incidentId = r.id;
  const [roles, handoffs, statusUpdates, escalations, vendorChecks, followUps, risks, postmortem, timeline] =
    await Promise.all([
      db.roleAssignment.findMany({ where: { incidentId }, orderBy: { assignedAt: "asc" } }),
      db.handoff.findMany({ where: { incidentId }, orderBy: { proposedAt: "asc" } }),
      db.statusUpdate.findMany({ where: { incidentId }, orderBy: { postedAt: "asc" } }),
      db.escalation.findMany({ where: { incidentId }, orderBy: { at: "asc" } }),
      db.vendorCheck.findMany({ where: { incidentId }, orderBy: { askedAt: "asc" } }),
      db.followUp.findMany({ where: { incidentId }, orderBy: { createdAt: "asc" } }),
      db.risk.findMany({ where: { incidentId }, orderBy: { createdAt: "asc" } }),
      db.postmortem.findUnique({ where: { incidentId } }),
      reads.timeline(db, incidentId),
    ]);
  return {
    incident: toIncident(r),
    roles: roles as RoleAssignment[],
    handoffs: handoffs as Handoff[],
    statusUpdates,
    escalations,
    vendorChecks: vendorChecks as VendorCheck[],
    followUps,
    risks,
    postmortem: postmortem as Postmortem | null,
    timeline,
  };
}

export function createPrismaStore(
  db: Db,
  options: { provider: Provider; transactionTimeoutMs?: number },
): IncidentStore {
  const reads = createHotReads(options.provider);
  const appender = createTimelineAppender(options.provider);
  const known = new KnownHeads();
  const txOptions = { maxWait: 10_000, timeout: options.transactionTimeoutMs ?? 15_000 };
  return {
    async transaction(fn) {
      const heads = new Map<string, ChainHead>();
      try {
        const result = await db.$transaction((tx) => fn(txApi(tx as Client, reads, appender, heads)), txOptions);
        for (const [id, head] of heads) known.set(id, head);
        return result;
      } catch (e) {
        if (!(e instanceof ConcurrencyConflict) && isConflict(e)) throw new ConcurrencyConflict(e);
        throw e;
      }
    },

    async appendEvents(events) {
      if (!events.length) return [];
      const [only] = events;
      const from = events.length === 1 && only ? known.get(only.incidentId) : undefined;
      if (only && from) {
        // One event after the head this process last saw: one statement, in a
        // batch transaction (a round trip fewer than an interactive one).
        const { statement, head } = appender.prepare(db, only, from);
        const [rows] = await db.$transaction([statement]);
        const row = rows?.[0];
        if (row) {
          known.set(only.incidentId, head);
          return [Number(row.id)];
        }
        // Another process appended since: nothing was written; lock and read the head.
        known.forget(only.incidentId);
      }
      const appended = await db.$transaction(async (tx) => {
        const heads = await appender.lockHeads(
          tx as Client,
          events.map((e) => e.incidentId),
        );
        const ids: number[] = [];
        for (const e of events) {
          const before = heads.get(e.incidentId);
          if (!before) throw new Error(`no incident ${e.incidentId} to append an event to`);
          const { id, head } = await appender.append(tx as Client, e, before);
          heads.set(e.incidentId, head);
          ids.push(id);
        }
        return { ids, heads };
      }, txOptions);
      for (const [id, head] of appended.heads) known.set(id, head);
      return appended.ids;
    },

    async listIncidents(filter: IncidentFilter) {
      const rows = await db.incident.findMany({
        where: {
          ...(filter.status?.length ? { status: { in: filter.status } } : {}),
          ...(filter.severity?.length ? { severity: { in: filter.severity } } : {}),
        },
        orderBy: { number: "desc" },
        take: filter.limit ?? 100,
      });
      return rows.map(toIncident);
    },

    async listIncidentSummaries(filter) {
      return reads.listWithRoles(db, filter);
    },
    async loadIncident(key) {
      return loadRecord(db, reads, { key });
    },
    async loadIncidentById(id) {
      return loadRecord(db, reads, { id });
    },
    async incidentSummary(where) {
      return reads.incidentWithRoles(db, where);
    },
    async activeRoles(incidentIds) {
      const rows = await db.roleAssignment.findMany({
        where: { incidentId: { in: incidentIds }, endedAt: null },
        orderBy: { assignedAt: "asc" },
      });
      const out = new Map<string, RoleAssignment[]>(incidentIds.map((id) => [id, []]));
      for (const r of rows) out.get(r.incidentId)?.push(r as RoleAssignment);
      return out;
    },
    async findEvent(id) {
      const r = await db.timelineEvent.findUnique({ where: { id } });
      return r ? toEvent(r) : null;
    },
    async findHandoff(id) {
      return db.handoff.findUnique({ where: { id } });
    },
    async findStatusUpdate(id) {
      return db.statusUpdate.findUnique({ where: { id } });
    },
    async draftPostmortemsOwnedBy(userId, limit = 50) {
      const rows = await db.postmortem.findMany({
        where: { ownerId: userId, status: "draft" },
        select: { incident: { select: { id: true, key: true, title: true, private: true } } },
        orderBy: { updatedAt: "asc" },
        take: limit,
      });
      return rows.map(({ incident: i }) => ({
        incidentId: i.id,
        incidentKey: i.key,
        incidentTitle: i.title,
        incidentPrivate: i.private,
      }));
    },
    async openFollowUpsOwnedBy(userId, limit = 50) {
      // Served by the (ownerId, status) index.
      const rows = await db.followUp.findMany({
        where: { ownerId: userId, status: "open" },
        include: { incident: { select: { key: true, private: true } } },
        orderBy: [{ dueDate: { sort: "asc", nulls: "last" } }, { createdAt: "asc" }],
        take: limit,
      });
      return rows.map(({ incident, ...f }) => ({ ...f, incidentKey: incident.key, incidentPrivate: incident.private }));
    },
    async findPostmortem(incidentId) {
      return db.postmortem.findUnique({ where: { incidentId } });
    },
    findPublication: (incidentId) => publicationOf(db, incidentId),
    async riskRegister(filter) {
      const rows = await db.risk.findMany({
        where: {
          ...(filter.status?.length ? { status: { in: filter.status } } : {}),
          ...(filter.ownerId ? { ownerId: filter.ownerId } : {}),
          ...(filter.incidentId ? { incidentId: filter.incidentId } : {}),
        },
        include: { incident: { select: { key: true, private: true } } },
        orderBy: [{ createdAt: "desc" }, { id: "asc" }],
        take: filter.limit ?? 1000,
      });
      return rows.map(({ incident, ...r }) => ({ ...r, incidentKey: incident.key, incidentPrivate: incident.private }));
    },
    async findRisk(id) {
      const r = await db.risk.findUnique({
        where: { id },
        include: { incident: { select: { key: true, private: true } } },
      });
      if (!r) return null;
      const { incident, ...risk } = r;
      return { ...risk, incidentKey: incident.key, incidentPrivate: incident.private };
    },
    async riskChanges(riskId) {
      const rows = await db.riskChange.findMany({ where: { riskId }, orderBy: { id: "asc" } });
      return rows.map((r) => ({ ...r, field: r.field as RiskField }));
    },
    async workingHoursOf(userIds) {
      const rows = userIds.length ? await db.workingHours.findMany({ where: { userId: { in: userIds } } }) : [];
      return new Map(
        rows.map((r) => [
          r.userId,
          { startMinute: r.startMinute, endMinute: r.endMinute, days: r.days.split(",").map(Number) },
        ]),
      );
    },
    async saveWorkingHours(userId, hours, at) {
      const row = {
        startMinute: hours.startMinute,
        endMinute: hours.endMinute,
        days: hours.days.join(","),
        updatedAt: at,
      };
      await db.workingHours.upsert({ where: { userId }, create: { userId, ...row }, update: row });
    },

    async close() {
      await db.$disconnect();
    },
  };
}
