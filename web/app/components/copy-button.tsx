import { useEffect, useState } from "react";

/** Puts `value` on the clipboard: the Clipboard API, or (outside a secure context) a selected textarea and copy. */
async function writeClipboard(value: string): Promise<boolean> {
  try {
    if (navigator.clipboard) {
      await navigator.clipboard.writeText(value);
      return true;
    }
  } catch {
    // refused (permissions, an unfocused document): try the older way below
  }
  const area = document.createElement("textarea");
  area.value = value;
  area.setAttribute("readonly", "");
  area.className = "copy-buffer";
  document.body.append(area);
  area.select();
  try {
    return document.execCommand("copy");
  } catch {
    return false;
  } finally {
    area.remove();
  }
}

type State = "idle" | "copied" | "failed";
const STATUS: Record<State, string> = { idle: "", copied: "Copied", failed: "Not copied" };

/**
 * A button that copies a whole value (an id, a hash, an address) to the clipboard and says so for two seconds.
 * Its accessible name is "Copy <what>"; the result is announced through a status region. A React click handler,
 * so no inline script is needed under the nonce CSP.
 */
export function CopyButton({ value, what }: { value: string; what: string }) {
  const [state, setState] = useState<State>("idle");
  useEffect(() => {
    if (state === "idle") return;
    const timer = setTimeout(() => setState("idle"), 2000);
    return () => clearTimeout(timer);
  }, [state]);
  return (
    <button
      type="button"
      className="copy"
      aria-label={`Copy ${what}`}
      title={`Copy ${what}`}
      data-copy={value}
      data-state={state}
      onClick={async () => setState((await writeClipboard(value)) ? "copied" : "failed")}
    >
      <svg aria-hidden="true" viewBox="0 0 16 16" width="14" height="14" className="copy-icon">
        <rect x="5.5" y="5.5" width="8" height="8" rx="1.5" />
        <path d="M3.5 10.5h-1v-8h8v1" />
      </svg>
      <span className="copy-status" role="status">
        {STATUS[state]}
      </span>
    </button>
  );
}
