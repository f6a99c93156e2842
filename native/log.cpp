#include "log.h"

#include <atomic>
#include <cstdio>

#include "llama.h"

namespace culturescope {

static std::atomic<int> echoLevelSetting{5};
static thread_local std::string recentLines;
static thread_local std::string pendingLine;

static int levelRank(ggml_log_level level) {
    switch (level) {
        case GGML_LOG_LEVEL_DEBUG: return 0;
        case GGML_LOG_LEVEL_INFO: return 1;
        case GGML_LOG_LEVEL_WARN: return 3;
        case GGML_LOG_LEVEL_ERROR: return 4;
        default: return 1;  // NONE and CONT: continuation lines inherit nothing, treat as info
    }
}

static void onLog(ggml_log_level level, const char* text, void*) {
    if (text == nullptr) return;
    int rank = levelRank(level);
    if (rank >= echoLevelSetting.load(std::memory_order_relaxed)) fputs(text, stderr);
    if (rank >= 3) {
        pendingLine += text;
        if (!pendingLine.empty() && pendingLine.back() == '\n') {
            recentLines += pendingLine;
            pendingLine.clear();
            // keep the tail only: the last lines say what finally failed
            if (recentLines.size() > 4000) recentLines.erase(0, recentLines.size() - 4000);
        }
    }
}

void installLogCallback(int echoLevel) {
    echoLevelSetting = echoLevel;
    llama_log_set(onLog, nullptr);
}

void setLogEchoLevel(int echoLevel) { echoLevelSetting = echoLevel; }

void clearThreadLog() {
    recentLines.clear();
    pendingLine.clear();
}

std::string threadLogTail() {
    std::string out = recentLines + pendingLine;
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
}

}  // namespace culturescope
