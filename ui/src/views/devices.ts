// The devices page: the user's remembered devices, this one marked, each can be forgotten.
import type { DeviceView, WhoAmIView } from "../ipc/bindings";
import { asCommandError } from "../ipc/backend";
import { endsSession, messageFor } from "../logic/errors";
import { relativeTime } from "../logic/format";
import type { Notice } from "../logic/machine";
import type { ViewContext } from "./context";
import { banner, busy, h } from "./dom";
import { shell } from "./home";

/** Sorts this device first, then by last sign-in, newest first. */
export function sortDevices(devices: readonly DeviceView[]): DeviceView[] {
  const time = (device: DeviceView) => Date.parse(device.lastAuthenticated ?? device.created ?? "") || 0;
  return [...devices].sort((a, b) => Number(b.isThisDevice) - Number(a.isThisDevice) || time(b) - time(a));
}

/** A small monitor drawing (no emoji: desktop Linux often lacks an emoji font). */
function computerIcon(): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "20");
  svg.setAttribute("height", "20");
  svg.setAttribute("fill", "none");
  svg.setAttribute("stroke", "currentColor");
  svg.setAttribute("stroke-width", "1.8");
  svg.setAttribute("stroke-linecap", "round");
  for (const [tag, attrs] of [
    ["rect", { x: "3", y: "4", width: "18", height: "12", rx: "2" }],
    ["path", { d: "M9 20h6M12 16v4" }],
  ] as const) {
    const shape = document.createElementNS(ns, tag);
    for (const [key, value] of Object.entries(attrs)) shape.setAttribute(key, value);
    svg.append(shape);
  }
  return svg;
}

function deviceRow(ctx: ViewContext, device: DeviceView, notices: HTMLElement): HTMLElement {
  const when = device.lastAuthenticated ?? device.created;
  const forget = h(
    "button",
    { type: "button", class: "secondary compact danger-text", "data-testid": "forget-device", "aria-label": `Forget ${device.name ?? device.deviceKey}` },
    device.isThisDevice ? "Forget this device" : "Forget",
  );
  forget.addEventListener("click", () => {
    void busy(forget, async () => {
      try {
        await ctx.backend.call("forget_device", { deviceKey: device.isThisDevice ? null : device.deviceKey });
        const text = device.isThisDevice ? "This device is forgotten: the next sign-in here asks for a code again." : "Device forgotten.";
        ctx.dispatch({ type: "showPage", page: "devices", notice: { kind: "success", text } });
      } catch (error) {
        const commandError = asCommandError(error);
        const text = messageFor(commandError).text;
        if (endsSession(commandError)) ctx.dispatch({ type: "sessionLost", notice: { kind: "error", text } });
        else notices.replaceChildren(banner("error", text));
      }
    });
  });
  return h(
    "li",
    { class: "device", "data-testid": "device", "data-this-device": String(device.isThisDevice) },
    h("span", { class: "device-icon", "aria-hidden": "true" }, computerIcon()),
    h(
      "div",
      { class: "device-text" },
      h(
        "div",
        { class: "device-name" },
        h("strong", {}, device.name ?? "Unnamed device"),
        device.isThisDevice ? h("span", { class: "pill", "data-testid": "this-device" }, "This device") : null,
        device.remembered ? h("span", { class: "pill pill-on" }, "Remembered") : h("span", { class: "pill pill-off" }, "Not remembered"),
      ),
      h("span", { class: "muted" }, when ? `Last sign-in ${relativeTime(new Date(when), ctx.now())}` : "Never signed in"),
      h("span", { class: "mono muted small" }, device.deviceKey),
    ),
    forget,
  );
}

export function devicesView(ctx: ViewContext, screen: { who: WhoAmIView; notice?: Notice }): HTMLElement {
  const notices = h("div", { class: "notices" });
  if (screen.notice) notices.append(banner(screen.notice.kind, screen.notice.text));
  const list = h("div", { "data-testid": "device-list" }, h("div", { class: "loading-card", role: "status" }, h("div", { class: "spinner small", "aria-hidden": "true" }), h("span", { class: "muted" }, "Loading devices…")));
  void ctx.backend.call("list_devices", null).then(
    (devices) => {
      if (devices.length === 0) {
        list.replaceChildren(
          h("p", { class: "empty", "data-testid": "no-devices" }, "No remembered devices. Tick “Remember this device” when you sign in to skip the code next time on that computer."),
        );
        return;
      }
      list.replaceChildren(h("ul", { class: "devices" }, ...sortDevices(devices).map((device) => deviceRow(ctx, device, notices))));
    },
    (error) => {
      const commandError = asCommandError(error);
      const text = messageFor(commandError).text;
      if (endsSession(commandError)) ctx.dispatch({ type: "sessionLost", notice: { kind: "error", text } });
      else list.replaceChildren(banner("error", text));
    },
  );
  const content = h(
    "div",
    { class: "page" },
    h("h1", { id: "screen-title", tabindex: "-1" }, "Devices"),
    h("p", { class: "subtitle" }, "Computers where you chose “Remember this device”. They skip the verification code when you sign in."),
    h("section", { class: "card", "aria-labelledby": "devices-title" }, h("h2", { id: "devices-title", class: "visually-hidden" }, "Your devices"), list),
  );
  return shell(ctx, screen.who, "devices", content, notices);
}
