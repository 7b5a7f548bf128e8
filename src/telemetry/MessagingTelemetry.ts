import { NOT_APPLICABLE, type MessagingEvent } from "../core/index.js";
import type { ClientPing } from "../../experiment-apis/telemetry/interface.js";

/** Which message an event is about, and the study branch it belongs to (null: none). */
export interface MessageTelemetryRef {
  messageId: string;
  /** The survey's flow id; null for reach, where nothing was shown. */
  impressionId: string | null;
  study: { experiment: string; branch: string } | null;
}

/** What every messaging ping says about the client (Activity Stream's `client_id`, `addon_version`, `locale`). */
export interface MessagingClient {
  clientId: string;
  addonVersion: string;
  locale: string;
}

/** The messaging ping of `event` about `message`, in Activity Stream Router's shape. */
export function messagingPing(
  event: MessagingEvent,
  message: MessageTelemetryRef,
  client: MessagingClient,
  value: string = NOT_APPLICABLE,
): ClientPing<"messaging"> {
  return {
    type: "messaging",
    event,
    value,
    fields: {
      client_id: client.clientId,
      action: "heartbeat_user_event",
      impression_id: message.impressionId ?? NOT_APPLICABLE,
      addon_version: client.addonVersion,
      locale: client.locale,
      source: "HEARTBEAT",
      message_id: message.messageId,
      experiment: message.study?.experiment ?? NOT_APPLICABLE,
      branch: message.study?.branch ?? NOT_APPLICABLE,
    },
  };
}

/**
 * Records the survey bar's messaging events (impression, clicks, dismissal, exposure, reach, …) as client
 * pings: Glean's `recipe_client.messaging`, the event log and, while upload is enabled, the intake.
 */
export class MessagingTelemetry {
  constructor(
    private readonly pings: { record(...pings: ClientPing[]): Promise<void> },
    private readonly client: () => Promise<MessagingClient>,
  ) {}

  async record(event: MessagingEvent, message: MessageTelemetryRef, value?: string): Promise<void> {
    await this.pings.record(messagingPing(event, message, await this.client(), value));
  }
}
