import { useEffect, useState } from "react";

type Theme = "light" | "dark" | "system";
const KEY = "explorer-theme";

/** Runs in <head> before paint: applies a saved light/dark choice; without one, CSS follows the system. */
export const themeBootScript = `try{var t=localStorage.getItem("${KEY}");if(t==="light"||t==="dark")document.documentElement.dataset.theme=t}catch(e){}`;

const NEXT: Record<Theme, Theme> = { system: "light", light: "dark", dark: "system" };
const LABEL: Record<Theme, string> = { system: "Auto theme", light: "Light theme", dark: "Dark theme" };

export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>("system");
  useEffect(() => {
    const saved = document.documentElement.dataset.theme;
    setTheme(saved === "light" || saved === "dark" ? saved : "system");
  }, []);
  function choose(next: Theme) {
    setTheme(next);
    try {
      if (next === "system") localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, next);
    } catch {
      // storage off (private mode): the choice lasts for this page only
    }
    if (next === "system") delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = next;
  }
  return (
    <button
      type="button"
      className="theme-toggle"
      onClick={() => choose(NEXT[theme])}
      aria-label={`${LABEL[theme]} (switch to ${LABEL[NEXT[theme]].toLowerCase()})`}
      title={`Colour theme: ${theme}`}
    >
      <span aria-hidden="true" className="theme-icon">
        ◐
      </span>
      <span className="theme-label">{LABEL[theme]}</span>
    </button>
  );
}
