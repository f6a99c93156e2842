// Answers binding.gyp's questions about the prebuilt llama.cpp it links: `node scripts/gyp-config.mjs KEY [VARIANT]`.
//   includes            llama.cpp include directories (unpacked from node-llama-cpp's bundle on first use)
//   has VARIANT         1 if node-llama-cpp's prebuilt libraries for VARIANT (cpu, cuda, metal) are installed
//   libraries VARIANT   linker flags for that variant
//   rpath VARIANT       its library directory relative to the built addon
import path from "node:path";
import { prebuiltVariants, repoRoot, unpackLlamaSource } from "./llama-source.mjs";

const [key, variant] = process.argv.slice(2);
const addonDir = path.join(repoRoot, "build", "Release");

function find(name) {
    const v = prebuiltVariants().find((x) => x.variant === name);
    if (!v) throw new Error(`node-llama-cpp's prebuilt '${name}' libraries are not installed for ${process.platform}-${process.arch}`);
    return v;
}

switch (key) {
    case "includes": {
        const { dir } = unpackLlamaSource();
        console.log([path.join(dir, "include"), path.join(dir, "ggml", "include")].join(" "));
        break;
    }
    case "has":
        console.log(prebuiltVariants().some((x) => x.variant === variant) ? 1 : 0);
        break;
    case "libraries": {
        const v = find(variant);
        const libs = process.platform === "darwin" ? v.libs.map((l) => path.join(v.libDir, l)) : v.libs.map((l) => `-l:${l}`);
        console.log([`-L${v.libDir}`, ...libs].join(" "));
        break;
    }
    case "rpath":
        // relative to the addon, so the checkout can move; binding.gyp prefixes $ORIGIN / @loader_path
        console.log(path.relative(addonDir, find(variant).libDir));
        break;
    default:
        console.error("usage: gyp-config.mjs includes | has VARIANT | libraries VARIANT | rpath VARIANT");
        process.exit(2);
}
