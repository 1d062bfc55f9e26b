// The version of Tachyon, from the project() line of the top-level CMakeLists.txt.
#pragma once

namespace tachyon {

const char* version();  // "0.1.0"

}  // namespace tachyon
