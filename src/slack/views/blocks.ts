// Small Block Kit builders. Every piece of text passes through the limits
// here, so no view can produce a block Slack would refuse.
import { INPUT } from "../ids.js";
import { SLACK_LIMITS, safe, truncate } from "../text.js";

export type Block = Record<string, unknown>;
export type Option = {
  text: { type: "plain_text"; text: string };
  value: string;
  description?: { type: "plain_text"; text: string };
};

export const plain = (text: string, max: number = SLACK_LIMITS.sectionText) => ({
  type: "plain_text" as const,
  text: truncate(text, max) || " ",
  emoji: true,
});
export const md = (text: string) => ({
  type: "mrkdwn" as const,
  text: truncate(text, SLACK_LIMITS.sectionText) || " ",
});

export const header = (text: string): Block => ({ type: "header", text: plain(text, SLACK_LIMITS.header) });
export const section = (text: string, accessory?: Block): Block => ({
  type: "section",
  text: md(text),
  ...(accessory ? { accessory } : {}),
});
export const fields = (items: string[]): Block => ({
  type: "section",
  fields: items.slice(0, 10).map((t) => ({ type: "mrkdwn", text: truncate(t, SLACK_LIMITS.field) || " " })),
});
export const context = (items: string[]): Block => ({
  type: "context",
  elements: items.slice(0, SLACK_LIMITS.contextElements).map((t) => md(t)),
});
export const divider = (): Block => ({ type: "divider" });

export const button = (
  text: string,
  actionId: string,
  value: string,
  style?: "primary" | "danger",
  url?: string,
): Block => ({
  type: "button",
  text: plain(text, SLACK_LIMITS.buttonText),
  action_id: actionId,
  value: value.slice(0, SLACK_LIMITS.buttonValue),
  ...(style ? { style } : {}),
  ...(url ? { url } : {}),
});
export const actions = (blockId: string, elements: Block[]): Block => ({
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
  dispatch?: boolean;
}
export const input = (blockId: string, label: string, element: Block, o: InputOptions = {}): Block => ({
  type: "input",
  block_id: blockId,
  label: plain(label, 2000),
  element: { ...element, action_id: INPUT },
  optional: o.optional ?? false,
  ...(o.hint ? { hint: plain(o.hint, 2000) } : {}),
});

export const textInput = (o: { initial?: string; multiline?: boolean; max?: number; placeholder?: string } = {}) => ({
  type: "plain_text_input",
  multiline: o.multiline ?? false,
  ...(o.initial ? { initial_value: o.initial.slice(0, o.max ?? 3000) } : {}),
  ...(o.max ? { max_length: o.max } : {}),
  ...(o.placeholder ? { placeholder: plain(o.placeholder, 150) } : {}),
});
export const userSelect = (initial?: string | null) => ({
  type: "users_select",
  ...(initial ? { initial_user: initial } : {}),
});
export const staticSelect = (options: Option[], initial?: string | null) => {
  const opts = options.slice(0, SLACK_LIMITS.selectOptions);
  const init = opts.find((o) => o.value === initial);
  return { type: "static_select", options: opts, ...(init ? { initial_option: init } : {}) };
};
export const radios = (options: Option[], initial?: string | null) => {
  const opts = options.slice(0, 10);
  const init = opts.find((o) => o.value === initial);
  return { type: "radio_buttons", options: opts, ...(init ? { initial_option: init } : {}) };
};
export const checkboxes = (options: Option[], initial: string[] = []) => {
  const opts = options.slice(0, 10);
  const init = opts.filter((o) => initial.includes(o.value));
  return { type: "checkboxes", options: opts, ...(init.length ? { initial_options: init } : {}) };
};

export interface Modal {
  type: "modal";
  callback_id: string;
  title: ReturnType<typeof plain>;
  submit?: ReturnType<typeof plain>;
  close: ReturnType<typeof plain>;
  private_metadata: string;
  blocks: Block[];
}

export function modal(o: {
  callbackId: string;
  title: string;
  submit?: string;
  blocks: Block[];
  metadata?: object;
}): Modal {
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

/** A message's blocks, capped at Slack's 50, with a text fallback always present. */
export function message(text: string, blocks: Block[]): { text: string; blocks: Block[] } {
  return { text: truncate(text, 3000) || " ", blocks: blocks.slice(0, SLACK_LIMITS.messageBlocks) };
}

export { safe };
