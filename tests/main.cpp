#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>

int main(int argc, char* argv[]) {
    // Every activation buffer `run` hands to a kernel starts as NaN in the tests (and in the CLI
    // processes they start), so an output element a kernel forgets to write cannot go unseen.
    setenv("CNNSHAPE_POISON", "1", 1);
    return Catch::Session().run(argc, argv);
}
