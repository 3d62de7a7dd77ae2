// The one door from the UI to the app. Views never call `invoke` themselves: they get a
// `Backend`, which is the Tauri IPC in the app and a fake in tests.
import { Channel, invoke } from "@tauri-apps/api/core";
import type { CommandError, Commands, FilesMode, UploadEvent } from "./bindings";

export type CommandName = keyof Commands & string;
export type ArgsOf<K extends CommandName> = Commands[K]["args"];
export type ResultOf<K extends CommandName> = Commands[K]["result"];

export interface Backend {
  call<K extends CommandName>(command: K, args: ArgsOf<K>): Promise<ResultOf<K>>;
  /**
   * Sends every upload change to `onEvent` from now on (replacing an earlier watcher); resolves
   * to the uploads so far, including those an earlier run left unfinished (`interrupted`).
   * `watch_uploads` takes a channel beside its `args`, so it is not called through `call`.
   */
  watchUploads(mode: FilesMode, onEvent: (event: UploadEvent) => void): Promise<UploadEvent[]>;
}

/** Any rejection as a `CommandError`: the app's errors already are; anything else is a bug. */
export function asCommandError(error: unknown): CommandError {
  if (
    typeof error === "object" &&
    error !== null &&
    typeof (error as CommandError).code === "string" &&
    typeof (error as CommandError).message === "string"
  ) {
    return error as CommandError;
  }
  return { code: "internal_error", message: String(error) };
}

/** The backend over Tauri's IPC. Commands take their arguments as one `args` object. */
export function tauriBackend(): Backend {
  async function call<K extends CommandName>(command: K, args: ArgsOf<K>): Promise<ResultOf<K>> {
    try {
      return await invoke<ResultOf<K>>(command, args === null ? {} : { args });
    } catch (error) {
      throw asCommandError(error);
    }
  }
  async function watchUploads(mode: FilesMode, onEvent: (event: UploadEvent) => void): Promise<UploadEvent[]> {
    const channel = new Channel<UploadEvent>();
    channel.onmessage = onEvent;
    try {
      return await invoke<UploadEvent[]>("watch_uploads", { args: { mode }, channel });
    } catch (error) {
      throw asCommandError(error);
    }
  }
  return { call, watchUploads };
}
