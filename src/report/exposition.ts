// Metric families in Prometheus's text exposition format (version 0.0.4), as /metrics serves them.
import type { Family, Labels } from "../core/metrics.ts";

/** What /metrics answers with, per Prometheus's exposition formats document. */
export const contentType = "text/plain; version=0.0.4; charset=utf-8";

const escapeHelp = (s: string): string => s.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");

const escapeValue = (s: string): string =>
  s.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");

const labelText = (labels: Labels): string =>
  labels.length === 0 ? "" : `{${labels.map(([k, v]) => `${k}="${escapeValue(v)}"`).join(",")}}`;

/** A sample's value: Go's ParseFloat reads every JavaScript number's text; infinities are spelled out. */
const valueText = (v: number): string =>
  Number.isNaN(v) ? "NaN" : v === Infinity ? "+Inf" : v === -Infinity ? "-Inf" : String(v);

/** The families as one exposition: HELP and TYPE, then each sample; a family with none is left out. */
export const render = (families: ReadonlyArray<Family>): string =>
  families
    .filter((f) => f.samples.length > 0)
    .map((f) =>
      [
        `# HELP ${f.name} ${escapeHelp(f.help)}`,
        `# TYPE ${f.name} ${f.type}`,
        ...f.samples.map((s) => `${s.name}${labelText(s.labels)} ${valueText(s.value)}`),
      ].join("\n")
    )
    .join("\n") + "\n";
