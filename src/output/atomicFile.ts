// Crash-safe file replacement: write a temp file in the same directory, fsync it, rename it over the target, fsync
// the directory. A reader sees the old file or the new one, never a torn one, even after SIGKILL or power loss;
// what a crash can leave is a temp file, whose name marks it for cleanUpTempFiles.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/** Temp files start with a dot so globs like `scores-*.arrow` never pick one up. */
const TEMP_MARK = ".tmp-";

export function isTempFile(name: string): boolean {
    return name.startsWith(".") && name.includes(TEMP_MARK);
}

function fsyncDirectory(dir: string): void {
    const fd = fs.openSync(dir, "r");
    try {
        fs.fsyncSync(fd);
    } finally {
        fs.closeSync(fd);
    }
}

/** The path itself, or its nearest ancestor that exists: the directory whose permissions need fixing. */
function existingAncestor(target: string): string {
    let at = path.resolve(target);
    while (!fs.existsSync(at) && path.dirname(at) !== at) at = path.dirname(at);
    return at;
}

/** Says which path could not be written and what to do, instead of a bare EACCES from deep inside a run. */
export function unwritable(target: string, error: unknown): Error {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "EACCES" || code === "EPERM" || code === "EROFS" ? "is not writable" : `could not be written (${(error as Error).message})`;
    return new Error(`the output directory ${target} ${why}: pass a writable directory with --out, or fix the permissions of ${existingAncestor(target)} (chmod u+w)`, { cause: error });
}

/**
 * Throws unwritable()'s error when `dir` could not be created and written, without creating anything: checks the
 * nearest existing ancestor (so a run can fail on its --out before it spends minutes loading a model).
 */
export function checkCanCreateDir(dir: string): void {
    const at = existingAncestor(dir);
    try {
        if (!fs.statSync(at).isDirectory()) throw Object.assign(new Error(`${at} is not a directory`), { code: "ENOTDIR" });
        fs.accessSync(at, fs.constants.W_OK | fs.constants.X_OK);
    } catch (error) {
        throw unwritable(dir, error);
    }
}

/** Writes bytes to `file` atomically; returns the sha256 of what was written. */
export function writeFileAtomic(file: string, bytes: Uint8Array | string): string {
    const dir = path.dirname(file);
    const temp = path.join(dir, `.${path.basename(file)}${TEMP_MARK}${process.pid}-${crypto.randomBytes(4).toString("hex")}`);
    let fd: number;
    try {
        fd = fs.openSync(temp, "wx");
    } catch (error) {
        throw unwritable(dir, error);
    }
    try {
        fs.writeFileSync(fd, bytes);
        fs.fsyncSync(fd);
    } catch (error) {
        fs.closeSync(fd);
        fs.rmSync(temp, { force: true });
        throw unwritable(dir, error);
    }
    fs.closeSync(fd);
    fs.renameSync(temp, file);
    fsyncDirectory(dir);
    return crypto.createHash("sha256").update(bytes).digest("hex");
}

/** Removes temp files a killed writer left behind; returns their names. */
export function cleanUpTempFiles(dir: string): string[] {
    const torn = fs.readdirSync(dir).filter(isTempFile);
    for (const name of torn) fs.rmSync(path.join(dir, name), { force: true });
    return torn;
}
