// Reading a submitted modal: Slack's view state, validated with zod, turned
// into plain values by block id.
import { z } from "zod";
import { INPUT } from "./ids.js";

/** What a modal carries between opening and submission. */
export interface ModalMetadata {
  key?: string;
  /** The channel the person was in, for the confirmation. */
  origin?: string;
  /** For the message shortcut. */
  source?: { authorId?: string; postedAt?: string; permalink?: string };
  /** What a button opened the form about (a vendor check's id and the answer picked). */
  context?: Record<string, string>;
}

const option = z.object({ value: z.string() });
const element = z
  .object({
    type: z.string(),
    value: z.string().nullish(),
    selected_option: option.nullish(),
    selected_options: z.array(option).nullish(),
    selected_user: z.string().nullish(),
    selected_date: z.string().nullish(),
    selected_date_time: z.number().int().nullish(),
    selected_conversation: z.string().nullish(),
  })
  .loose();

export const viewPayload = z
  .object({
    id: z.string().min(1),
    callback_id: z.string(),
    private_metadata: z.string().default(""),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), element)) }),
  })
  .loose();
export type ViewPayload = z.infer<typeof viewPayload>;

export type FormValue = string | string[] | null;

/** Every input's value by block id: text, the selected option(s), user, date, or date-time (epoch seconds). */
export function readForm(view: ViewPayload): Record<string, FormValue> {
  const out: Record<string, FormValue> = {};
  for (const [blockId, actions] of Object.entries(view.state.values)) {
    const e = actions[INPUT];
    if (!e) continue;
    if (e.selected_options) out[blockId] = e.selected_options.map((o) => o.value);
    else if (e.selected_option !== undefined) out[blockId] = e.selected_option?.value ?? null;
    else if (e.selected_user !== undefined) out[blockId] = e.selected_user ?? null;
    else if (e.selected_date !== undefined) out[blockId] = e.selected_date ?? null;
    else if (e.selected_date_time !== undefined)
      out[blockId] = e.selected_date_time == null ? null : String(e.selected_date_time);
    else if (e.selected_conversation !== undefined) out[blockId] = e.selected_conversation ?? null;
    else out[blockId] = e.value ?? null;
  }
  return out;
}

const metadata = z
  .object({
    key: z.string().max(20).optional(),
    origin: z.string().max(30).optional(),
    source: z
      .object({ authorId: z.string().optional(), postedAt: z.string().optional(), permalink: z.string().optional() })
      .optional(),
    context: z.record(z.string().max(40), z.string().max(200)).optional(),
  })
  .catch({});

/** private_metadata is ours, but a client could send anything: parse it, never trust it. */
export function readMetadata(view: ViewPayload): ModalMetadata {
  try {
    return metadata.parse(JSON.parse(view.private_metadata || "{}"));
  } catch {
    return {};
  }
}

export const str = (v: FormValue | undefined): string | undefined => (typeof v === "string" ? v : undefined);
export const list = (v: FormValue | undefined): string[] =>
  Array.isArray(v)
    ? v
    : typeof v === "string"
      ? v
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
      : [];

/** A datetimepicker's value (epoch seconds) as a Date; null when it was cleared. */
export const dateTime = (v: FormValue | undefined): Date | null =>
  typeof v === "string" && /^\d+$/.test(v) ? new Date(Number(v) * 1000) : null;
