// A scenario's data rows (--data): CSV with a header line, a JSON array, or NDJSON, parsed once; and how rows are dealt to iterations.

export type Row = Readonly<Record<string, unknown>>;
/** A load thread's part of the run: thread `index` of `count`. */
export interface Share {
  readonly index: number;
  readonly count: number;
}
export type Order = "unique" | "round-robin" | "random";

/** What went wrong reading the rows: `line` counts from 1 (0: the whole text). */
export class DataError extends Error {
  constructor(readonly line: number, message: string) {
    super(message);
  }
}

/** The format `path` names by its extension, else the one its first character says. */
export const formatOf = (path: string, text: string): "csv" | "json" | "ndjson" => {
  const lower = path.toLowerCase();
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".ndjson") || lower.endsWith(".jsonl")) return "ndjson";
  if (lower.endsWith(".json")) return "json";
  const first = text.trimStart()[0];
  return first === "[" ? "json" : first === "{" ? "ndjson" : "csv";
};

const isRow = (v: unknown): v is Row => typeof v === "object" && v !== null && !Array.isArray(v);

/** The rows of `text` in `format`; throws DataError naming the line at fault. */
export const parse = (text: string, format: "csv" | "json" | "ndjson"): ReadonlyArray<Row> => {
  const rows = format === "csv"
    ? parseCsv(text)
    : format === "json"
    ? parseJson(text)
    : parseNdjson(text);
  if (rows.length === 0) throw new DataError(0, "no rows");
  return rows;
};

const parseJson = (text: string): Row[] => {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new DataError(0, `not JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(v)) throw new DataError(0, "a JSON file must hold an array of objects");
  v.forEach((r, i) => {
    if (!isRow(r)) throw new DataError(0, `element ${i} is not an object`);
  });
  return v;
};

const parseNdjson = (text: string): Row[] => {
  const rows: Row[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      throw new DataError(i + 1, "not a JSON object");
    }
    if (!isRow(v)) throw new DataError(i + 1, "not a JSON object");
    rows.push(v);
  });
  return rows;
};

/** RFC 4180: fields in double quotes may hold commas, quotes (doubled) and line breaks. */
const parseCsv = (text: string): Row[] => {
  const records: Array<{ line: number; fields: string[] }> = [];
  let fields: string[] = [], field = "", quoted = false, sawQuote = false;
  let line = 1, recordLine = 1, i = 0;
  const endRecord = () => {
    fields.push(field);
    // A blank line is no record; a line of one quoted empty field is.
    if (sawQuote || !(fields.length === 1 && fields[0] === "")) {
      records.push({ line: recordLine, fields });
    }
    fields = [];
    field = "";
    sawQuote = false;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else {
        if (c === "\n") line++;
        field += c;
      }
      i++;
      continue;
    }
    if (c === '"' && field === "") quoted = sawQuote = true;
    else if (c === ",") {
      fields.push(field);
      field = "";
    } else if (c === "\n") {
      endRecord();
      line++;
      recordLine = line;
    } else if (c !== "\r") field += c;
    i++;
  }
  if (quoted) throw new DataError(recordLine, "a quoted field is not closed");
  endRecord();
  const [head, ...body] = records;
  if (head === undefined) throw new DataError(0, "no header line");
  const names = head.fields.map((n) => n.trim());
  if (names.some((n) => n === "")) throw new DataError(head.line, "a column has no name");
  return body.map(({ line, fields }) => {
    if (fields.length !== names.length) {
      throw new DataError(line, `${fields.length} fields where the header has ${names.length}`);
    }
    return Object.fromEntries(names.map((n, k) => [n, fields[k]]));
  });
};

/**
 * Deals rows to one load thread's iterations. `unique`: thread k of n takes rows k, k + n, k + 2n …,
 * so across threads each row goes out once, and `next` returns undefined once this thread's are used
 * up. `round-robin`: every row in turn, each thread from its own place. `random`: any row.
 */
export class Dealer {
  private at: number;
  dealt = 0;

  constructor(
    private readonly rows: ReadonlyArray<Row>,
    private readonly order: Order,
    private readonly share: Share,
    private readonly random: () => number = Math.random,
  ) {
    // Unique rows start at the thread's own index (past the end: it has none); a cycle wraps.
    this.at = order === "unique" ? share.index : order === "random" ? 0 : share.index % rows.length;
  }

  next(): Row | undefined {
    const rows = this.rows;
    if (this.order === "random") {
      this.dealt++;
      return rows[Math.floor(this.random() * rows.length)];
    }
    if (this.order === "unique") {
      if (this.at >= rows.length) return undefined;
      const r = rows[this.at];
      this.at += this.share.count;
      this.dealt++;
      return r;
    }
    const r = rows[this.at]!;
    this.at = this.at + 1 === rows.length ? 0 : this.at + 1;
    this.dealt++;
    return r;
  }
}
