import type { Backend } from "../ipc/backend";
import type { Event } from "../logic/machine";

/** What every view gets: the backend, a way to move between screens, and the clock. */
export interface ViewContext {
  backend: Backend;
  dispatch(event: Event): void;
  openSettings(): Promise<void>;
  now(): Date;
  /** The hosted UI's configured providers (`null`: no browser sign-in on this backend). */
  hostedUiProviders(): Promise<string[] | null>;
}
