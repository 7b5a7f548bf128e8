/** The QA console's note about damaged stored values the add-on set aside (StoreQuarantine); hidden when there are none. */
import type { QuarantineNote } from "../stores/StoreQuarantine.js";
import { byId, element } from "./dom.js";

export function renderQuarantine(notes: QuarantineNote[]): void {
  const section = byId("quarantine");
  section.hidden = notes.length === 0;
  byId("quarantine-notes").replaceChildren(
    ...notes.map((note) =>
      element(
        "li",
        "",
        `${note.at}: ${note.key} was damaged (${note.problem}). ${note.kept} record(s) rebuilt, ${note.dropped} left in the copy kept as storage key "${note.quarantinedAs}".`,
      ),
    ),
  );
}
