// Fields of the list pages' filter forms (GET forms: the URL holds the filters and can be shared).

/** A select whose empty value means "no filter". */
export function SelectFilter({
  label,
  name,
  value,
  options,
  anyLabel = "any",
}: {
  label: string;
  name: string;
  value: string | undefined;
  options: readonly (readonly [value: string, label: string])[];
  anyLabel?: string;
}) {
  return (
    <label>
      {label}
      <select name={name} defaultValue={value ?? ""}>
        <option value="">{anyLabel}</option>
        {options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Options for enum values shown in lower case. */
export const lowerCaseOptions = (values: readonly string[]) =>
  values.map((v) => [v, v.toLowerCase().replaceAll("_", " ")] as const);

/** A 0x-hex id field. */
export function HexFilter({
  label,
  name,
  value,
}: {
  label: string;
  name: string;
  value: string | undefined;
}) {
  return (
    <label>
      {label}
      <input name={name} defaultValue={value ?? ""} placeholder="0x…" spellCheck={false} />
    </label>
  );
}

/** From and to dates (inclusive days, UTC). */
export function DateRangeFilter({ values }: { values: Record<string, string | undefined> }) {
  return (
    <>
      <label>
        From <input type="date" name="from" defaultValue={(values.from ?? "").slice(0, 10)} />
      </label>
      <label>
        To <input type="date" name="to" defaultValue={(values.to ?? "").slice(0, 10)} />
      </label>
    </>
  );
}

/** The list's ordering (always set: no "any"). */
export function OrderSelect({
  value,
  options,
}: {
  value: string;
  options: readonly (readonly [value: string, label: string])[];
}) {
  return (
    <label>
      Order
      <select name="order" defaultValue={value} aria-label="Order">
        {options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </label>
  );
}
