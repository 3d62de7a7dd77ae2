// A few DOM helpers: enough for forms and lists without a framework.

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | boolean | number | undefined | EventListener>;

/** `h("button", { type: "submit", onclick: f }, "Sign in")`. `on*` keys add listeners. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === "function") element.addEventListener(key.slice(2), value);
    else if (value === true) element.setAttribute(key, "");
    else element.setAttribute(key, String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child);
  }
  return element;
}

let nextId = 0;
export function uniqueId(prefix: string): string {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

/** A labelled input with room for an error message (linked by aria-describedby). */
export interface Field {
  wrapper: HTMLElement;
  input: HTMLInputElement;
  setError(text: string | undefined): void;
}

export function field(options: {
  name: string;
  label: string;
  type?: string;
  autocomplete?: string;
  value?: string;
  hint?: string;
  inputmode?: string;
}): Field {
  const id = uniqueId(options.name);
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const input = h("input", {
    id,
    name: options.name,
    type: options.type ?? "text",
    autocomplete: options.autocomplete,
    inputmode: options.inputmode,
    spellcheck: "false",
    autocapitalize: "off",
    "aria-describedby": options.hint ? `${hintId} ${errorId}` : errorId,
  });
  input.value = options.value ?? "";
  const error = h("p", { class: "field-error", id: errorId, role: "alert", hidden: true });
  const wrapper = h(
    "div",
    { class: "field" },
    h("label", { for: id }, options.label),
    input,
    options.hint ? h("p", { class: "field-hint", id: hintId }, options.hint) : null,
    error,
  );
  // Typing again clears the field's error; the next submit checks afresh.
  input.addEventListener("input", () => {
    if (!error.hidden) {
      error.hidden = true;
      input.removeAttribute("aria-invalid");
    }
  });
  return {
    wrapper,
    input,
    setError(text) {
      error.textContent = text ?? "";
      error.hidden = !text;
      if (text) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    },
  };
}

/** A banner for form-level messages. */
export function banner(kind: "info" | "success" | "error", text: string): HTMLElement {
  return h("div", { class: `banner banner-${kind}`, role: kind === "error" ? "alert" : "status" }, text);
}

/** Marks a submit button busy (disabled, spinner, aria-busy) for the length of `work`. */
export async function busy<T>(button: HTMLButtonElement, work: () => Promise<T>): Promise<T> {
  const form = button.form;
  button.disabled = true;
  button.classList.add("is-busy");
  form?.setAttribute("aria-busy", "true");
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.classList.remove("is-busy");
    form?.removeAttribute("aria-busy");
  }
}
