/**
 * A minimal Marionette client over plain TCP, so the e2e tests can drive Firefox without geckodriver.
 *
 * Wire format (Firefox's remote/marionette/server): every message is `<byteLength>:<json>`. The server
 * speaks first with a hello object; commands are `[0, id, name, params]`, replies `[1, id, error, result]`.
 */
import { type Socket, connect } from "node:net";

export type MarionetteContext = "chrome" | "content";

/** JSON values that can cross the wire as script arguments and results. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The commands this client uses, with their parameters and results. */
export interface MarionetteCommands {
  "WebDriver:NewSession": {
    params: { capabilities?: { alwaysMatch?: Record<string, JsonValue> } };
    result: { sessionId: string; capabilities: Record<string, JsonValue> };
  };
  "Addon:Install": {
    params: { path: string; temporary: boolean };
    result: { value: string };
  };
  "Addon:Uninstall": { params: { id: string }; result: { value: null } };
  "Marionette:SetContext": { params: { value: MarionetteContext }; result: { value: null } };
  "WebDriver:ExecuteScript": {
    params: { script: string; args: JsonValue[]; sandbox?: string };
    result: { value: unknown };
  };
  "WebDriver:ExecuteAsyncScript": {
    params: { script: string; args: JsonValue[]; sandbox?: string };
    result: { value: unknown };
  };
  "WebDriver:Navigate": { params: { url: string }; result: { value: null } };
  /** A PNG (base64) of the current page; `full` takes the whole document, not only the viewport. */
  "WebDriver:TakeScreenshot": { params: { full?: boolean; hash?: boolean }; result: { value: string } };
  /** Presses OK in the page's open `alert`/`confirm`/`prompt` dialog. */
  "WebDriver:AcceptAlert": { params: Record<string, never>; result: { value: null } };
  /** One of the few commands whose result is not wrapped in `value`. */
  "WebDriver:GetWindowHandles": { params: Record<string, never>; result: string[] };
  "WebDriver:SwitchToWindow": { params: { handle: string }; result: { value: null } };
  "WebDriver:GetWindowHandle": { params: Record<string, never>; result: { value: string } };
  "WebDriver:NewWindow": {
    params: { type: "tab" | "window"; focus?: boolean };
    result: { handle: string; type: string };
  };
  "Marionette:Quit": {
    params: { flags: ("eAttemptQuit" | "eForceQuit" | "eRestart")[] };
    result: { cause: string; forced: boolean; in_app: boolean };
  };
}
export type MarionetteCommandName = keyof MarionetteCommands;

/** The server's greeting, sent once on connect. */
export interface MarionetteHello {
  applicationType: string;
  marionetteProtocol: number;
}

/** A command failure as reported by Firefox: `error` is the WebDriver error code, e.g. "javascript error". */
export class MarionetteError extends Error {
  constructor(
    readonly command: string,
    readonly error: string,
    message: string,
    readonly remoteStack: string,
  ) {
    super(`${command} failed: ${error}: ${message}`);
    this.name = "MarionetteError";
  }
}

interface PendingCommand {
  name: string;
  resolve(result: unknown): void;
  reject(error: Error): void;
}

interface ReplyError {
  error: string;
  message: string;
  stacktrace?: string;
}

/** Splits a byte stream into `<len>:<json>` messages. */
class MessageFramer {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): unknown[] {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const messages: unknown[] = [];
    for (;;) {
      const colon = this.buffer.indexOf(0x3a);
      if (colon < 0) break;
      const length = Number(this.buffer.subarray(0, colon).toString("ascii"));
      if (!Number.isInteger(length))
        throw new Error(`Marionette: malformed frame header "${this.buffer.subarray(0, colon).toString()}"`);
      const end = colon + 1 + length;
      if (this.buffer.length < end) break;
      messages.push(JSON.parse(this.buffer.subarray(colon + 1, end).toString("utf8")));
      this.buffer = this.buffer.subarray(end);
    }
    return messages;
  }
}

export class MarionetteClient {
  private nextId = 1;
  private readonly pending = new Map<number, PendingCommand>();
  private closedReason: Error | null = null;

  private constructor(
    private readonly socket: Socket,
    readonly hello: MarionetteHello,
  ) {}

  /** Connects and waits for the hello; fails after `timeoutMs`. */
  static connect(port: number, host = "127.0.0.1", timeoutMs = 10_000): Promise<MarionetteClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host });
      const framer = new MessageFramer();
      let client: MarionetteClient | null = null;
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`Marionette: no hello from ${host}:${port} within ${timeoutMs} ms`));
      }, timeoutMs);

      socket.on("data", (chunk: Buffer) => {
        let messages: unknown[];
        try {
          messages = framer.push(chunk);
        } catch (error) {
          socket.destroy(error as Error);
          return;
        }
        for (const message of messages) {
          if (client) {
            client.dispatch(message);
          } else {
            clearTimeout(timer);
            client = new MarionetteClient(socket, message as MarionetteHello);
            resolve(client);
          }
        }
      });
      socket.on("error", (error) => {
        clearTimeout(timer);
        if (client) client.fail(error);
        else reject(error);
      });
      socket.on("close", () => {
        clearTimeout(timer);
        if (client) client.fail(new Error("Marionette: connection closed"));
        else reject(new Error(`Marionette: connection to ${host}:${port} closed before hello`));
      });
    });
  }

  send<N extends MarionetteCommandName>(
    name: N,
    params: MarionetteCommands[N]["params"],
  ): Promise<MarionetteCommands[N]["result"]> {
    if (this.closedReason) return Promise.reject(this.closedReason);
    const id = this.nextId++;
    const json = JSON.stringify([0, id, name, params]);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { name, resolve: resolve as (result: unknown) => void, reject });
      this.socket.write(`${Buffer.byteLength(json, "utf8")}:${json}`);
    });
  }

  /** True once the socket has closed or failed; later commands reject at once. */
  get closed(): boolean {
    return this.closedReason !== null;
  }

  close(): void {
    this.socket.destroy();
  }

  private dispatch(message: unknown): void {
    if (!Array.isArray(message) || message[0] !== 1) return;
    const [, id, error, result] = message as [1, number, ReplyError | null, unknown];
    const command = this.pending.get(id);
    if (!command) return;
    this.pending.delete(id);
    if (error) {
      command.reject(new MarionetteError(command.name, error.error, error.message, error.stacktrace ?? ""));
    } else {
      command.resolve(result);
    }
  }

  private fail(reason: Error): void {
    this.closedReason ??= reason;
    for (const command of this.pending.values()) command.reject(reason);
    this.pending.clear();
  }
}
