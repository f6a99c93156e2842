#pragma once
// llama.cpp and ggml report failures through their log callback, not through return values: a failed model load
// returns NULL and the reason ("tensor data is not within the file bounds", "unknown model architecture", ...) only
// appears in the log. We capture the error and warning lines of the calling thread so the JS Error can say why.
#include <string>

namespace culturescope {

// Installs the log callback. Lines at or above `level` (0 = debug .. 4 = error, 5 = none) are echoed to stderr.
void installLogCallback(int echoLevel);
void setLogEchoLevel(int echoLevel);

// Clears, then returns, the error and warning lines llama.cpp logged on this thread since the last clear.
void clearThreadLog();
std::string threadLogTail();

}  // namespace culturescope
