// Option parsers shared by the subcommands, so every command rejects bad numbers the same way.
import { InvalidArgumentError } from "commander";

/** A commander parser for integers ≥ min. */
export function integer(min: number) {
    return (value: string): number => {
        const n = Number(value);
        if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer ≥ ${min}, got '${value}'`);
        return n;
    };
}
