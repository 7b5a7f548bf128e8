import { ACTION_SCHEMAS, type Recipe } from "../core/index.js";
import { BaseAction } from "./BaseAction.js";

/** `console-log`: writes the recipe's message to the browser console. Harmless; used to test delivery. */
export class ConsoleLogAction extends BaseAction {
  readonly name = "ConsoleLogAction";

  constructor(private readonly log: (message: string) => void) {
    super();
  }

  protected readonly schema = ACTION_SCHEMAS["console-log"];

  protected async run(recipe: Recipe): Promise<void> {
    this.log(recipe.arguments.message as string);
  }
}
