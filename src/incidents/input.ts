// Input rules shared by the commands. Every message is written for the
// person who typed the value; `path` names the field for modal errors.
import { z } from "zod";
import { AppError } from "../errors.js";
import { IMPACTS, REPORT_SOURCES, SEVERITIES, VENDOR_ANSWERS } from "./model.js";

export const LIMITS = {
  title: 150,
  text: 3000,
  longText: 40_000,
  name: 200,
  list: 50,
  userId: 64,
} as const;

// <!channel>, <!here>, <!subteam^…>, <@U123>, <#C123>: a title is repeated in
// channel names, topics, announcements and issue titles, so it must never
// carry a mention or a broadcast.
const SLACK_CONTROL = /<[!@#][^>]*>/;

// Control characters other than tab/newline, zero-width characters (but not
// the joiner inside emoji), and bidi overrides that make text read differently
// from what it is.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f\u200b\u200c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

const clean = (s: string) => s.replace(INVISIBLE, "").trim();

export const title = z
  .string({ error: "Give the incident a title." })
  .transform((s) => clean(s).replace(/\s+/g, " "))
  .pipe(
    z
      .string()
      .min(1, "Give the incident a title.")
      .max(LIMITS.title, `Keep the title to ${LIMITS.title} characters or fewer; put details in the summary.`)
      .refine(
        (s) => !SLACK_CONTROL.test(s),
        "A title can't contain Slack mentions or broadcasts such as <!channel> or <@U123>. Describe the incident in words.",
      ),
  );

export const text = (what: string, max: number = LIMITS.text) =>
  z
    .string()
    .transform(clean)
    .pipe(z.string().max(max, `Keep ${what} to ${max.toLocaleString("en")} characters or fewer.`));

export const requiredText = (what: string, max: number = LIMITS.text) =>
  text(what, max).pipe(z.string().min(1, `Please give ${what}.`));

export const userId = z
  .string()
  .trim()
  .min(1, "Pick a person.")
  .max(LIMITS.userId, "That person's id is not valid.")
  .regex(/^[A-Za-z0-9._:@-]+$/, "That person's id is not valid.");

export const severity = z.enum(SEVERITIES, {
  error: `Severity must be one of: ${SEVERITIES.join(", ")}.`,
});
export const impacts = z
  .array(z.enum(IMPACTS, { error: `Impact must be one of: ${IMPACTS.join(", ")}.` }))
  .transform((xs) => [...new Set(xs)]);
export const reportSource = z.enum(REPORT_SOURCES, {
  error: `How it was reported must be one of: ${REPORT_SOURCES.join(", ")}.`,
});
export const vendorAnswer = z.enum(VENDOR_ANSWERS, {
  error: `The vendor's answer must be one of: ${VENDOR_ANSWERS.join(", ")}.`,
});

export const nameList = (what: string) =>
  z
    .array(text(what, LIMITS.name))
    .max(LIMITS.list, `List at most ${LIMITS.list} ${what}.`)
    .transform((xs) => [...new Set(xs.filter((x) => x !== ""))]);

/** Named affected customers or tenants: each becomes a party on the resolution checklist. */
export const customers = z
  .array(text("a customer's name", 75))
  .transform((xs) => [...new Set(xs.filter((x) => x !== ""))])
  .pipe(z.array(z.string()).max(15, "Name at most 15 customers or tenants; describe the rest in the scope."));

export const date = z.coerce.date({ error: "That is not a valid date and time." });

export const idempotencyKey = z.string().min(1).max(200).optional();

/** Parses input or throws an AppError naming the first bad field in plain words. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.map(String).join(".") || undefined;
  const message = issue?.message ?? "That input is not valid.";
  throw new AppError("validation", message, field === undefined ? {} : { field });
}
