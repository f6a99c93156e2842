// Content hashes of a data file, in the two forms the pins come in: sha256 (what culturescope pins), and git's blob
// id (sha1 of "blob <size>\0" + content, what `git hash-object` prints), because for some originals the only
// published fingerprint is the blob id of a byte-identical copy committed to a git repository.
import crypto from "node:crypto";
import fs from "node:fs";

export interface FileDigest {
    bytes: number;
    sha256: string;
    gitBlobSha1: string;
}

export async function fileDigest(file: string): Promise<FileDigest> {
    const bytes = (await fs.promises.stat(file)).size;
    const sha256 = crypto.createHash("sha256");
    const gitBlob = crypto.createHash("sha1").update(`blob ${bytes}\0`);
    for await (const chunk of fs.createReadStream(file)) {
        sha256.update(chunk as Buffer);
        gitBlob.update(chunk as Buffer);
    }
    return { bytes, sha256: sha256.digest("hex"), gitBlobSha1: gitBlob.digest("hex") };
}
