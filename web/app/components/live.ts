import { useRevalidator } from "@remix-run/react";
import { useEffect } from "react";

/**
 * Re-reads the page's loader every `seconds` while the tab is visible (short polling: the loaders read the API,
 * whose data changes once per indexed block). 0 turns it off.
 */
export function useLiveRevalidation(seconds: number): void {
  const revalidator = useRevalidator();
  useEffect(() => {
    if (!seconds) return;
    const timer = setInterval(() => {
      if (document.visibilityState === "visible" && revalidator.state === "idle") revalidator.revalidate();
    }, seconds * 1000);
    return () => clearInterval(timer);
  }, [seconds, revalidator]);
}
