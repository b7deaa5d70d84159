// A test hook for the errors that cannot be provoked from outside: CNNSHAPE_FAULT=internal makes
// fault_point() throw std::logic_error (a bug: exit 3), CNNSHAPE_FAULT=oom std::bad_alloc (out of
// memory: exit 5). The exit-code tests set it to check what every command does with them; unset or
// any other value, fault_point() does nothing.
#pragma once

namespace cnnshape {

// `where` names the place in the message ("make_plan").
void fault_point(const char* where);

} // namespace cnnshape
