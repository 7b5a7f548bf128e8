/**
 * The clock of the event log. An event's timestamp counts ms since its Firefox process started, and restarts
 * at 0 with every process: to show an event as a clock time, the log remembers when each session's process
 * started (epoch ms) and from which event on. Positions count every event ever appended, dropped ones included.
 */
import type { EventRecord } from "./eventFormat.js";

/** One Firefox session in the event log: its process start and the position of its first logged event. */
export interface EventLogSession {
  /** When the process started, in ms since the epoch; null when this session could not tell. */
  processStart: number | null;
  firstEvent: number;
}

/**
 * How far apart two computed process starts may be and still be the same process: the add-on reloaded or
 * updated within one Firefox. Computing `Date.now() − msSinceProcessStart()` twice in one process differs by the
 * time the asynchronous call took; a new process cannot start within this of the previous one and log events
 * in between. Merging two starts this close would misplace clock times by less than this anyway.
 */
export const SAME_PROCESS_TOLERANCE_MS = 1_000;

/** `sessions` once events from `position` on belong to the process that started at `processStart`. */
export function withSession(
  sessions: readonly EventLogSession[],
  processStart: number | null,
  position: number,
): EventLogSession[] {
  const last = sessions.at(-1);
  const sameProcess =
    last !== undefined &&
    (last.processStart === null || processStart === null
      ? last.processStart === processStart
      : Math.abs(last.processStart - processStart) <= SAME_PROCESS_TOLERANCE_MS);
  return sameProcess ? [...sessions] : [...sessions, { processStart, firstEvent: position }];
}

/** The sessions still needed once every event before `firstKept` was dropped: the one `firstKept` is in, and later. */
export function keptSessions(sessions: readonly EventLogSession[], firstKept: number): EventLogSession[] {
  const firstNeeded = sessions.findLastIndex(({ firstEvent }) => firstEvent <= firstKept);
  return sessions.slice(Math.max(firstNeeded, 0));
}

/**
 * The clock time (ms since the epoch) of each of `events`, the first at position `firstPosition`; null for an
 * event logged before the log kept sessions, or in a session that could not tell its start.
 */
export function eventClockTimes(
  events: readonly EventRecord[],
  firstPosition: number,
  sessions: readonly EventLogSession[],
): (number | null)[] {
  let session = -1;
  return events.map(([timestamp], index) => {
    while (session + 1 < sessions.length && sessions[session + 1]!.firstEvent <= firstPosition + index) session += 1;
    const start = sessions[session]?.processStart;
    return start == null ? null : start + timestamp;
  });
}
