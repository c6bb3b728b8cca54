// Small Block Kit builders, typed with Slack's own Block Kit types
// (@slack/types). Every piece of text passes through the limits here, so no
// view can produce a block Slack would refuse.
import type {
  ActionsBlock,
  ActionsBlockElement,
  Button,
  Checkboxes,
  ContextBlock,
  Datepicker,
  DateTimepicker,
  DividerBlock,
  HeaderBlock,
  HomeView,
  InputBlock,
  InputBlockElement,
  KnownBlock,
  ModalView,
  MrkdwnElement,
  NumberInput,
  PlainTextElement,
  PlainTextInput,
  PlainTextOption,
  RadioButtons,
  SectionBlock,
  SectionBlockAccessory,
  StaticSelect,
  UsersSelect,
} from "@slack/types";
import { INPUT } from "../ids.js";
import { SLACK_LIMITS, safe, truncate } from "../text.js";

export type Block = KnownBlock;
export type Option = PlainTextOption;
export type { HomeView, ModalView };

export const plain = (text: string, max: number = SLACK_LIMITS.sectionText): PlainTextElement => ({
  type: "plain_text",
  text: truncate(text, max) || " ",
  emoji: true,
});
export const md = (text: string): MrkdwnElement => ({
  type: "mrkdwn",
  text: truncate(text, SLACK_LIMITS.sectionText) || " ",
});

export const header = (text: string): HeaderBlock => ({ type: "header", text: plain(text, SLACK_LIMITS.header) });
export const section = (text: string, accessory?: SectionBlockAccessory): SectionBlock => ({
  type: "section",
  text: md(text),
  ...(accessory ? { accessory } : {}),
});
export const fields = (items: string[]): SectionBlock => ({
  type: "section",
  fields: items.slice(0, 10).map((t) => ({ type: "mrkdwn", text: truncate(t, SLACK_LIMITS.field) || " " })),
});
export const context = (items: string[]): ContextBlock => ({
  type: "context",
  elements: items.slice(0, SLACK_LIMITS.contextElements).map((t) => md(t)),
});
export const divider = (): DividerBlock => ({ type: "divider" });

export const button = (
  text: string,
  actionId: string,
  value: string,
  style?: "primary" | "danger",
  url?: string,
): Button => ({
  type: "button",
  text: plain(text, SLACK_LIMITS.buttonText),
  action_id: actionId,
  value: value.slice(0, SLACK_LIMITS.buttonValue),
  ...(style ? { style } : {}),
  ...(url ? { url } : {}),
});
export const actions = (blockId: string, elements: ActionsBlockElement[]): ActionsBlock => ({
  type: "actions",
  block_id: blockId,
  elements: elements.slice(0, 25),
});

export const option = (text: string, value: string, description?: string): Option => ({
  text: { type: "plain_text", text: truncate(text, SLACK_LIMITS.optionText) || " " },
  value: value.slice(0, SLACK_LIMITS.optionValue),
  ...(description ? { description: { type: "plain_text", text: truncate(description, SLACK_LIMITS.optionText) } } : {}),
});

interface InputOptions {
  optional?: boolean;
  hint?: string;
}
export const input = (
  blockId: string,
  label: string,
  element: InputBlockElement,
  o: InputOptions = {},
): InputBlock => ({
  type: "input",
  block_id: blockId,
  label: plain(label, 2000),
  element: { ...element, action_id: INPUT },
  optional: o.optional ?? false,
  ...(o.hint ? { hint: plain(o.hint, 2000) } : {}),
});

export const textInput = (
  o: { initial?: string | null; multiline?: boolean; max?: number; placeholder?: string } = {},
): PlainTextInput => ({
  type: "plain_text_input",
  multiline: o.multiline ?? false,
  ...(o.initial ? { initial_value: o.initial.slice(0, o.max ?? 3000) } : {}),
  ...(o.max ? { max_length: o.max } : {}),
  ...(o.placeholder ? { placeholder: plain(o.placeholder, 150) } : {}),
});
export const numberInput = (initial?: number | null): NumberInput => ({
  type: "number_input",
  is_decimal_allowed: false,
  min_value: "0",
  ...(initial !== null && initial !== undefined ? { initial_value: String(initial) } : {}),
});
export const userSelect = (initial?: string | null): UsersSelect => ({
  type: "users_select",
  ...(initial ? { initial_user: initial } : {}),
});
export const staticSelect = (options: Option[], initial?: string | null): StaticSelect => {
  const opts = options.slice(0, SLACK_LIMITS.selectOptions);
  const init = opts.find((o) => o.value === initial);
  return { type: "static_select", options: opts, ...(init ? { initial_option: init } : {}) };
};
export const radios = (options: Option[], initial?: string | null): RadioButtons => {
  const opts = options.slice(0, 10);
  const init = opts.find((o) => o.value === initial);
  return { type: "radio_buttons", options: opts, ...(init ? { initial_option: init } : {}) };
};
export const checkboxes = (options: Option[], initial: readonly string[] = []): Checkboxes => {
  const opts = options.slice(0, 10);
  const init = opts.filter((o) => initial.includes(o.value ?? ""));
  return { type: "checkboxes", options: opts, ...(init.length ? { initial_options: init } : {}) };
};
export const datePicker = (initial?: string | null): Datepicker => ({
  type: "datepicker",
  ...(initial ? { initial_date: initial } : {}),
});
/** Slack shows it in the person's own time zone; the value is epoch seconds either way. */
export const dateTimePicker = (initial?: Date | null): DateTimepicker => ({
  type: "datetimepicker",
  ...(initial ? { initial_date_time: Math.floor(initial.getTime() / 1000) } : {}),
});

export function modal(o: {
  callbackId: string;
  title: string;
  submit?: string;
  blocks: Block[];
  metadata?: object;
}): ModalView {
  const metadata = JSON.stringify(o.metadata ?? {});
  if (metadata.length > SLACK_LIMITS.privateMetadata) throw new Error("private_metadata over Slack's limit");
  return {
    type: "modal",
    callback_id: o.callbackId,
    title: plain(o.title, SLACK_LIMITS.modalTitle),
    ...(o.submit ? { submit: plain(o.submit, SLACK_LIMITS.modalTitle) } : {}),
    close: plain("Cancel", SLACK_LIMITS.modalTitle),
    private_metadata: metadata,
    blocks: o.blocks.slice(0, SLACK_LIMITS.viewBlocks),
  };
}

export function home(blocks: Block[]): HomeView {
  return { type: "home", blocks: blocks.slice(0, SLACK_LIMITS.viewBlocks) };
}

/** A message: its blocks capped at Slack's 50, with a text fallback always present. */
export interface Message {
  text: string;
  blocks: Block[];
}
export function message(text: string, blocks: Block[]): Message {
  return { text: truncate(text, 3000) || " ", blocks: blocks.slice(0, SLACK_LIMITS.messageBlocks) };
}

export { safe };
