// A small, safe reader for the Python literals that data sets store as text: GlobalOpinionQA's `selections` column
// is `str()` of a `defaultdict(<class 'list'>, {...})` and its `options` column is `str()` of a list. It never
// evaluates anything: it accepts exactly what Python's `repr` writes for strings, numbers (including `nan` and
// `inf`, which `repr` writes but `ast.literal_eval` cannot read back), lists, dicts, None/True/False and the
// defaultdict wrapper, and rejects everything else with the character position and the reason.

/** A number as written in the source text; returned instead of a plain number when `numberText` is asked for. */
export class PythonNumber {
    constructor(
        readonly value: number,
        /** The literal exactly as written, e.g. `1.0`, so `str()` of the value can be reproduced. */
        readonly text: string,
    ) {}
}

export type PythonDictKey = string | number;
// A Map, not an object: it keeps Python's key order and tells the key `1` from the key `'1'`.
export type PythonDict = Map<PythonDictKey, PythonValue>;
export type PythonValue = string | number | PythonNumber | boolean | null | PythonValue[] | PythonDict;

export interface PythonLiteralOptions {
    /** Return numbers as `PythonNumber` (value and source text) instead of plain numbers. */
    numberText?: boolean;
}

export class PythonLiteralError extends Error {
    constructor(
        /** 0-based character offset in the text where the problem is. */
        readonly position: number,
        readonly reason: string,
        text: string,
    ) {
        super(`${reason} at char ${position}: ${excerpt(text, position)}`);
        this.name = "PythonLiteralError";
    }
}

/** A short view of the text around `position`, with the position marked, for error messages. */
function excerpt(text: string, position: number): string {
    const before = text.slice(Math.max(0, position - 20), position);
    const after = text.slice(position, position + 20);
    const show = (s: string) => JSON.stringify(s).slice(1, -1);
    return `${position > 20 ? "…" : ""}${show(before)}⟨here⟩${show(after)}${position + 20 < text.length ? "…" : ""}`;
}

const MAX_DEPTH = 64;
const WHITESPACE = new Set([" ", "\t", "\n", "\r", "\f", "\v"]);
const SIMPLE_ESCAPES: Record<string, string> = { "\\": "\\", "'": "'", '"': '"', a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v" };
const NUMBER = /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/y;
const FACTORY = /<class '([A-Za-z_][A-Za-z0-9_.]*)'>/y;

/** Parses one Python literal (see the module comment for what is accepted). Throws PythonLiteralError. */
export function parsePythonLiteral(text: string, options: PythonLiteralOptions = {}): PythonValue {
    return new LiteralReader(text, options.numberText ?? false).document();
}

/** A plain-number view of a value parsed with `numberText` (PythonNumber → number), for comparisons. */
export function withPlainNumbers(value: PythonValue): PythonValue {
    if (value instanceof PythonNumber) return value.value;
    if (Array.isArray(value)) return value.map(withPlainNumbers);
    if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, withPlainNumbers(v)]));
    return value;
}

class LiteralReader {
    private pos = 0;
    private depth = 0;

    constructor(
        private readonly text: string,
        private readonly numberText: boolean,
    ) {}

    document(): PythonValue {
        const value = this.value();
        this.skipWhitespace();
        if (this.pos < this.text.length) this.fail("unexpected text after the end of the literal");
        return value;
    }

    private fail(reason: string, at = this.pos): never {
        throw new PythonLiteralError(at, reason, this.text);
    }

    private skipWhitespace(): void {
        while (this.pos < this.text.length && WHITESPACE.has(this.text[this.pos])) this.pos++;
    }

    private found(): string {
        return this.pos < this.text.length ? `'${this.text[this.pos]}'` : "the end of the text";
    }

    private expect(char: string, context: string): void {
        this.skipWhitespace();
        if (this.text[this.pos] !== char) this.fail(`expected '${char}' ${context}, found ${this.found()}`);
        this.pos++;
    }

    private value(): PythonValue {
        this.skipWhitespace();
        const c = this.text[this.pos];
        if (c === undefined) this.fail("expected a value, found the end of the text");
        if (c === "[") return this.nested(() => this.list());
        if (c === "{") return this.nested(() => this.dict());
        if (c === "'" || c === '"') return this.string();
        if (c === "-" || c === "+" || c === "." || (c >= "0" && c <= "9")) return this.number();
        if (c === "(") this.fail("tuples are not supported (only strings, numbers, lists, dicts, None, True, False, defaultdict)");
        if (/[A-Za-z_]/.test(c)) return this.word();
        return this.fail(`unexpected character ${this.found()} where a value should start`);
    }

    private nested<T>(read: () => T): T {
        if (++this.depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
        const value = read();
        this.depth--;
        return value;
    }

    private list(): PythonValue[] {
        this.pos++; // [
        const items: PythonValue[] = [];
        for (;;) {
            this.skipWhitespace();
            if (this.text[this.pos] === "]") break; // empty list, or a trailing comma (Python allows it)
            items.push(this.value());
            this.skipWhitespace();
            if (this.text[this.pos] === ",") { this.pos++; continue; }
            if (this.text[this.pos] === "]") break;
            this.fail(`expected ',' or ']' after list item ${items.length}, found ${this.found()}`);
        }
        this.pos++; // ]
        return items;
    }

    private dict(): PythonDict {
        this.pos++; // {
        const dict: PythonDict = new Map();
        for (;;) {
            this.skipWhitespace();
            if (this.text[this.pos] === "}") break;
            const keyAt = this.pos;
            const raw = this.value();
            const key = raw instanceof PythonNumber ? raw.value : raw;
            if (typeof key !== "string" && typeof key !== "number") this.fail("dict keys must be strings or numbers", keyAt);
            // Python would keep the last of two equal keys; in a data file that is a damaged row, not a choice to make silently.
            if (dict.has(key)) this.fail(`duplicate dict key ${JSON.stringify(key)}`, keyAt);
            this.expect(":", "after a dict key");
            dict.set(key, this.value());
            this.skipWhitespace();
            if (this.text[this.pos] === ",") { this.pos++; continue; }
            if (this.text[this.pos] === "}") break;
            this.fail(`expected ',' or '}' after a dict entry, found ${this.found()}`);
        }
        this.pos++; // }
        return dict;
    }

    private string(): string {
        const start = this.pos;
        const quote = this.text[this.pos];
        if (this.text.startsWith(quote.repeat(3), this.pos)) this.fail("triple-quoted strings are not supported");
        this.pos++;
        let out = "";
        for (;;) {
            if (this.pos >= this.text.length) this.fail(`unterminated string (it starts at char ${start})`, start);
            const c = this.text[this.pos];
            if (c === quote) { this.pos++; return out; }
            if (c === "\n" || c === "\r") this.fail("line break inside a string (repr writes it as \\n)");
            if (c !== "\\") { out += c; this.pos++; continue; }
            out += this.escape();
        }
    }

    /** Reads one backslash escape, the reader standing on the backslash. */
    private escape(): string {
        const at = this.pos;
        const c = this.text[this.pos + 1];
        if (c === undefined) this.fail("backslash at the end of the text");
        this.pos += 2;
        if (c in SIMPLE_ESCAPES) return SIMPLE_ESCAPES[c];
        if (c === "\n") return ""; // line continuation
        if (c >= "0" && c <= "7") {
            let digits = c;
            while (digits.length < 3 && /[0-7]/.test(this.text[this.pos] ?? "")) digits += this.text[this.pos++];
            return String.fromCodePoint(parseInt(digits, 8));
        }
        const hexLength = c === "x" ? 2 : c === "u" ? 4 : c === "U" ? 8 : 0;
        if (hexLength) {
            const hex = this.text.slice(this.pos, this.pos + hexLength);
            if (!new RegExp(`^[0-9a-fA-F]{${hexLength}}$`).test(hex)) this.fail(`\\${c} needs ${hexLength} hex digits`, at);
            const code = parseInt(hex, 16);
            if (code > 0x10ffff) this.fail(`\\${c}${hex} is beyond the last Unicode code point`, at);
            this.pos += hexLength;
            return String.fromCodePoint(code);
        }
        if (c === "N") this.fail("named escapes (\\N{...}) are not supported", at);
        return "\\" + c; // Python keeps an unknown escape as written
    }

    private number(): number | PythonNumber {
        const start = this.pos;
        let sign = 1;
        if (this.text[this.pos] === "-" || this.text[this.pos] === "+") {
            if (this.text[this.pos] === "-") sign = -1;
            this.pos++;
            this.skipWhitespace(); // Python reads `- 1` as a unary minus
        }
        let value: number;
        IDENTIFIER.lastIndex = this.pos;
        const word = IDENTIFIER.exec(this.text)?.[0];
        if (word === "inf" || word === "nan") {
            value = word === "inf" ? Infinity : NaN;
            this.pos += word.length;
        } else {
            NUMBER.lastIndex = this.pos;
            const digits = NUMBER.exec(this.text)?.[0];
            if (!digits) this.fail(`expected a number, found ${this.found()}`);
            if (/^0\d/.test(digits) && !/[.eE]/.test(digits)) this.fail("integers with leading zeros are not Python literals", start);
            value = Number(digits);
            this.pos += digits.length;
        }
        if (/[A-Za-z0-9_.]/.test(this.text[this.pos] ?? "")) this.fail(`malformed number (hex, complex and digit separators are not supported)`, start);
        const signed = sign * value;
        return this.numberText ? new PythonNumber(signed, this.text.slice(start, this.pos)) : signed;
    }

    private word(): PythonValue {
        const start = this.pos;
        IDENTIFIER.lastIndex = this.pos;
        const word = IDENTIFIER.exec(this.text)![0];
        this.pos += word.length;
        if (word === "None") return null;
        if (word === "True") return true;
        if (word === "False") return false;
        if (word === "nan" || word === "inf") {
            this.pos = start;
            return this.number();
        }
        if (word === "defaultdict") return this.defaultDict();
        if ((word === "u" || word === "U") && (this.text[this.pos] === "'" || this.text[this.pos] === '"')) return this.string();
        if (/^[rRbBfF]{1,2}$/.test(word) && (this.text[this.pos] === "'" || this.text[this.pos] === '"')) {
            this.fail(`${word}-prefixed strings are not supported`, start);
        }
        return this.fail(`unknown name '${word}' (only None, True, False, nan, inf and defaultdict are accepted)`, start);
    }

    /** `defaultdict(<class 'list'>, {...})` as `str()` writes it; read as the plain dict it holds. */
    private defaultDict(): PythonDict {
        this.expect("(", "after defaultdict");
        this.skipWhitespace();
        FACTORY.lastIndex = this.pos;
        const factory = FACTORY.exec(this.text);
        if (factory) this.pos += factory[0].length;
        else if (this.text.startsWith("None", this.pos)) this.pos += 4;
        else this.fail(`expected the default factory, e.g. <class 'list'>, found ${this.found()}`);
        this.expect(",", "after the defaultdict factory");
        this.skipWhitespace();
        if (this.text[this.pos] !== "{") this.fail(`expected '{' (the defaultdict's contents), found ${this.found()}`);
        const dict = this.nested(() => this.dict());
        this.expect(")", "to close defaultdict(");
        return dict;
    }
}
