import { Form } from "@remix-run/react";
import type { HistoryRange } from "~/lib/history-range";
import { INTERVALS } from "~/lib/params";

/** Interval and date-range controls of a page's charts (a GET form: the URL holds the choice and can be shared). */
export function HistoryControls({ range, label }: { range: HistoryRange; label: string }) {
  return (
    <Form method="get" className="controls" aria-label={label} preventScrollReset>
      <fieldset>
        <legend className="sr-only">{label}</legend>
        <label>
          Interval{" "}
          <select name="interval" defaultValue={range.interval}>
            {INTERVALS.map((i) => (
              <option key={i} value={i}>
                {i.toLowerCase()}
              </option>
            ))}
          </select>
        </label>
        <label>
          From <input type="date" name="from" defaultValue={range.fromInput.slice(0, 10)} />
        </label>
        <label>
          To <input type="date" name="to" defaultValue={range.toInput.slice(0, 10)} />
        </label>
        <button type="submit">Show</button>
      </fieldset>
    </Form>
  );
}
