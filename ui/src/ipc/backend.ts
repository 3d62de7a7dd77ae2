// The one door from the UI to the app. Views never call `invoke` themselves: they get a
// `Backend`, which is the Tauri IPC in the app and a fake in tests.
import { invoke } from "@tauri-apps/api/core";
import type { CommandError, Commands } from "./bindings";

export type CommandName = keyof Commands & string;
export type ArgsOf<K extends CommandName> = Commands[K]["args"];
export type ResultOf<K extends CommandName> = Commands[K]["result"];

export interface Backend {
  call<K extends CommandName>(command: K, args: ArgsOf<K>): Promise<ResultOf<K>>;
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
  return { call };
}
