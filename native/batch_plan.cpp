#include "batch_plan.h"

namespace culturescope {

std::string planBatches(const std::vector<RequestShape>& requests, const PlanLimits& limits, std::vector<Batch>& batches) {
    batches.clear();
    Batch current;
    auto flush = [&]() {
        if (!current.groups.empty()) batches.push_back(std::move(current));
        current = Batch{};
    };
    for (uint32_t r = 0; r < requests.size(); r++) {
        const RequestShape& req = requests[r];
        // 1. split the request's continuations into groups that fit the sequence and KV limits
        std::vector<Group> groups;
        Group g{r, 0, 0, req.prefixTokens};
        for (uint32_t c = 0; c < req.continuationTokens.size(); c++) {
            uint32_t len = req.continuationTokens[c];
            uint64_t promptLen = uint64_t(req.prefixTokens) + len;
            if (promptLen > limits.nCtx)
                return "request " + std::to_string(r) + ", continuation " + std::to_string(c) + ": the prompt has " + std::to_string(promptLen) +
                       " tokens but the scorer's context holds " + std::to_string(limits.nCtx) +
                       " (shorten the prompt or create the Scorer with a larger contextSize)";
            bool full = g.sequences() >= limits.nSeqMax || uint64_t(g.tokens) + len > limits.nCtx;
            if (g.sequences() > 0 && full) {
                groups.push_back(g);
                g = Group{r, c, c, req.prefixTokens};
            }
            g.contEnd = c + 1;
            g.tokens += len;
        }
        if (g.sequences() > 0) groups.push_back(g);
        // 2. pack groups into batches in order
        for (const Group& group : groups) {
            if (group.tokens > limits.nBatch) {
                flush();
                current.groups.push_back(group);
                current.tokens = group.tokens;
                current.sequences = group.sequences();
                current.oversized = true;
                flush();
                continue;
            }
            if (current.tokens + group.tokens > limits.nBatch || current.sequences + group.sequences() > limits.nSeqMax) flush();
            current.groups.push_back(group);
            current.tokens += group.tokens;
            current.sequences += group.sequences();
        }
    }
    flush();
    return "";
}

}  // namespace culturescope
