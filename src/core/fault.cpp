#include "cnnshape/fault.hpp"
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

namespace cnnshape {

void fault_point(const char* where) {
    static const char* fault = std::getenv("CNNSHAPE_FAULT");
    if (!fault) return;
    if (std::strcmp(fault, "internal") == 0)
        throw std::logic_error(std::string("fault injected in ") + where + " (CNNSHAPE_FAULT)");
    if (std::strcmp(fault, "oom") == 0) throw std::bad_alloc();
}

} // namespace cnnshape
