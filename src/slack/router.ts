// muster's buttons, modal submissions and shortcuts reach Bolt as one
// listener per kind of payload, which dispatches by id from a table.
//
// Why not a Bolt listener per id: Bolt runs every registered listener's
// middleware on every request, copying all of the request's arguments for
// each, and settles a promise per listener. With a listener per button and
// per form (about thirty) that was a third of the CPU an acknowledgement
// took under `npm run bench:ack`, paid by every slash command too.
import type {
  AllMiddlewareArgs,
  App,
  BlockAction,
  ButtonAction,
  SlackActionMiddlewareArgs,
  SlackShortcut,
  SlackShortcutMiddlewareArgs,
  SlackViewAction,
  SlackViewMiddlewareArgs,
} from "@slack/bolt";
import type { Logger } from "pino";

export type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;
export type ViewArgs = SlackViewMiddlewareArgs<SlackViewAction> & AllMiddlewareArgs;
export type ShortcutArgs<S extends SlackShortcut = SlackShortcut> = SlackShortcutMiddlewareArgs<S> & AllMiddlewareArgs;

type Handler<A> = (args: A) => Promise<void>;

export class SlackRouter {
  readonly #actions = new Map<string, Handler<ButtonArgs>>();
  readonly #views = new Map<string, Handler<ViewArgs>>();
  readonly #shortcuts = new Map<string, Handler<ShortcutArgs>>();

  /** A button's `action_id`. */
  action(actionId: string, handler: Handler<ButtonArgs>): void {
    add(this.#actions, "action", actionId, handler);
  }

  /** A modal's `callback_id`; its submissions. */
  view(callbackId: string, handler: Handler<ViewArgs>): void {
    add(this.#views, "view", callbackId, handler);
  }

  /** A global or message shortcut's `callback_id`. */
  shortcut<S extends SlackShortcut = SlackShortcut>(callbackId: string, handler: Handler<ShortcutArgs<S>>): void {
    add(this.#shortcuts, "shortcut", callbackId, handler as Handler<ShortcutArgs>);
  }

  /**
   * Registers the three dispatching listeners. An id nobody registered is
   * still acknowledged (Slack would otherwise show the person an error after
   * 3 s) and logged by kind (the id at debug: it comes from outside).
   */
  attach(app: App, logger: Logger): void {
    app.action<BlockAction<ButtonAction>>(/.*/, async (args) => {
      const handler = this.#actions.get(args.action.action_id);
      if (handler) return handler(args);
      await args.ack();
      unknown(logger, "action", args.action.action_id);
    });
    app.view(/.*/, async (args) => {
      const handler = this.#views.get(args.view.callback_id);
      if (handler) return handler(args);
      await args.ack();
      unknown(logger, "submission", args.view.callback_id);
    });
    app.shortcut(/.*/, async (args) => {
      const handler = this.#shortcuts.get(args.shortcut.callback_id);
      if (handler) return handler(args);
      await args.ack();
      unknown(logger, "shortcut", args.shortcut.callback_id);
    });
  }
}

/**
 * An unknown id is worth a warning (a button from an older muster, a manifest
 * out of step), but it arrives from outside and may be anything: the warning
 * names the kind only, the id itself goes to the debug log.
 */
function unknown(logger: Logger, kind: string, id: unknown): void {
  logger.warn({ kind }, `Slack sent ${kind === "action" ? "an" : "a"} ${kind} muster does not know`);
  logger.debug({ kind, id: String(id).slice(0, 200) }, "the unknown id");
}

function add<A>(table: Map<string, Handler<A>>, kind: string, id: string, handler: Handler<A>) {
  // Two handlers for one id is a programming mistake: fail at start, not on a click.
  if (table.has(id)) throw new Error(`two Slack ${kind} handlers for ${id}`);
  table.set(id, handler);
}
