#pragma once
// The llama_batch plumbing that scoring and generation share: a batch buffer that owns its memory, tokens tagged
// with a run of sequence ids, and decoding that turns llama.cpp's status codes into exceptions with its log lines.
#include <stdexcept>
#include <string>

#include "llama.h"
#include "log.h"

namespace culturescope {

class TokenBatch {
   public:
    TokenBatch(uint32_t capacity, uint32_t nSeqMax)
        : batch(llama_batch_init(static_cast<int32_t>(capacity), 0, static_cast<int32_t>(nSeqMax))), capacity(capacity) {}
    ~TokenBatch() { llama_batch_free(batch); }
    TokenBatch(const TokenBatch&) = delete;
    TokenBatch& operator=(const TokenBatch&) = delete;

    // Appends a token that belongs to sequences [s0, s1) (a shared prefix token belongs to several); returns its
    // index in the batch, which is where its logits are read when `output` is set.
    int32_t add(llama_token token, llama_pos pos, llama_seq_id s0, llama_seq_id s1, bool output) {
        int32_t i = batch.n_tokens++;
        batch.token[i] = token;
        batch.pos[i] = pos;
        batch.n_seq_id[i] = s1 - s0;
        for (llama_seq_id s = s0; s < s1; s++) batch.seq_id[i][s - s0] = s;
        batch.logits[i] = output ? 1 : 0;
        return i;
    }
    bool full() const { return static_cast<uint32_t>(batch.n_tokens) == capacity; }
    bool empty() const { return batch.n_tokens == 0; }
    void clear() { batch.n_tokens = 0; }

    // llama_decode, or an exception that says what failed and how to fix it.
    void decode(llama_context* ctx, const char* during) const {
        int32_t rc = llama_decode(ctx, batch);
        if (rc == 0) return;
        std::string why = rc == 1   ? "no KV cache slot for the batch (create the Scorer with a larger contextSize)"
                          : rc == 2 ? "decoding was aborted"
                          : rc == -1 ? "llama.cpp rejected the batch as invalid"
                                     : "llama.cpp failed to evaluate the batch (error " + std::to_string(rc) + ")";
        std::string log = threadLogTail();
        throw std::runtime_error(std::string("llama_decode failed while ") + during + ": " + why + (log.empty() ? "" : ":\n" + log));
    }

   private:
    llama_batch batch;
    uint32_t capacity;
};

}  // namespace culturescope
