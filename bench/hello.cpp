// The start-up floor for cnnshape_bench_plan: a trivial C++ program built the way cnnshape is
// (same compiler, flags and standard library linking), printing one line with iostream.
#include <iostream>

int main() {
    std::cout << "hello\n";
    return 0;
}
