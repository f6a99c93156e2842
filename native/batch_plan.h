#pragma once
// How scoring requests are laid out into llama_decode batches. Kept free of llama.cpp and N-API so the layout is a
// pure function of the requests and three context sizes: the same requests and settings always give the same
// batches, which is what makes scores bit-identical across calls and processes (llama.cpp's logits depend on the
// batch layout).
#include <cstdint>
#include <string>
#include <vector>

namespace culturescope {

struct RequestShape {
    uint32_t prefixTokens = 0;
    std::vector<uint32_t> continuationTokens;
};

// A request's prefix together with a run of its continuations [contBegin, contEnd): the prefix is evaluated once
// and its KV cells are shared by one sequence per continuation.
struct Group {
    uint32_t request = 0;
    uint32_t contBegin = 0, contEnd = 0;
    uint32_t tokens = 0;  // prefix + the continuations' tokens
    uint32_t sequences() const { return contEnd - contBegin; }
};

// Groups decoded together; the KV cache is cleared after each batch. A batch holding a single group larger than
// n_batch ("oversized") is decoded in n_batch-token chunks that build on each other's KV cells.
struct Batch {
    std::vector<Group> groups;
    uint32_t tokens = 0;
    uint32_t sequences = 0;
    bool oversized = false;
};

struct PlanLimits {
    uint32_t nBatch;   // tokens per llama_decode
    uint32_t nCtx;     // KV cells (unified across sequences)
    uint32_t nSeqMax;  // sequences per batch
};

// Lays out the requests in their given order. Returns an error message (naming the request) when a prompt cannot
// fit the context at all; otherwise fills `batches`.
std::string planBatches(const std::vector<RequestShape>& requests, const PlanLimits& limits, std::vector<Batch>& batches);

}  // namespace culturescope
