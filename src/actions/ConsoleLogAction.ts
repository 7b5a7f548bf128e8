import type { Recipe } from "../core/index.js";
import { BaseAction } from "./BaseAction.js";

/** `console-log`: writes the recipe's message to the browser console. Harmless; used to test delivery. */
export class ConsoleLogAction extends BaseAction {
  readonly name = "ConsoleLogAction";

  constructor(private readonly log: (message: string) => void) {
    super();
  }

  protected validateArguments(args: Record<string, unknown>): string | null {
    return typeof args.message === "string" ? null : "`message` must be a string";
  }

  protected async run(recipe: Recipe): Promise<void> {
    this.log(recipe.arguments.message as string);
  }
}
