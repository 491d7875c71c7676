import { useFetcher, useNavigate } from "@remix-run/react";
import { useEffect, useId, useRef, useState } from "react";
import { shortHex } from "~/lib/format";
import { describeHit, hitPath, type SearchHit } from "~/models/search-hit";

/** Fewer characters than this match too much to be worth suggesting (the API needs 4 hex digits for a prefix). */
const MIN_CHARS = 3;
/** Typing pauses this long before the suggestions are asked for. */
const DEBOUNCE_MS = 150;
/** Suggestions shown; Enter still lists every result on /search. */
const MAX_SUGGESTIONS = 8;

/**
 * Suggestions as you type for the header's search input (`inputId`): the API's hits for what is typed (ids and
 * transaction hashes by their first digits, addresses, model names), under the input as a listbox. ArrowDown/Up
 * pick one (aria-activedescendant, focus stays in the input), Enter or a click opens it, Escape closes the list;
 * Enter without a pick submits the form as before. Reads /search?suggest=1 (never redirects).
 */
export function SearchSuggestions({ inputId }: { inputId: string }) {
  const fetcher = useFetcher<{ q: string; hits: SearchHit[] }>();
  const navigate = useNavigate();
  const listId = useId();
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [typed, setTyped] = useState("");
  const hits = (fetcher.data?.q === typed.trim() ? fetcher.data.hits : []).slice(0, MAX_SUGGESTIONS);
  const shown = open && typed.trim().length >= MIN_CHARS && fetcher.data !== undefined;
  // The handlers below are attached once; they read the latest state through this ref.
  const state = useRef({ hits, active, shown });
  state.current = { hits, active, shown };
  const load = fetcher.load;

  useEffect(() => {
    const input = document.getElementById(inputId) as HTMLInputElement | null;
    if (!input) return;
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", listId);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onInput = () => {
      const value = input.value;
      setTyped(value);
      setActive(-1);
      setOpen(true);
      clearTimeout(timer);
      if (value.trim().length < MIN_CHARS) return;
      timer = setTimeout(() => load(`/search?suggest=1&q=${encodeURIComponent(value.trim())}`), DEBOUNCE_MS);
    };
    const onKeyDown = (e: KeyboardEvent) => {
      const s = state.current;
      if (e.key === "Escape") {
        // Closes an open list and keeps the text (a search input's own Escape would clear it); a second Escape clears.
        if (s.shown) e.preventDefault();
        setOpen(false);
        setActive(-1);
        return;
      }
      if (!s.shown || s.hits.length === 0) return;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        const step = e.key === "ArrowDown" ? 1 : -1;
        // -1 is the input itself: moving past either end comes back to what was typed.
        const next = s.active + step;
        setActive(next >= s.hits.length ? -1 : next < -1 ? s.hits.length - 1 : next);
      } else if (e.key === "Enter" && s.active >= 0) {
        e.preventDefault();
        setOpen(false);
        navigate(hitPath(s.hits[s.active]));
      }
    };
    const onBlur = () => setOpen(false);
    const onFocus = () => setOpen(true);
    input.addEventListener("input", onInput);
    input.addEventListener("keydown", onKeyDown);
    input.addEventListener("blur", onBlur);
    input.addEventListener("focus", onFocus);
    return () => {
      clearTimeout(timer);
      input.removeEventListener("input", onInput);
      input.removeEventListener("keydown", onKeyDown);
      input.removeEventListener("blur", onBlur);
      input.removeEventListener("focus", onFocus);
    };
  }, [inputId, listId, load, navigate]);

  useEffect(() => {
    const input = document.getElementById(inputId);
    if (!input) return;
    if (shown && active >= 0) input.setAttribute("aria-activedescendant", `${listId}-${active}`);
    else input.removeAttribute("aria-activedescendant");
  }, [inputId, listId, shown, active]);

  const empty = shown && hits.length === 0 && fetcher.state === "idle";
  return (
    <>
      <div
        id={listId}
        role="listbox"
        aria-label="Suggestions"
        className="search-suggestions"
        hidden={!shown || hits.length === 0}
      >
        {hits.map((h, i) => (
          // Options are picked with the mouse here and with the keyboard through the input (aria-activedescendant).
          // biome-ignore lint/a11y/useKeyWithClickEvents: the input handles the keys for the whole listbox
          <div
            key={`${h.__typename}-${h.id}`}
            id={`${listId}-${i}`}
            role="option"
            tabIndex={-1}
            aria-selected={i === active}
            className={i === active ? "active" : undefined}
            // Keeps the focus (and the list) in the input until the click lands.
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => {
              setOpen(false);
              navigate(hitPath(h));
            }}
          >
            <span className="suggestion-what">{describeHit(h)}</span>{" "}
            <code className="hex">{shortHex(h.id)}</code>
          </div>
        ))}
      </div>
      <p className="sr-only" aria-live="polite">
        {shown && hits.length > 0
          ? `${hits.length} suggestion${hits.length === 1 ? "" : "s"}: arrow keys to pick, Enter to open`
          : empty
            ? "No suggestions"
            : ""}
      </p>
    </>
  );
}
