// Python model files: `class Net(nn.Module)` read without Python (py_module.hpp). The file is
// parsed (py_ast.cpp) and evaluated: module-level definitions and assignments, the chosen class's
// __init__ (layer calls become cnnshape layers, validated by their constructors), then forward()
// on a symbolic input whose values are references to layer outputs with known shapes.
#include "py_module.hpp"

#include "cnnshape/error.hpp"
#include "cnnshape/exec_desc.hpp"
#include "cnnshape/pyexpr.hpp"
#include "deep_stack.hpp"
#include "py_ast.hpp"
#include "python_source.hpp"

#include <cmath>
#include <cstring>
#include <fmt/format.h>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>

namespace cnnshape {
namespace {

using namespace pymod;
using pyparse::Source;

constexpr std::int64_t kMaxSteps = 5000000;    // statements and expressions evaluated
constexpr int kMaxCallDepth = 150;             // nested calls of the file's functions
constexpr std::int64_t kMaxSequence = 1000000; // elements of a range, list or repetition

struct Obj;
using V = std::shared_ptr<Obj>;
struct Env;
using EnvP = std::shared_ptr<Env>;

struct ClassInfo {
    std::string name;
    const Stmt* def = nullptr;
    std::vector<V> bases;
    std::vector<std::pair<std::string, V>> attrs;
    std::string builtin; // the torch base it derives from: "Module", "Sequential", ...; "" none
};

// An nn.Module instance (or an instance of a plain user class).
struct Mod {
    std::string kind; // "user", "layer", "Sequential", "ModuleList", "ModuleDict", "Parameter",
                      // "Buffer", "object"
    std::shared_ptr<ClassInfo> cls;
    std::vector<std::pair<std::string, V>> attrs; // submodules, parameters and attributes
    Call call;                                    // layer: the constructor call
    LayerPtr layer;
    Shape shape;     // Parameter, Buffer
    double fill = 0; // Parameter, Buffer: the value every element starts at (torch.ones: 1)
    bool grad = true, persistent = true;
    std::string path;
    bool has_path = false;
    int calls = 0;
    std::int64_t first_call = -1; // layer: the node of its first call, whose weights later share
    // layer: its state_dict tensors ("weight", "bias", "running_mean") and their shapes, known
    // from its first call
    std::vector<std::pair<std::string, Shape>> tensors;
    std::int64_t built = -1; // layer, Parameter, Buffer: when __init__ made it, among them
    std::int64_t node = -1;  // Parameter, Buffer: the node made when forward() first uses it
    size_t at = 0;
};

enum class VK {
    None,
    Bool,
    Int,
    Float,
    Str,
    Tuple,
    List,
    Dict,
    Slice,
    Ellipsis,
    Tensor,
    Func,
    Builtin,
    Class,
    Module,
    Partial,
    Opaque
};

struct Obj {
    VK k = VK::None;
    bool b = false;
    std::int64_t i = 0;
    double f = 0;
    std::string s; // Str; Builtin: its canonical name ("nn.Conv2d", "range", "tensor.view")
    std::vector<V> items, keys;
    // Tensor: the node giving it (-1 the input, -2 a tensor made outside the graph, -3 a layer's
    // weight, `s` its state_dict key: self.fc.weight in forward()), the tuple element, and the
    // shape. A tensor made outside the graph: `s` says where its values come from
    // ("torch.ones(...)"), and `b` whether every element is `f` (torch.ones, torch.full, ...).
    std::int64_t node = -2, slot = -1;
    Shape shape;
    const Stmt* def = nullptr; // Func
    const Expr* lam = nullptr; // Func from a lambda
    V self;                    // bound receiver
    EnvP env;
    std::shared_ptr<ClassInfo> cls; // Class; Func: the class that defines it; super: its class
    std::shared_ptr<Mod> mod;
    V fn; // Partial
};

struct Env {
    std::unordered_map<std::string, V> vars;
    EnvP parent;
    bool captured = false; // kept by the evaluator (a function was defined in it)
};

V mk(VK k) {
    auto o = std::make_shared<Obj>();
    o->k = k;
    return o;
}
V none_v() {
    static V n = mk(VK::None);
    return n;
}
V bool_v(bool b) {
    V o = mk(VK::Bool);
    o->b = b;
    return o;
}
V int_v(std::int64_t i) {
    V o = mk(VK::Int);
    o->i = i;
    return o;
}
V float_v(double f) {
    V o = mk(VK::Float);
    o->f = f;
    return o;
}
V str_v(std::string s) {
    V o = mk(VK::Str);
    o->s = std::move(s);
    return o;
}
V seq_v(VK k, std::vector<V> items) {
    V o = mk(k);
    o->items = std::move(items);
    return o;
}
V builtin_v(std::string name, V self = nullptr) {
    V o = mk(VK::Builtin);
    o->s = std::move(name);
    o->self = std::move(self);
    return o;
}

// Python's name for the type of a value, as in its messages.
std::string type_name(const V& v) {
    switch (v->k) {
    case VK::None:
        return "NoneType";
    case VK::Bool:
        return "bool";
    case VK::Int:
        return "int";
    case VK::Float:
        return "float";
    case VK::Str:
        return "str";
    case VK::Tuple:
        return "tuple";
    case VK::List:
        return "list";
    case VK::Dict:
        return "dict";
    case VK::Slice:
        return "slice";
    case VK::Ellipsis:
        return "ellipsis";
    case VK::Tensor:
        return "Tensor";
    case VK::Func:
        return "function";
    case VK::Builtin:
        return "builtin " + v->s;
    case VK::Class:
        return "type";
    case VK::Module:
        return v->mod->kind == "layer" ? v->mod->call.base_name()
               : v->mod->cls           ? v->mod->cls->name
                                       : v->mod->kind;
    case VK::Partial:
        return "functools.partial";
    case VK::Opaque:
        return "Parameter";
    }
    return "object";
}

bool is_num(const V& v) {
    return v->k == VK::Int || v->k == VK::Float || v->k == VK::Bool;
}
bool is_intlike(const V& v) {
    return v->k == VK::Int || v->k == VK::Bool;
}
std::int64_t ival(const V& v) {
    return v->k == VK::Bool ? (v->b ? 1 : 0) : v->i;
}
double fval(const V& v) {
    return v->k == VK::Float ? v->f : double(ival(v));
}

std::string canonical(std::string n) {
    if (n.rfind("torch.nn.functional.", 0) == 0) return "F." + n.substr(20);
    if (n.rfind("nn.functional.", 0) == 0) return "F." + n.substr(14);
    if (n == "torch.nn.functional") return "F";
    if (n.rfind("torch.nn.", 0) == 0) return "nn." + n.substr(9);
    if (n == "torch.nn") return "nn";
    if (n.rfind("nn.modules.", 0) == 0) {
        auto d = n.rfind('.');
        if (d != std::string::npos && d + 1 < n.size() && std::isupper(n[d + 1]))
            return "nn." + n.substr(d + 1);
    }
    if (n == "collections.OrderedDict" || n == "typing.OrderedDict") return "OrderedDict";
    if (n == "functools.partial") return "partial";
    return n;
}

struct Stop { // forward() reached a layer whose shape rule fails: the plan reports it
    std::int64_t node;
};

enum class Flow { Normal, Return, Break, Continue };

// F.* functions as the module computing the same: the type and the parameters after the input.
struct Functional {
    const char* name;
    const char* type;
    std::vector<const char*> params;
};
const std::vector<Functional>& functionals() {
    static const std::vector<Functional> f = {
        {"relu", "ReLU", {"inplace"}},
        {"relu_", "ReLU", {}},
        {"relu6", "ReLU6", {"inplace"}},
        {"elu", "ELU", {"alpha", "inplace"}},
        {"selu", "SELU", {"inplace"}},
        {"celu", "CELU", {"alpha", "inplace"}},
        {"leaky_relu", "LeakyReLU", {"negative_slope", "inplace"}},
        {"gelu", "GELU", {"approximate"}},
        {"silu", "SiLU", {"inplace"}},
        {"mish", "Mish", {"inplace"}},
        {"hardswish", "Hardswish", {"inplace"}},
        {"hardsigmoid", "Hardsigmoid", {"inplace"}},
        {"hardtanh", "Hardtanh", {"min_val", "max_val", "inplace"}},
        {"sigmoid", "Sigmoid", {}},
        {"tanh", "Tanh", {}},
        {"softplus", "Softplus", {"beta", "threshold"}},
        {"softsign", "Softsign", {}},
        {"logsigmoid", "LogSigmoid", {}},
        {"glu", "GLU", {"dim"}},
        {"max_pool1d",
         "MaxPool1d",
         {"kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices"}},
        {"max_pool2d",
         "MaxPool2d",
         {"kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices"}},
        {"max_pool3d",
         "MaxPool3d",
         {"kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices"}},
        {"avg_pool1d",
         "AvgPool1d",
         {"kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"}},
        {"avg_pool2d",
         "AvgPool2d",
         {"kernel_size", "stride", "padding", "ceil_mode", "count_include_pad",
          "divisor_override"}},
        {"avg_pool3d",
         "AvgPool3d",
         {"kernel_size", "stride", "padding", "ceil_mode", "count_include_pad",
          "divisor_override"}},
        {"adaptive_avg_pool1d", "AdaptiveAvgPool1d", {"output_size"}},
        {"adaptive_avg_pool2d", "AdaptiveAvgPool2d", {"output_size"}},
        {"adaptive_avg_pool3d", "AdaptiveAvgPool3d", {"output_size"}},
        {"adaptive_max_pool1d", "AdaptiveMaxPool1d", {"output_size", "return_indices"}},
        {"adaptive_max_pool2d", "AdaptiveMaxPool2d", {"output_size", "return_indices"}},
        {"adaptive_max_pool3d", "AdaptiveMaxPool3d", {"output_size", "return_indices"}},
        {"dropout", "Dropout", {"p", "training", "inplace"}},
        {"dropout1d", "Dropout1d", {"p", "training", "inplace"}},
        {"dropout2d", "Dropout2d", {"p", "training", "inplace"}},
        {"dropout3d", "Dropout3d", {"p", "training", "inplace"}},
        {"alpha_dropout", "AlphaDropout", {"p", "training", "inplace"}},
        {"softmax", "Softmax", {"dim", "_stacklevel", "dtype"}},
        {"log_softmax", "LogSoftmax", {"dim", "_stacklevel", "dtype"}},
        {"interpolate",
         "Upsample",
         {"size", "scale_factor", "mode", "align_corners", "recompute_scale_factor", "antialias"}},
        {"upsample", "Upsample", {"size", "scale_factor", "mode", "align_corners"}},
        {"pixel_shuffle", "PixelShuffle", {"upscale_factor"}},
        {"pixel_unshuffle", "PixelUnshuffle", {"downscale_factor"}},
        {"flatten", "TensorFlatten", {"start_dim", "end_dim"}},
    };
    return f;
}

// Tensor methods and torch functions by the layer type that computes them, when the generic
// rule (torch.<name> alias, or the capitalised name) does not find it.
const char* method_type(const std::string& m) {
    static const std::map<std::string, const char*> t = {{"relu", "ReLU"},
                                                         {"relu_", "ReLU"},
                                                         {"sigmoid", "Sigmoid"},
                                                         {"tanh", "Tanh"},
                                                         {"softmax", "Softmax"},
                                                         {"log_softmax", "LogSoftmax"},
                                                         {"add", "Add"},
                                                         {"add_", "Add"},
                                                         {"sub", "Sub"},
                                                         {"mul", "Mul"},
                                                         {"mul_", "Mul"},
                                                         {"div", "Div"},
                                                         {"view", "View"},
                                                         {"reshape", "Reshape"},
                                                         {"permute", "Permute"},
                                                         {"expand", "Expand"},
                                                         {"flatten", "TensorFlatten"},
                                                         {"unflatten", "TensorUnflatten"},
                                                         {"contiguous", "Contiguous"},
                                                         {"transpose", "Transpose"},
                                                         {"mean", "Mean"},
                                                         {"sum", "Sum"},
                                                         {"amax", "Amax"},
                                                         {"amin", "Amin"},
                                                         {"chunk", "Chunk"},
                                                         {"split", "Split"},
                                                         {"unbind", "Unbind"},
                                                         {"squeeze", "Squeeze"},
                                                         {"unsqueeze", "Unsqueeze"},
                                                         {"matmul", "Matmul"},
                                                         {"bmm", "Bmm"},
                                                         {"roll", "Roll"},
                                                         {"flip", "Flip"},
                                                         {"narrow", "Narrow"},
                                                         {"select", "Select"},
                                                         {"swapaxes", "Transpose"},
                                                         {"swapdims", "Transpose"},
                                                         {"exp", nullptr}};
    auto f = t.find(m);
    return f == t.end() ? nullptr : f->second;
}

class Evaluator {
public:
    // Values refer to one another in cycles (a function and the scope it is defined in, a class
    // and its methods, a module and a bound method): the scopes functions were made in are
    // kept here, and everything reachable from them is cleared when the evaluator ends.
    std::vector<EnvP> captured_;
    void captured(const EnvP& e) {
        if (e->captured) return;
        e->captured = true;
        captured_.push_back(e);
    }
    ~Evaluator() {
        std::vector<V> stack; // strong: clearing one object must not free another being cleared
        std::set<const void*> seen;
        std::vector<EnvP> envs = captured_;
        envs.push_back(globals_);
        auto push = [&](const V& v) {
            if (v && seen.insert(v.get()).second) stack.push_back(v);
        };
        std::vector<std::shared_ptr<ClassInfo>> classes;
        std::vector<std::shared_ptr<Mod>> mods;
        for (auto& [k, kw] : partial_kw_)
            for (auto& [n, v] : kw)
                push(v);
        for (auto& [k, v] : defaults_)
            push(v);
        for (size_t i = 0; i < envs.size(); ++i) {
            for (auto& [k, v] : envs[i]->vars)
                push(v);
            while (!stack.empty()) {
                V o = stack.back();
                stack.pop_back();
                for (const V& x : o->items)
                    push(x);
                for (const V& x : o->keys)
                    push(x);
                push(o->self);
                push(o->fn);
                if (o->env && seen.insert(o->env.get()).second) envs.push_back(o->env);
                if (o->cls && seen.insert(o->cls.get()).second) {
                    classes.push_back(o->cls);
                    for (auto& [k, v] : o->cls->attrs)
                        push(v);
                    for (const V& b : o->cls->bases)
                        push(b);
                }
                if (o->mod && seen.insert(o->mod.get()).second) {
                    mods.push_back(o->mod);
                    for (auto& [k, v] : o->mod->attrs)
                        push(v);
                    if (o->mod->cls && seen.insert(o->mod->cls.get()).second) {
                        classes.push_back(o->mod->cls);
                        for (auto& [k, v] : o->mod->cls->attrs)
                            push(v);
                        for (const V& b : o->mod->cls->bases)
                            push(b);
                    }
                }
                objs_.push_back(o);
            }
        }
        partial_kw_.clear();
        defaults_.clear();
        for (const V& o : objs_) {
            o->items.clear();
            o->keys.clear();
            o->self.reset();
            o->fn.reset();
            o->env.reset();
            o->cls.reset();
            o->mod.reset();
        }
        for (auto& c : classes)
            c->attrs.clear(), c->bases.clear();
        for (auto& m : mods)
            m->attrs.clear(), m->cls.reset();
        for (auto& e : envs)
            e->vars.clear(), e->parent.reset();
    }
    std::vector<V> objs_;

    Evaluator(const std::string& text, const ReadHints& hints)
        : src_(text), text_(text), hints_(hints) {
        training_ = hints.mode && *hints.mode == Mode::Train;
    }

    Source src_;
    const std::string& text_;
    ReadHints hints_;
    Network net_;

    // The file's own initialisation of weights, which run --seed does not replay: the first
    // place ("line 45: nn.init.kaiming_normal_") and how many there are.
    void own_init(size_t at, const std::string& what) {
        if (net_.own_init.empty())
            net_.own_init = fmt::format("line {}: {}", src_.line_of(at), what);
        ++net_.own_init_count;
    }
    pymod::Module ast_;
    EnvP globals_ = std::make_shared<Env>();
    std::map<std::string, std::string> imports_;          // alias -> dotted name
    std::vector<std::pair<std::string, size_t>> classes_; // module classes, in order
    std::set<std::string> used_names_;
    std::map<std::string, int> name_counts_;
    bool training_ = false;
    bool in_forward_ = false;
    std::int64_t steps_ = 0;
    int depth_ = 0;
    struct Frame {
        V self;
        std::shared_ptr<ClassInfo> cls;
        const Stmt* def = nullptr;
    };
    std::vector<Frame> frames_;
    std::unordered_map<std::string, const Stmt*> poisoned_; // module-level names that failed
    std::unordered_map<std::string, std::string> poison_msg_;

    [[noreturn]] void fail(size_t at, const std::string& msg) const { src_.fail(at, msg); }

    // Work proportional to n (a range, a repeated list): counted as n steps, so that memory
    // stays bounded as time does.
    void charge(std::int64_t n, size_t at) {
        steps_ += std::max<std::int64_t>(0, n);
        step(at);
    }

    void step(size_t at) {
        if (++steps_ > kMaxSteps)
            fail(at, fmt::format("the model takes more than {} evaluation steps: cnnshape stops "
                                 "here (an endless recursion or a very long loop?)",
                                 kMaxSteps));
    }

    // ---------------------------------------------------------------------------------------
    // Module level

    void load() {
        ast_ = parse_module(src_);
        for (const SP& s : ast_.body)
            toplevel(*s);
    }

    void toplevel(const Stmt& s) {
        switch (s.k) {
        case SK::Import:
            for (const std::string& b : s.base_kw) {
                auto eq = b.find('=');
                imports_[b.substr(0, eq)] = b.substr(eq + 1);
                globals_->vars.erase(b.substr(0, eq));
            }
            return;
        case SK::Def:
        case SK::Class:
            exec(s, globals_);
            if (s.k == SK::Class) {
                const V& c = globals_->vars[s.s];
                if (derives_module(c->cls)) classes_.push_back({s.s, s.at});
            }
            return;
        case SK::Assign:
        case SK::AnnAssign:
        case SK::Aug:
            // Module-level assignments are evaluated; one that fails leaves its names unusable
            // (with the reason, shown if they are used), as script code around the model often
            // does things cnnshape cannot (datasets, optimizers).
            try {
                exec(s, globals_);
            } catch (const SpecError& e) {
                for (const EP& t : s.targets)
                    poison(*t, s, e);
            } catch (const Stop&) {
            }
            return;
        default:
            return; // script code (if __name__ == "__main__", training loops) is not the model
        }
    }

    void poison(const Expr& t, const Stmt& s, const SpecError& e) {
        if (t.k == EK::Name) {
            globals_->vars.erase(t.s);
            poisoned_[t.s] = &s;
            poison_msg_[t.s] = std::string(e.what());
            poison_where_[t.s] = e.where();
        } else if (t.k == EK::Tuple || t.k == EK::List) {
            for (const EP& x : t.a)
                poison(*x, s, e);
        }
    }
    std::unordered_map<std::string, std::string> poison_where_;

    bool derives_module(const std::shared_ptr<ClassInfo>& c) const {
        if (!c) return false;
        return !c->builtin.empty();
    }

    // ---------------------------------------------------------------------------------------
    // Statements

    Flow exec_block(const std::vector<SP>& body, const EnvP& env, V& ret) {
        for (const SP& s : body) {
            Flow f = exec(*s, env, &ret);
            if (f != Flow::Normal) return f;
        }
        return Flow::Normal;
    }

    // Statements and expressions being evaluated inside one another (blocks in calls in
    // blocks...): bounded, so that the evaluator's own stack stays small.
    static constexpr int kMaxNesting = 3000;
    int nesting_ = 0;
    struct Nest {
        Nest(Evaluator& e, size_t at) : e_(e) {
            if (++e_.nesting_ > kMaxNesting)
                e_.fail(at, fmt::format("the code nests blocks, calls and expressions more than "
                                        "{} deep",
                                        kMaxNesting));
        }
        ~Nest() { --e_.nesting_; }
        Evaluator& e_;
    };

    Flow exec(const Stmt& s, const EnvP& env, V* ret = nullptr) {
        step(s.at);
        Nest nest(*this, s.at);
        switch (s.k) {
        case SK::Expr:
            eval(*s.value, env);
            return Flow::Normal;
        case SK::Assign: {
            V v = eval(*s.value, env);
            for (const EP& t : s.targets)
                assign(*t, v, env);
            return Flow::Normal;
        }
        case SK::AnnAssign:
            if (s.value) assign(*s.targets[0], eval(*s.value, env), env);
            return Flow::Normal;
        case SK::Aug: {
            const Expr& t = *s.targets[0];
            V cur = eval(t, env);
            V rhs = eval(*s.value, env);
            V v;
            if (cur->k == VK::List && s.s == "+") {
                for (const V& x : iterate(rhs, s.value->at))
                    cur->items.push_back(x);
                v = cur;
            } else {
                v = binop(s.s, cur, rhs, s.at, true);
            }
            assign(t, v, env);
            return Flow::Normal;
        }
        case SK::Return:
            if (ret) *ret = s.value ? eval(*s.value, env) : none_v();
            return Flow::Return;
        case SK::If: {
            if (truth(eval(*s.value, env), s.value->at)) {
                V r;
                Flow f = exec_block(s.body, env, ret ? *ret : r);
                return f;
            }
            V r;
            return exec_block(s.orelse, env, ret ? *ret : r);
        }
        case SK::For: {
            V it = eval(*s.value, env);
            std::vector<V> items = iterate(it, s.value->at);
            for (const V& x : items) {
                assign(*s.targets[0], x, env);
                V r;
                Flow f = exec_block(s.body, env, ret ? *ret : r);
                if (f == Flow::Break) return Flow::Normal;
                if (f == Flow::Return) return f;
            }
            V r;
            return exec_block(s.orelse, env, ret ? *ret : r);
        }
        case SK::While:
            fail(s.at, "'while' loops are not supported: cnnshape evaluates loops whose length it "
                       "knows before they run (for ... in range(n), over a list, a ModuleList)");
        case SK::Def: {
            V f = mk(VK::Func);
            f->def = &s;
            f->env = env;
            captured(env);
            for (const EP& d : s.bases) {
                std::string dn = dotted_name(*d);
                if (dn == "staticmethod" || dn == "classmethod" || dn == "property" ||
                    dn == "torch.no_grad" || dn == "torch.jit.unused" || dn == "torch.jit.export" ||
                    dn == "torch.jit.ignore" || dn == "torch.no_grad()" ||
                    dn == "torch.inference_mode()")
                    continue;
                fail(d->at, fmt::format("the decorator '{}' is not supported", dn));
            }
            env->vars[s.s] = f;
            return Flow::Normal;
        }
        case SK::Class:
            define_class(s, env);
            return Flow::Normal;
        case SK::Pass:
        case SK::Import:
        case SK::Global:
            return Flow::Normal;
        case SK::Break:
            return Flow::Break;
        case SK::Continue:
            return Flow::Continue;
        case SK::Assert: {
            V c = eval(*s.value, env);
            if (!truth(c, s.value->at))
                fail(s.at, "this assert fails for the model as it is built (AssertionError)");
            return Flow::Normal;
        }
        case SK::Unsupported:
            if (s.s == "raise") fail(s.at, "the model's code raises an exception here");
            fail(s.at, fmt::format("'{}' statements are not supported by cnnshape's reader of "
                                   "model files",
                                   s.s));
        }
        return Flow::Normal;
    }

    static std::string dotted_name(const Expr& e) {
        if (e.k == EK::Name) return e.s;
        if (e.k == EK::Attr) return dotted_name(*e.a[0]) + "." + e.s;
        if (e.k == EK::Call && e.a.size() == 1) return dotted_name(*e.a[0]) + "()";
        return "?";
    }

    void define_class(const Stmt& s, const EnvP& env) {
        auto ci = std::make_shared<ClassInfo>();
        ci->name = s.s;
        ci->def = &s;
        for (const EP& b : s.bases) {
            V bv = eval(*b, env);
            if (bv->k == VK::Class) {
                ci->bases.push_back(bv);
                if (ci->builtin.empty()) ci->builtin = bv->cls->builtin;
            } else if (bv->k == VK::Builtin &&
                       (bv->s == "nn.Module" || bv->s == "nn.Sequential" ||
                        bv->s == "nn.ModuleList" || bv->s == "nn.ModuleDict")) {
                if (ci->builtin.empty() || ci->builtin == "Module") ci->builtin = bv->s.substr(3);
            } else if (bv->k == VK::Builtin &&
                       (bv->s == "object" || bv->s == "ABC" || bv->s == "abc.ABC")) {
            } else {
                fail(b->at, fmt::format("class {} derives from {}, which cnnshape does not know "
                                        "(it reads classes of nn.Module, nn.Sequential, "
                                        "nn.ModuleList and the file's own classes)",
                                        s.s, dotted_name(*b)));
            }
        }
        auto cenv = std::make_shared<Env>();
        cenv->parent = env;
        V r;
        exec_block(s.body, cenv, r);
        for (const SP& st : s.body)
            collect_order(*st, cenv, ci);
        V c = mk(VK::Class);
        c->cls = ci;
        env->vars[s.s] = c;
    }

    void collect_order(const Stmt& st, const EnvP& cenv, const std::shared_ptr<ClassInfo>& ci) {
        auto add = [&](const std::string& n) {
            auto f = cenv->vars.find(n);
            if (f == cenv->vars.end()) return;
            for (auto& [k, v] : ci->attrs)
                if (k == n) {
                    v = f->second;
                    return;
                }
            V v = f->second;
            if (v->k == VK::Func && !v->cls) v->cls = ci;
            ci->attrs.push_back({n, v});
        };
        if (st.k == SK::Def || st.k == SK::Class) add(st.s);
        if (st.k == SK::Assign || st.k == SK::AnnAssign)
            for (const EP& t : st.targets)
                if (t->k == EK::Name) add(t->s);
    }

    // ---------------------------------------------------------------------------------------
    // Assignment

    void assign(const Expr& t, const V& v, const EnvP& env) {
        switch (t.k) {
        case EK::Name:
            env->vars[t.s] = v;
            return;
        case EK::Tuple:
        case EK::List: {
            std::vector<V> items = iterate(v, t.at);
            size_t star = t.a.size();
            for (size_t i = 0; i < t.a.size(); ++i)
                if (t.a[i]->k == EK::Starred) star = i;
            if (star == t.a.size()) {
                if (items.size() != t.a.size())
                    fail(t.at,
                         items.size() > t.a.size()
                             ? fmt::format("too many values to unpack (expected {})", t.a.size())
                             : fmt::format("not enough values to unpack (expected {}, got "
                                           "{})",
                                           t.a.size(), items.size()));
                for (size_t i = 0; i < items.size(); ++i)
                    assign(*t.a[i], items[i], env);
                return;
            }
            size_t after = t.a.size() - star - 1;
            if (items.size() < star + after)
                fail(t.at, fmt::format("not enough values to unpack (expected at least {}, got "
                                       "{})",
                                       star + after, items.size()));
            for (size_t i = 0; i < star; ++i)
                assign(*t.a[i], items[i], env);
            std::vector<V> mid(items.begin() + star, items.end() - after);
            assign(*t.a[star]->a[0], seq_v(VK::List, mid), env);
            for (size_t i = 0; i < after; ++i)
                assign(*t.a[star + 1 + i], items[items.size() - after + i], env);
            return;
        }
        case EK::Attr: {
            V o = eval(*t.a[0], env);
            set_attr(o, t.s, v, t.at);
            return;
        }
        case EK::Sub: {
            V o = eval(*t.a[0], env);
            V k = eval(*t.a[1], env);
            if (o->k == VK::List) {
                if (!is_intlike(k)) fail(t.at, "list indices must be integers");
                std::int64_t i = ival(k), n = std::int64_t(o->items.size());
                if (i < 0) i += n;
                if (i < 0 || i >= n) fail(t.at, "list assignment index out of range");
                o->items[i] = v;
                return;
            }
            if (o->k == VK::Dict) {
                dict_set(o, k, v);
                return;
            }
            if (o->k == VK::Module && (o->mod->kind == "ModuleDict")) {
                if (k->k != VK::Str) fail(t.at, "ModuleDict keys are strings");
                add_child(o->mod, k->s, v, t.at);
                return;
            }
            fail(t.at, fmt::format("cnnshape cannot assign to an element of a {}", type_name(o)));
        }
        case EK::Starred:
            fail(t.at, "starred assignment target must be in a list or tuple");
        default:
            fail(t.at, "cannot assign to this expression");
        }
    }

    static bool key_eq(const V& a, const V& b) {
        if (a->k == VK::Str || b->k == VK::Str) return a->k == b->k && a->s == b->s;
        if (is_num(a) && is_num(b)) return fval(a) == fval(b);
        if (a->k == VK::None || b->k == VK::None) return a->k == b->k;
        if ((a->k == VK::Tuple) && b->k == VK::Tuple) {
            if (a->items.size() != b->items.size()) return false;
            for (size_t i = 0; i < a->items.size(); ++i)
                if (!key_eq(a->items[i], b->items[i])) return false;
            return true;
        }
        return a == b;
    }
    void dict_set(const V& d, const V& k, const V& v) {
        for (size_t i = 0; i < d->keys.size(); ++i)
            if (key_eq(d->keys[i], k)) {
                d->items[i] = v;
                return;
            }
        d->keys.push_back(k);
        d->items.push_back(v);
    }
    V dict_get(const V& d, const V& k) {
        for (size_t i = 0; i < d->keys.size(); ++i)
            if (key_eq(d->keys[i], k)) return d->items[i];
        return nullptr;
    }

    // ---------------------------------------------------------------------------------------
    // Modules and attributes

    static V find_attr(const std::shared_ptr<Mod>& m, const std::string& n) {
        for (auto& [k, v] : m->attrs)
            if (k == n) return v;
        return nullptr;
    }

    void add_child(const std::shared_ptr<Mod>& m, const std::string& name, const V& v, size_t) {
        for (auto& [k, x] : m->attrs)
            if (k == name) {
                x = v;
                return;
            }
        m->attrs.push_back({name, v});
    }

    void set_attr(const V& o, const std::string& name, const V& v, size_t at) {
        if (o->k != VK::Module)
            fail(at, fmt::format("cnnshape cannot set an attribute of a {}", type_name(o)));
        if (in_forward_ && (v->k == VK::Module || v->k == VK::Tensor))
            fail(at, "forward() assigns a module or tensor to an attribute of the module: "
                     "cnnshape reads forward() as a function of its input");
        add_child(o->mod, name, v, at);
    }

    V class_attr(const std::shared_ptr<ClassInfo>& c, const std::string& n,
                 std::shared_ptr<ClassInfo>* owner = nullptr) {
        if (!c) return nullptr;
        for (auto& [k, v] : c->attrs)
            if (k == n) {
                if (owner) *owner = c;
                return v;
            }
        for (const V& b : c->bases)
            if (V r = class_attr(b->cls, n, owner)) return r;
        return nullptr;
    }

    V bind(const V& f, const V& self) {
        if (f->k != VK::Func) return f;
        V recv = self;
        if (f->def) {
            for (const EP& d : f->def->bases) {
                if (dotted_name(*d) == "staticmethod") return f;
                if (dotted_name(*d) == "classmethod" && self->k == VK::Module && self->mod->cls) {
                    recv = mk(VK::Class);
                    recv->cls = self->mod->cls;
                }
            }
        }
        V b = mk(VK::Func);
        b->def = f->def;
        b->lam = f->lam;
        b->env = f->env;
        b->cls = f->cls;
        b->self = recv;
        return b;
    }

    static bool is_property(const V& f) {
        if (f->k != VK::Func || !f->def) return false;
        for (const EP& d : f->def->bases)
            if (dotted_name(*d) == "property") return true;
        return false;
    }

    // A Parameter or buffer used by forward(): its node, made the first time.
    V param_tensor(const std::shared_ptr<Mod>& m, size_t at) {
        if (m->node < 0) {
            if (!m->has_path)
                fail(at, "this Parameter is not registered in the model (assign it to an "
                         "attribute of a module)");
            Call c;
            c.name = m->kind;
            Value shape;
            Value::List l;
            for (auto d : m->shape)
                l.push_back(Value::integer(d));
            c.args.push_back(Value::tuple(l));
            if (m->kind == "Parameter" && !m->grad)
                c.kwargs.push_back({"requires_grad", Value::boolean(false)});
            if (m->kind == "Buffer" && !m->persistent)
                c.kwargs.push_back({"persistent", Value::boolean(false)});
            if (m->fill != 0) c.kwargs.push_back({"fill", Value::real(m->fill)});
            LayerPtr layer = construct(c, at);
            V t = add_node(layer, {}, m->path, at, true);
            net_.nodes.back().init_order = m->built;
            m->node = t->node;
            return t;
        }
        V t = mk(VK::Tensor);
        t->node = m->node;
        t->shape = m->shape;
        return t;
    }

    V get_attr(const V& o, const std::string& n, size_t at) {
        switch (o->k) {
        case VK::Module: {
            const auto& m = o->mod;
            if (V v = find_attr(m, n)) {
                if (v->k == VK::Module &&
                    (v->mod->kind == "Parameter" || v->mod->kind == "Buffer")) {
                    if (in_forward_) return param_tensor(v->mod, at);
                    V op = mk(VK::Opaque);
                    op->mod = v->mod;
                    return op;
                }
                return v;
            }
            if (m->cls) {
                std::shared_ptr<ClassInfo> owner;
                if (V v = class_attr(m->cls, n, &owner)) {
                    if (is_property(v)) return call(bind(v, o), {}, {}, at);
                    return bind(v, o);
                }
            }
            if (n == "training") return bool_v(training_);
            if (m->kind == "layer" && in_forward_ && m->has_path) {
                // self.fc.weight in forward(): the tensor the layer's first call holds (weight
                // tying: F.linear(x, self.embed.weight)); a bias the layer was built without is
                // None, as in PyTorch
                for (const auto& [tn, shape] : m->tensors)
                    if (tn == n) {
                        V t = mk(VK::Tensor);
                        t->node = -3;
                        t->shape = shape;
                        t->s = net_.nodes[m->first_call].name + "." + tn;
                        return t;
                    }
                const bool tensor_name = n == "weight" || n == "bias" || n == "running_mean" ||
                                         n == "running_var" || n == "num_batches_tracked";
                if (tensor_name && m->calls == 0)
                    fail(at, fmt::format("{}.{} is used before {} is called in forward(): cnnshape "
                                         "knows a layer's weights from its first call",
                                         m->path, n, m->path));
                if (tensor_name &&
                    (!m->tensors.empty() || m->layer->type().find("Norm") != std::string::npos))
                    return none_v();
            }
            if (m->kind == "layer") {
                if (const Value* a = m->layer->args().find(n)) return from_value(*a);
                if (n == "weight" || n == "bias") {
                    V op = mk(VK::Opaque);
                    return op;
                }
            }
            static const std::set<std::string> methods = {"add_module",
                                                          "register_module",
                                                          "register_buffer",
                                                          "register_parameter",
                                                          "append",
                                                          "extend",
                                                          "insert",
                                                          "modules",
                                                          "children",
                                                          "named_children",
                                                          "named_modules",
                                                          "items",
                                                          "keys",
                                                          "values",
                                                          "apply",
                                                          "parameters",
                                                          "named_parameters",
                                                          "eval",
                                                          "train",
                                                          "to",
                                                          "cuda",
                                                          "cpu",
                                                          "float",
                                                          "forward",
                                                          "__init__",
                                                          "requires_grad_",
                                                          "zero_grad",
                                                          "half",
                                                          "double",
                                                          "init_weights"};
            if (methods.count(n)) return builtin_v("module." + n, o);
            fail(at, fmt::format("'{}' object has no attribute '{}'", type_name(o), n));
        }
        case VK::Class: {
            if (V v = class_attr(o->cls, n)) return v;
            if (n == "__name__") return str_v(o->cls->name);
            fail(at, fmt::format("type object '{}' has no attribute '{}'", o->cls->name, n));
        }
        case VK::Builtin:
            if (o->s == "super" && (!o->cls || !o->self || o->self->k != VK::Module))
                fail(at, "super is used without being called (write super().__init__())");
            if (o->s == "super") {
                // the classes after the one whose method runs
                V self = o->self;
                std::shared_ptr<ClassInfo> owner;
                for (const V& b : o->cls->bases)
                    if (V v = class_attr(b->cls, n, &owner)) return bind(v, self);
                if (n == "__init__") return builtin_v("module.__base_init__", self);
                if (n == "forward" && self->mod->kind == "Sequential")
                    return builtin_v("module.__seq_forward__", self);
                fail(at, fmt::format("'super' object has no attribute '{}'", n));
            }
            if (o->self) break;
            {
                std::string c = canonical(o->s + "." + n);
                // The float constants of math, torch and numpy (math.pi, math.inf, torch.nan).
                for (const char* mod : {"math.", "torch.", "numpy.", "np."}) {
                    if (c.rfind(mod, 0) != 0) continue;
                    const std::string k = c.substr(std::strlen(mod));
                    if (k == "inf") return float_v(std::numeric_limits<double>::infinity());
                    if (k == "nan") return float_v(std::numeric_limits<double>::quiet_NaN());
                    if (k == "pi") return float_v(M_PI);
                    if (k == "e") return float_v(M_E);
                    if (k == "tau" && std::string(mod) == "math.") return float_v(2 * M_PI);
                }
                return builtin_v(std::move(c));
            }
        case VK::Tensor: {
            if (n == "shape") return shape_v(o);
            if (n == "ndim") return int_v(std::int64_t(o->shape.size()));
            if (n == "T" || n == "mT" || n == "data" || n == "grad")
                fail(at, fmt::format("Tensor.{} is not supported", n));
            if (n == "device" || n == "dtype") return str_v(n == "dtype" ? "torch.float32" : "cpu");
            return builtin_v("tensor." + n, o);
        }
        case VK::Opaque:
            // the weights of a layer in __init__ (nn.init.kaiming_normal_(m.weight), .data)
            if (n == "data") return o;
            if (n == "shape" && o->mod) return shape_of(o->mod->shape);
            return builtin_v("opaque." + n, o);
        case VK::List:
        case VK::Dict:
        case VK::Str:
        case VK::Tuple:
            return builtin_v(std::string(o->k == VK::List   ? "list."
                                         : o->k == VK::Dict ? "dict."
                                         : o->k == VK::Str  ? "str."
                                                            : "tuple.") +
                                 n,
                             o);
        case VK::Func:
            if (n == "__name__" && o->def) return str_v(o->def->s);
            break;
        default:
            break;
        }
        fail(at, fmt::format("'{}' object has no attribute '{}'", type_name(o), n));
    }

    V shape_of(const Shape& s) {
        std::vector<V> items;
        for (auto d : s)
            items.push_back(int_v(d));
        return seq_v(VK::Tuple, items);
    }
    V shape_v(const V& t) { return shape_of(t->shape); }

    V from_value(const Value& v) {
        if (v.is_none()) return none_v();
        if (v.is_bool()) return bool_v(v.as_bool());
        if (v.is_int()) return int_v(v.as_int());
        if (v.is_float()) return float_v(v.as_float());
        if (v.is_string()) return str_v(v.as_string());
        if (v.is_tuple()) {
            std::vector<V> items;
            for (const Value& x : v.as_tuple())
                items.push_back(from_value(x));
            return seq_v(v.is_list ? VK::List : VK::Tuple, items);
        }
        return none_v();
    }

    Value to_value(const V& v, size_t at, const std::string& what) {
        switch (v->k) {
        case VK::None:
            return Value::none();
        case VK::Bool:
            return Value::boolean(v->b);
        case VK::Int:
            return Value::integer(v->i);
        case VK::Float:
            return Value::real(v->f);
        case VK::Str:
            return Value::string(v->s);
        case VK::Tuple:
        case VK::List: {
            Value::List l;
            for (const V& x : v->items)
                l.push_back(to_value(x, at, what));
            Value t = Value::tuple(std::move(l));
            t.is_list = v->k == VK::List;
            return t;
        }
        default:
            fail(at, fmt::format("{} is a {}: cnnshape needs a number, string, tuple or list "
                                 "here",
                                 what, type_name(v)));
        }
    }

    LayerPtr construct(const Call& c, size_t at) {
        try {
            return make_layer(c, "");
        } catch (const SpecError& e) {
            std::string msg = e.what();
            fail(at, msg);
        } catch (const ShapeError& e) {
            fail(at, e.what());
        }
    }

    // ---------------------------------------------------------------------------------------
    // The graph

    std::string unique_name(const std::string& base) {
        if (!used_names_.count(base)) {
            used_names_.insert(base);
            return base;
        }
        int& n = name_counts_[base];
        std::string cand;
        do
            cand = fmt::format("{}_{}", base, ++n);
        while (used_names_.count(cand));
        used_names_.insert(cand);
        return cand;
    }

    V add_node(const LayerPtr& layer, const std::vector<V>& inputs, const std::string& name,
               size_t at, bool exact_name = false) {
        if (net_.nodes.size() >= kMaxSpecLayers)
            fail(at, fmt::format("more than {} layers: cnnshape plans at most {}", kMaxSpecLayers,
                                 kMaxSpecLayers));
        Node n;
        n.name = exact_name ? name : unique_name(name);
        if (exact_name) used_names_.insert(name);
        n.where = fmt::format("line {}", src_.line_of(at));
        n.layer = layer;
        std::vector<Shape> shapes;
        bool any_slot = false;
        std::vector<std::int64_t> slots;
        for (const V& t : inputs) {
            if (t->k != VK::Tensor) fail(at, "internal: a layer input is not a tensor");
            if (t->node == -3)
                fail(at, fmt::format("{} is a layer's weight: cnnshape takes it only as the "
                                     "weight (or bias) of F.linear, F.conv1d/2d/3d, F.layer_norm "
                                     "or F.batch_norm, not as a tensor to compute with",
                                     t->s));
            if (t->node == -2)
                fail(at, "this tensor is not computed from forward()'s input (a tensor made "
                         "in __init__ that is not an nn.Parameter or a registered buffer, or made "
                         "by torch.zeros/randn): cnnshape cannot plan it");
            n.inputs.push_back(t->node);
            slots.push_back(t->slot);
            any_slot |= t->slot >= 0;
            shapes.push_back(t->shape);
        }
        if (any_slot) n.slots = slots;
        InferContext ctx;
        ctx.mode = training_ ? Mode::Train : Mode::Eval;
        for (size_t k = 0; k < inputs.size(); ++k) {
            size_t j = 0;
            while (j < k && (n.inputs[j] != n.inputs[k] || slots[j] != slots[k]))
                ++j;
            ctx.same_as.push_back(j);
        }
        net_.nodes.push_back(std::move(n));
        std::int64_t idx = std::int64_t(net_.nodes.size()) - 1;
        LayerOutput out;
        Lowering lower;
        try {
            layer->check_construct();
            out = layer->infer(shapes, ctx, lower);
        } catch (const ShapeError&) {
            throw Stop{idx};
        }
        last_params_ = out.params + out.buffers;
        last_tensors_.clear();
        last_tensor_shapes_.clear();
        for (const TensorSpec& ts : lower.tensors) {
            last_tensors_.push_back(ts.name);
            last_tensor_shapes_.push_back(ts.shape);
        }
        if (layer->returns_tuple()) {
            std::vector<V> items;
            for (size_t k = 0; k < out.tuple.size(); ++k) {
                V t = mk(VK::Tensor);
                t->node = idx;
                t->slot = std::int64_t(k);
                t->shape = out.tuple[k];
                items.push_back(t);
            }
            for (std::int64_t k = 0; k < out.tuple_nones; ++k)
                items.push_back(none_v());
            return seq_v(VK::Tuple, items);
        }
        V t = mk(VK::Tensor);
        t->node = idx;
        t->shape = out.shape;
        return t;
    }
    std::int64_t last_params_ = 0;
    std::vector<std::string> last_tensors_; // the state_dict tensors of the last node made
    std::vector<Shape> last_tensor_shapes_; //   and their shapes
    std::int64_t built_ = 0;                // modules, Parameters and buffers made so far

    // A layer of type `type` from positional and keyword Python values.
    LayerPtr layer_of(const std::string& type, const std::vector<V>& args,
                      const std::vector<std::pair<std::string, V>>& kwargs, size_t at) {
        Call c;
        c.name = type;
        for (const V& a : args)
            c.args.push_back(to_value(a, at, "an argument of " + type));
        for (auto& [k, v] : kwargs)
            c.kwargs.push_back({k, to_value(v, at, "the argument " + k + "= of " + type)});
        return construct(c, at);
    }

    V tensor_op(const std::string& type, const std::vector<V>& inputs, const std::vector<V>& args,
                const std::vector<std::pair<std::string, V>>& kwargs, const std::string& name,
                size_t at) {
        LayerPtr l = layer_of(type, args, kwargs, at);
        return add_node(l, inputs, name, at);
    }

    // ---------------------------------------------------------------------------------------
    // Calling modules

    V call_module(const V& mv, std::vector<V> args, std::vector<std::pair<std::string, V>> kwargs,
                  size_t at) {
        auto& m = mv->mod;
        // The root's call starts forward(): everything it calls is in forward().
        struct Forward {
            bool& flag;
            bool saved;
            ~Forward() { flag = saved; }
        } guard{in_forward_, in_forward_};
        if (m == root_mod_ && !guard.saved) in_forward_ = true;
        if (m->kind == "layer") {
            if (!in_forward_)
                fail(at, fmt::format("{} is called outside forward(): cnnshape plans the model's "
                                     "forward() on its input",
                                     m->call.base_name()));
            std::vector<V> tensors;
            for (const V& a : args) {
                if (a->k != VK::Tensor)
                    fail(at, fmt::format("{} is called with a value of type {}, not a tensor",
                                         m->call.base_name(), type_name(a)));
                tensors.push_back(a);
            }
            LayerPtr layer = m->layer;
            if (!kwargs.empty()) {
                Call c = m->call;
                for (auto& [k, v] : kwargs) {
                    if (v->k == VK::Tensor) {
                        tensors.push_back(v);
                        continue;
                    }
                    c.kwargs.push_back({k, to_value(v, at, k + "=")});
                }
                layer = construct(c, at);
            }
            std::string name;
            if (!m->has_path) {
                name = fmt::format("{}", lower_name(m->call.base_name()));
            } else {
                name = m->calls == 0 ? m->path : fmt::format("{}_{}", m->path, m->calls);
            }
            bool exact = m->has_path && m->calls == 0;
            ++m->calls;
            V out = add_node(layer, tensors, name, at, exact);
            Node& node = net_.nodes.back();
            node.init_order = m->built;
            if (m->calls == 1) {
                m->first_call = std::int64_t(net_.nodes.size()) - 1;
                m->tensors.clear();
                for (size_t k = 0; k < last_tensors_.size(); ++k)
                    m->tensors.push_back({last_tensors_[k], last_tensor_shapes_[k]});
            } else if (m->has_path) {
                // a second call uses the first call's weights (PyTorch counts them once)
                for (const std::string& tn : last_tensors_)
                    node.shared.push_back({tn, tn.empty()
                                                   ? net_.nodes[m->first_call].name
                                                   : net_.nodes[m->first_call].name + "." + tn});
            }
            if (!m->has_path && last_params_ > 0)
                fail(at, fmt::format("this {} has weights but is not a registered submodule (made "
                                     "in forward(), or kept in a plain list or dict): PyTorch "
                                     "would not count or train them; register it in __init__",
                                     m->call.base_name()));
            return out;
        }
        if (m->kind == "Sequential" && !(m->cls && class_attr(m->cls, "forward"))) {
            if (args.size() != 1 || !kwargs.empty())
                fail(at, "a Sequential is called with one tensor");
            V x = args[0];
            for (auto& [k, c] : m->attrs)
                if (c->k == VK::Module && is_submodule(c)) x = call(c, {x}, {}, at);
            return x;
        }
        if ((m->kind == "ModuleList" || m->kind == "ModuleDict") &&
            !(m->cls && class_attr(m->cls, "forward")))
            fail(at, fmt::format("{} is not callable: iterate over it or index it", m->kind));
        if (m->kind == "Parameter" || m->kind == "Buffer") fail(at, "a Parameter is not callable");
        V fwd = m->cls ? class_attr(m->cls, "forward") : nullptr;
        if (!fwd) fail(at, fmt::format("{} has no forward()", m->cls ? m->cls->name : m->kind));
        bool outer = !in_forward_;
        if (outer) in_forward_ = true;
        V r = call(bind(fwd, mv), std::move(args), std::move(kwargs), at);
        if (outer) in_forward_ = false;
        return r;
    }
    std::shared_ptr<Mod> root_mod_; // the model: calling it starts forward()

    static std::string lower_name(const std::string& type) {
        std::string out;
        for (size_t i = 0; i < type.size(); ++i) {
            char c = type[i];
            if (std::isupper(static_cast<unsigned char>(c))) {
                if (i > 0 && !std::isupper(static_cast<unsigned char>(type[i - 1]))) out += '_';
                out += char(std::tolower(static_cast<unsigned char>(c)));
            } else {
                out += c;
            }
        }
        return out;
    }

    static bool is_submodule(const V& v) {
        return v->k == VK::Module && v->mod->kind != "Parameter" && v->mod->kind != "Buffer" &&
               v->mod->kind != "object";
    }

    // PyTorch's state_dict names: each module's dotted path from the root.
    void assign_paths(const V& mv, const std::string& prefix, int depth) {
        if (depth > 200) fail(mv->mod->at, "modules are nested more than 200 deep");
        auto& m = mv->mod;
        if (m->has_path) {
            // One module under two names (a slice of a registered Sequential): PyTorch's
            // state_dict holds its weights under both, parameters() once.
            std::vector<TensorSpec> ts;
            if (m->kind == "layer" && m->path != prefix && probe_tensors(m, ts) && !ts.empty())
                fail(m->at, fmt::format("this {} is registered in the model twice, as '{}' and "
                                        "'{}': cnnshape cannot plan weights held under two names",
                                        m->call.base_name(), m->path, prefix));
            return;
        }
        m->has_path = true;
        m->path = prefix;
        for (auto& [k, v] : m->attrs) {
            if (v->k != VK::Module || v->mod->kind == "object") continue;
            std::string p = prefix.empty() ? k : prefix + "." + k;
            if (v->mod->kind == "Parameter" || v->mod->kind == "Buffer") {
                if (!v->mod->has_path) {
                    v->mod->has_path = true;
                    v->mod->path = p;
                    used_names_.insert(p);
                }
                continue;
            }
            used_names_.insert(p);
            assign_paths(v, p, depth + 1);
        }
    }

    // The weights of a layer forward() never calls, as PyTorch's parameters() and state_dict
    // hold them: Parameter and Buffer layers named by their keys (they reach no output). Their
    // shapes come from the layer's own infer() on an input its arguments fit (the channels it
    // is built for); false when no such input is found.
    bool add_unused_weights(const std::shared_ptr<Mod>& m) {
        std::vector<TensorSpec> tensors;
        if (!probe_tensors(m, tensors)) return false;
        for (const TensorSpec& t : tensors) {
            Call call;
            call.name = t.is_buffer ? "Buffer" : "Parameter";
            Value::List l;
            for (auto d : t.shape)
                l.push_back(Value::integer(d));
            call.args.push_back(Value::tuple(l));
            if (t.is_buffer && !t.persistent)
                call.kwargs.push_back({"persistent", Value::boolean(false)});
            std::string name = t.name.empty() ? m->path : m->path + "." + t.name;
            add_node(construct(call, m->at), {}, name, m->at, true);
            net_.nodes.back().init_order = m->built;
        }
        return true;
    }

    // The state_dict tensors of a layer, from its own infer() on an input its arguments fit;
    // false when no such input is found.
    bool probe_tensors(const std::shared_ptr<Mod>& m, std::vector<TensorSpec>& tensors) {
        const Args& a = m->layer->args();
        std::int64_t c = -1;
        for (const char* k :
             {"in_channels", "in_features", "num_features", "num_channels", "embed_dim"})
            if (const Value* v = a.find(k))
                if (v->is_int()) c = v->as_int();
        std::vector<Shape> tries;
        for (int rank = 2; rank <= 5; ++rank) {
            Shape s(rank, 8);
            s[0] = 1;
            if (c >= 0) {
                Shape t = s;
                t[1] = c;
                tries.push_back(t);
                t = s;
                t.back() = c;
                tries.push_back(t);
            }
            tries.push_back(s);
        }
        if (const Value* v = a.find("normalized_shape")) {
            Shape s = {1};
            if (v->is_int()) s.push_back(v->as_int());
            if (v->is_tuple())
                for (const Value& x : v->as_tuple())
                    if (x.is_int()) s.push_back(x.as_int());
            tries.insert(tries.begin(), s);
        }
        for (const Shape& in : tries) {
            Lowering lower;
            InferContext ctx;
            try {
                m->layer->check_construct();
                m->layer->infer({in}, ctx, lower);
            } catch (const std::exception&) {
                continue;
            }
            tensors = std::move(lower.tensors);
            return true;
        }
        return false;
    }

    // ---------------------------------------------------------------------------------------
    // Truth, iteration, operators

    bool truth(const V& v, size_t at) {
        switch (v->k) {
        case VK::None:
            return false;
        case VK::Bool:
            return v->b;
        case VK::Int:
            return v->i != 0;
        case VK::Float:
            return v->f != 0;
        case VK::Str:
            return !v->s.empty();
        case VK::Tuple:
        case VK::List:
        case VK::Dict:
            return !v->items.empty();
        case VK::Tensor:
            fail(at, "this condition depends on a tensor's values, which cnnshape cannot know "
                     "without data (it plans from shapes)");
        case VK::Module:
            if (v->mod->kind == "Sequential" || v->mod->kind == "ModuleList" ||
                v->mod->kind == "ModuleDict")
                return module_children(v).size() > 0;
            return true;
        default:
            return true;
        }
    }

    std::vector<V> module_children(const V& mv) {
        std::vector<V> out;
        for (auto& [k, v] : mv->mod->attrs)
            if (is_submodule(v)) out.push_back(v);
        return out;
    }

    std::vector<V> iterate(const V& v, size_t at) {
        switch (v->k) {
        case VK::Tuple:
        case VK::List:
            charge(std::int64_t(v->items.size()), at);
            return v->items;
        case VK::Dict:
            charge(std::int64_t(v->keys.size()), at);
            return v->keys;
        case VK::Str: {
            charge(std::int64_t(v->s.size()), at);
            std::vector<V> out;
            for (char c : v->s)
                out.push_back(str_v(std::string(1, c)));
            return out;
        }
        case VK::Module:
            if (v->mod->kind == "Sequential" || v->mod->kind == "ModuleList")
                return module_children(v);
            if (v->mod->kind == "ModuleDict") {
                std::vector<V> out;
                for (auto& [k, x] : v->mod->attrs)
                    if (is_submodule(x)) out.push_back(str_v(k));
                return out;
            }
            break;
        case VK::Tensor:
            if (v->shape.empty()) fail(at, "iteration over a 0-d tensor");
            {
                V u = tensor_op("Unbind", {v}, {int_v(0)}, {}, "unbind", at);
                return u->items;
            }
        default:
            break;
        }
        fail(at, fmt::format("'{}' object is not iterable", type_name(v)));
    }

    V number(double x, bool is_int, std::int64_t i) { return is_int ? int_v(i) : float_v(x); }

    static std::int64_t floordiv(std::int64_t a, std::int64_t b) {
        std::int64_t q = a / b;
        if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
        return q;
    }

    V arith(const std::string& op, const V& a, const V& b, size_t at) {
        bool ints = is_intlike(a) && is_intlike(b);
        if (ints) {
            std::int64_t x = ival(a), y = ival(b), r = 0;
            bool ovf = false;
            if (op == "+")
                ovf = __builtin_add_overflow(x, y, &r);
            else if (op == "-")
                ovf = __builtin_sub_overflow(x, y, &r);
            else if (op == "*")
                ovf = __builtin_mul_overflow(x, y, &r);
            else if (op == "//" || op == "%") {
                if (y == 0)
                    fail(at, op == "//" ? "integer division or modulo by zero"
                                        : "integer division or modulo by zero");
                if (x == INT64_MIN && y == -1)
                    ovf = true;
                else {
                    std::int64_t q = floordiv(x, y);
                    r = op == "//" ? q : x - q * y;
                }
            } else if (op == "/") {
                if (y == 0) fail(at, "division by zero");
                return float_v(double(x) / double(y));
            } else if (op == "**") {
                if (y < 0) return float_v(std::pow(double(x), double(y)));
                r = 1;
                for (std::int64_t k = 0; k < y && !ovf; ++k) {
                    ovf = __builtin_mul_overflow(r, x, &r);
                    if (r == 0 || r == 1) break;
                }
            } else if (op == "<<") {
                if (y < 0 || y >= 63)
                    ovf = true;
                else
                    r = x << y;
            } else if (op == ">>") {
                r = y >= 63 ? (x < 0 ? -1 : 0) : x >> y;
            } else if (op == "&") {
                r = x & y;
            } else if (op == "|") {
                r = x | y;
            } else if (op == "^") {
                r = x ^ y;
            } else {
                fail(at, fmt::format("unsupported operand type(s) for {}: 'int' and 'int'", op));
            }
            if (ovf) fail(at, "integer overflow: cnnshape's integers are 64-bit");
            return int_v(r);
        }
        double x = fval(a), y = fval(b);
        if (op == "+") return float_v(x + y);
        if (op == "-") return float_v(x - y);
        if (op == "*") return float_v(x * y);
        if (op == "/") {
            if (y == 0) fail(at, "float division by zero");
            return float_v(x / y);
        }
        if (op == "//") {
            if (y == 0) fail(at, "float floor division by zero");
            return float_v(std::floor(x / y));
        }
        if (op == "%") {
            if (y == 0) fail(at, "float modulo");
            double m = std::fmod(x, y);
            if (m != 0 && ((m < 0) != (y < 0))) m += y;
            return float_v(m);
        }
        if (op == "**") return float_v(std::pow(x, y));
        fail(at, fmt::format("unsupported operand type(s) for {}: '{}' and '{}'", op, type_name(a),
                             type_name(b)));
    }

    V binop(const std::string& op, const V& a, const V& b, size_t at, bool inplace = false) {
        if (is_num(a) && is_num(b)) return arith(op, a, b, at);
        if (a->k == VK::Tensor || b->k == VK::Tensor) return tensor_binop(op, a, b, at, inplace);
        if (op == "+" && a->k == b->k && (a->k == VK::List || a->k == VK::Tuple)) {
            charge(std::int64_t(a->items.size() + b->items.size()), at);
            std::vector<V> items = a->items;
            items.insert(items.end(), b->items.begin(), b->items.end());
            if (std::int64_t(items.size()) > kMaxSequence)
                fail(at, fmt::format("a sequence of more than {} elements", kMaxSequence));
            return seq_v(a->k, items);
        }
        if (op == "+" && a->k == VK::Str && b->k == VK::Str) {
            if (a->s.size() + b->s.size() > size_t(kMaxSequence))
                fail(at, fmt::format("a string of more than {} characters", kMaxSequence));
            charge(std::int64_t(a->s.size() + b->s.size()) / 64, at);
            return str_v(a->s + b->s);
        }
        if (op == "*" &&
            ((a->k == VK::List || a->k == VK::Tuple || a->k == VK::Str) && is_intlike(b))) {
            std::int64_t n = std::max<std::int64_t>(0, ival(b));
            std::int64_t len =
                a->k == VK::Str ? std::int64_t(a->s.size()) : std::int64_t(a->items.size());
            if (len > 0 && n > kMaxSequence / len)
                fail(at, fmt::format("a sequence of more than {} elements", kMaxSequence));
            charge(n * len, at);
            if (a->k == VK::Str) {
                std::string s;
                for (std::int64_t k = 0; k < n; ++k)
                    s += a->s;
                return str_v(s);
            }
            std::vector<V> items;
            for (std::int64_t k = 0; k < n; ++k)
                items.insert(items.end(), a->items.begin(), a->items.end());
            return seq_v(a->k, items);
        }
        if (op == "*" && is_intlike(a) && (b->k == VK::List || b->k == VK::Tuple))
            return binop(op, b, a, at);
        if (op == "%" && a->k == VK::Str) return percent_format(a->s, b, at);
        if (a->k == VK::Opaque || b->k == VK::Opaque) {
            V o = mk(VK::Opaque);
            o->mod = a->k == VK::Opaque ? a->mod : b->mod;
            return o;
        }
        fail(at, fmt::format("unsupported operand type(s) for {}: '{}' and '{}'", op, type_name(a),
                             type_name(b)));
    }

    // "denselayer%d" % (i + 1): %d, %i, %s and %% only.
    V percent_format(const std::string& f, const V& b, size_t at) {
        std::vector<V> vals = b->k == VK::Tuple ? b->items : std::vector<V>{b};
        std::string out;
        size_t k = 0;
        for (size_t i = 0; i < f.size(); ++i) {
            if (f[i] != '%') {
                out += f[i];
                continue;
            }
            if (i + 1 >= f.size()) fail(at, "incomplete format");
            char c = f[++i];
            if (c == '%') {
                out += '%';
                continue;
            }
            if (k >= vals.size()) fail(at, "not enough arguments for format string");
            const V& v = vals[k++];
            if (c == 'd' || c == 'i') {
                if (!is_num(v))
                    fail(at, fmt::format("%{} format: a real number is required, not {}", c,
                                         type_name(v)));
                out += std::to_string(is_intlike(v) ? ival(v) : std::int64_t(v->f));
            } else if (c == 's') {
                out += str(v, at);
            } else {
                fail(at, fmt::format("the format %{} is not supported (use %d, %s or an "
                                     "f-string)",
                                     c));
            }
        }
        if (k < vals.size()) fail(at, "not all arguments converted during string formatting");
        return str_v(out);
    }

    V tensor_binop(const std::string& op, const V& a, const V& b, size_t at, bool) {
        static const std::map<std::string, std::pair<const char*, const char*>> types = {
            {"+", {"Add", "add"}},
            {"-", {"Sub", "sub"}},
            {"*", {"Mul", "mul"}},
            {"/", {"Div", "truediv"}},
            {"@", {"Matmul", "matmul"}}};
        if (op == "**" && a->k == VK::Tensor && a->node != -2) return power(a, b, at);
        auto f = types.find(op);
        if (f == types.end())
            fail(at, fmt::format("the operator {} on tensors is not supported", op));
        // A tensor made outside the graph (torch.randn(...) * 0.02 in __init__) stays one.
        if ((a->k != VK::Tensor || a->node == -2) && (b->k != VK::Tensor || b->node == -2)) {
            V t = mk(VK::Tensor);
            t->shape = a->k == VK::Tensor ? a->shape : b->shape;
            // a uniform tensor and a number: still uniform, computed in float32 as PyTorch does
            const bool ta = a->k == VK::Tensor;
            const V& tv = ta ? a : b;
            const V& nv = ta ? b : a;
            t->s = ta ? a->s + " " + op + " ..." : "... " + op + " " + b->s;
            if (tv->b && nv->k != VK::Tensor && is_num(nv)) {
                const float x = float(tv->f), k = float(fval(nv));
                const float l = ta ? x : k, r = ta ? k : x;
                t->b = true;
                if (op == "+")
                    t->f = l + r;
                else if (op == "-")
                    t->f = l - r;
                else if (op == "*")
                    t->f = l * r;
                else if (op == "/")
                    t->f = l / r;
                else
                    t->b = false;
            }
            return t;
        }
        if (a->k == VK::Tensor && b->k == VK::Tensor) {
            if (op == "@") return tensor_op("Matmul", {a, b}, {}, {}, "matmul", at);
            return tensor_op(f->second.first, {a, b}, {}, {}, f->second.second, at);
        }
        const V& t = a->k == VK::Tensor ? a : b;
        const V& n = a->k == VK::Tensor ? b : a;
        if (!is_num(n))
            fail(at, fmt::format("unsupported operand type(s) for {}: '{}' and '{}'", op,
                                 type_name(a), type_name(b)));
        if (a->k != VK::Tensor && op == "-") {
            // n - x is (-x) + n, bit for bit
            V neg = tensor_op("Mul", {t}, {int_v(-1)}, {}, "neg", at);
            return tensor_op("Add", {neg}, {n}, {}, "sub", at);
        }
        if (a->k != VK::Tensor && op == "/")
            fail(at, "a number divided by a tensor (a reciprocal) has no cnnshape layer: "
                     "cnnshape divides a tensor by a number or by a tensor");
        if (op == "@") fail(at, "matmul of a tensor and a number");
        return tensor_op(f->second.first, {t}, {n}, {}, f->second.second, at);
    }

    // -1, 0 or 1, or kUnordered when a NaN makes every ordering false (as in Python).
    static constexpr int kUnordered = 2;
    int compare(const V& a, const V& b, size_t at) {
        if (is_num(a) && is_num(b)) {
            double x = fval(a), y = fval(b);
            if (is_intlike(a) && is_intlike(b)) {
                std::int64_t p = ival(a), q = ival(b);
                return p < q ? -1 : p > q ? 1 : 0;
            }
            return x < y ? -1 : x > y ? 1 : x == y ? 0 : kUnordered;
        }
        if (a->k == VK::Str && b->k == VK::Str) return a->s < b->s ? -1 : a->s > b->s ? 1 : 0;
        if ((a->k == VK::Tuple || a->k == VK::List) && a->k == b->k) {
            for (size_t i = 0; i < a->items.size() && i < b->items.size(); ++i) {
                int c = compare(a->items[i], b->items[i], at);
                if (c) return c;
            }
            return a->items.size() < b->items.size() ? -1 : a->items.size() > b->items.size();
        }
        if (a->k == VK::Tensor || b->k == VK::Tensor) truth(a->k == VK::Tensor ? a : b, at);
        fail(at, fmt::format("'<' not supported between instances of '{}' and '{}'", type_name(a),
                             type_name(b)));
    }

    bool equal(const V& a, const V& b, size_t at) {
        if (a->k == VK::Tensor || b->k == VK::Tensor) truth(a->k == VK::Tensor ? a : b, at);
        if (is_num(a) && is_num(b)) return compare(a, b, at) == 0;
        if (a->k == VK::Str && b->k == VK::Str) return a->s == b->s;
        if (a->k == VK::None || b->k == VK::None) return a->k == b->k;
        if ((a->k == VK::Tuple || a->k == VK::List) && a->k == b->k) {
            if (a->items.size() != b->items.size()) return false;
            for (size_t i = 0; i < a->items.size(); ++i)
                if (!equal(a->items[i], b->items[i], at)) return false;
            return true;
        }
        if (a->k == VK::Builtin && b->k == VK::Builtin) return a->s == b->s;
        if (a->k == VK::Class && b->k == VK::Class) return a->cls == b->cls;
        if (a->k == VK::Module && b->k == VK::Module) return a->mod == b->mod;
        return a == b;
    }

    bool contains(const V& c, const V& x, size_t at) {
        if (c->k == VK::Str) {
            if (x->k != VK::Str) fail(at, "'in <string>' requires string as left operand");
            return c->s.find(x->s) != std::string::npos;
        }
        if (c->k == VK::Dict) return dict_get(c, x) != nullptr;
        if (c->k == VK::Module && c->mod->kind == "ModuleDict")
            return x->k == VK::Str && find_attr(c->mod, x->s);
        for (const V& v : iterate(c, at))
            if (equal(v, x, at)) return true;
        return false;
    }

    // ---------------------------------------------------------------------------------------
    // Expressions

    V lookup(const std::string& n, const EnvP& env, size_t at) {
        for (Env* e = env.get(); e; e = e->parent.get()) {
            auto f = e->vars.find(n);
            if (f != e->vars.end()) return f->second;
        }
        auto p = poisoned_.find(n);
        if (p != poisoned_.end())
            fail(at, fmt::format("'{}' could not be evaluated where it is assigned ({}: {})", n,
                                 poison_where_[n], first_line(poison_msg_[n])));
        auto imp = imports_.find(n);
        if (imp != imports_.end()) return builtin_v(canonical(imp->second));
        static const std::set<std::string> builtins = {
            "range",        "len",        "int",
            "float",        "bool",       "str",
            "list",         "tuple",      "dict",
            "max",          "min",        "sum",
            "abs",          "round",      "zip",
            "enumerate",    "isinstance", "print",
            "super",        "reversed",   "sorted",
            "any",          "all",        "getattr",
            "setattr",      "hasattr",    "type",
            "object",       "map",        "divmod",
            "pow",          "iter",       "next",
            "callable",     "set",        "issubclass",
            "Exception",    "ValueError", "NotImplementedError",
            "RuntimeError", "TypeError"};
        if (builtins.count(n)) return builtin_v(n);
        static const std::set<std::string> refused = {"eval",       "exec",    "compile", "open",
                                                      "input",      "globals", "locals",  "vars",
                                                      "__import__", "id",      "hash"};
        if (refused.count(n))
            fail(at, fmt::format("{}() is not supported: cnnshape reads the model's code, it does "
                                 "not run code it cannot see or values it cannot know",
                                 n));
        static const std::map<std::string, std::string> roots = {{"torch", "torch"},
                                                                 {"nn", "nn"},
                                                                 {"F", "F"},
                                                                 {"math", "math"},
                                                                 {"functools", "functools"},
                                                                 {"OrderedDict", "OrderedDict"},
                                                                 {"partial", "partial"},
                                                                 {"collections", "collections"},
                                                                 {"typing", "typing"}};
        auto r = roots.find(n);
        if (r != roots.end()) return builtin_v(r->second);
        // Assigned in the function that runs, but not yet (Python: UnboundLocalError).
        if (!frames_.empty() && frames_.back().def && env != globals_) {
            bool assigned = false;
            for (const SP& st : frames_.back().def->body)
                assigned = assigned || assigns(*st, n);
            if (assigned)
                fail(at, fmt::format("local variable '{}' referenced before assignment", n));
        }
        fail(at, fmt::format("name '{}' is not defined", n));
    }

    // Whether the statement (or a block in it) assigns `n`.
    static bool assigns(const Stmt& s, const std::string& n) {
        std::function<bool(const Expr&)> target = [&](const Expr& e) {
            if (e.k == EK::Name) return e.s == n;
            if (e.k == EK::Tuple || e.k == EK::List || e.k == EK::Starred)
                for (const EP& x : e.a)
                    if (x && target(*x)) return true;
            return false;
        };
        if (s.k == SK::Assign || s.k == SK::Aug || s.k == SK::AnnAssign || s.k == SK::For)
            for (const EP& t : s.targets)
                if (t && target(*t)) return true;
        if ((s.k == SK::Def || s.k == SK::Class) && s.s == n) return true;
        if (s.k == SK::Def || s.k == SK::Class) return false;
        for (const SP& b : s.body)
            if (assigns(*b, n)) return true;
        for (const SP& b : s.orelse)
            if (assigns(*b, n)) return true;
        return false;
    }

    static std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

    V eval(const Expr& e, const EnvP& env) {
        step(e.at);
        Nest nest(*this, e.at);
        switch (e.k) {
        case EK::Name:
            return lookup(e.s, env, e.at);
        case EK::Int:
            return int_v(e.i);
        case EK::Float:
            return float_v(e.f);
        case EK::Str:
            return str_v(e.s);
        case EK::FStr:
            return fstring(e, env);
        case EK::True:
            return bool_v(true);
        case EK::False:
            return bool_v(false);
        case EK::None:
            return none_v();
        case EK::Ellipsis:
            return mk(VK::Ellipsis);
        case EK::Attr:
            return get_attr(eval(*e.a[0], env), e.s, e.at);
        case EK::Call:
            return eval_call(e, env);
        case EK::Sub: {
            V o = eval(*e.a[0], env); // Python's order: the object, then the index
            V k = eval(*e.a[1], env);
            return subscript(o, k, e.a[1]->at);
        }
        case EK::Slice: {
            V s = mk(VK::Slice);
            for (const EP& x : e.a)
                s->items.push_back(x ? eval(*x, env) : none_v());
            return s;
        }
        case EK::Bin: {
            V l = eval(*e.a[0], env); // left operand first, as Python does
            V r = eval(*e.a[1], env);
            return binop(e.s, l, r, e.at);
        }
        case EK::Unary: {
            V v = eval(*e.a[0], env);
            if (e.s == "+" && is_num(v)) return is_intlike(v) ? int_v(ival(v)) : v;
            if (e.s == "-" && is_intlike(v)) {
                if (ival(v) == INT64_MIN) fail(e.at, "integer overflow");
                return int_v(-ival(v));
            }
            if (e.s == "-" && v->k == VK::Float) return float_v(-v->f);
            if (e.s == "~" && is_intlike(v)) return int_v(~ival(v));
            if (e.s == "-" && v->k == VK::Tensor) {
                if (v->node == -2) {
                    V t = mk(VK::Tensor);
                    t->shape = v->shape;
                    t->s = "-" + v->s;
                    t->b = v->b;
                    t->f = -v->f;
                    return t;
                }
                return tensor_op("Mul", {v}, {int_v(-1)}, {}, "neg", e.at);
            }
            fail(e.at, fmt::format("bad operand type for unary {}: '{}'", e.s, type_name(v)));
        }
        case EK::Not:
            return bool_v(!truth(eval(*e.a[0], env), e.a[0]->at));
        case EK::And: {
            V a = eval(*e.a[0], env);
            if (!truth(a, e.a[0]->at)) return a;
            return eval(*e.a[1], env);
        }
        case EK::Or: {
            V a = eval(*e.a[0], env);
            if (truth(a, e.a[0]->at)) return a;
            return eval(*e.a[1], env);
        }
        case EK::Cmp: {
            V left = eval(*e.a[0], env);
            for (size_t i = 0; i < e.ops.size(); ++i) {
                V right = eval(*e.a[i + 1], env);
                const std::string& o = e.ops[i];
                size_t at = e.a[i]->at;
                bool r;
                if (o == "==")
                    r = equal(left, right, at);
                else if (o == "!=")
                    r = !equal(left, right, at);
                else if (o == "<")
                    r = compare(left, right, at) == -1;
                else if (o == ">")
                    r = compare(left, right, at) == 1;
                else if (o == "<=") {
                    const int c = compare(left, right, at);
                    r = c == -1 || c == 0;
                } else if (o == ">=") {
                    const int c = compare(left, right, at);
                    r = c == 1 || c == 0;
                } else if (o == "in")
                    r = contains(right, left, at);
                else if (o == "not in")
                    r = !contains(right, left, at);
                else if (o == "is")
                    r = same(left, right);
                else
                    r = !same(left, right);
                if (!r) return bool_v(false);
                left = right;
            }
            return bool_v(true);
        }
        case EK::IfExp:
            return truth(eval(*e.a[0], env), e.a[0]->at) ? eval(*e.a[1], env) : eval(*e.a[2], env);
        case EK::Tuple:
        case EK::List: {
            std::vector<V> items;
            for (const EP& x : e.a) {
                if (x->k == EK::Starred) {
                    for (const V& v : iterate(eval(*x->a[0], env), x->at))
                        items.push_back(v);
                } else {
                    items.push_back(eval(*x, env));
                }
            }
            return seq_v(e.k == EK::Tuple ? VK::Tuple : VK::List, items);
        }
        case EK::Dict: {
            V d = mk(VK::Dict);
            for (size_t i = 0; i + 1 < e.a.size(); i += 2)
                dict_set(d, eval(*e.a[i], env), eval(*e.a[i + 1], env));
            return d;
        }
        case EK::ListComp:
        case EK::DictComp: {
            auto cenv = std::make_shared<Env>();
            cenv->parent = env;
            V out = e.k == EK::ListComp ? seq_v(VK::List, {}) : mk(VK::Dict);
            comp(e, 0, cenv, out);
            return out;
        }
        case EK::Starred:
            fail(e.at, "can't use starred expression here");
        case EK::DoubleStarred:
            fail(e.at, "** is only allowed in calls");
        case EK::Lambda: {
            V f = mk(VK::Func);
            f->lam = &e;
            f->env = env;
            captured(env);
            return f;
        }
        }
        fail(e.at, "cannot evaluate this expression");
    }

    static bool same(const V& a, const V& b) {
        if (a->k == VK::None || b->k == VK::None) return a->k == b->k;
        if (a->k == VK::Bool && b->k == VK::Bool) return a->b == b->b;
        if (a->k == VK::Module && b->k == VK::Module) return a->mod == b->mod;
        if (a->k == VK::Class && b->k == VK::Class) return a->cls == b->cls;
        if (a->k == VK::Builtin && b->k == VK::Builtin) return a->s == b->s && a->self == b->self;
        if (a->k == VK::Tensor && b->k == VK::Tensor)
            return a->node == b->node && a->slot == b->slot && a->node != -2;
        return a == b;
    }

    void comp(const Expr& e, size_t level, const EnvP& env, const V& out) {
        if (level == e.comps.size()) {
            if (e.k == EK::ListComp) {
                out->items.push_back(eval(*e.a[0], env));
                if (std::int64_t(out->items.size()) > kMaxSequence)
                    fail(e.at, fmt::format("a list of more than {} elements", kMaxSequence));
            } else {
                {
                    V k = eval(*e.a[0], env);
                    dict_set(out, k, eval(*e.a[1], env));
                }
            }
            return;
        }
        const Comp& c = e.comps[level];
        for (const V& x : iterate(eval(*c.iter, env), c.iter->at)) {
            step(e.at);
            assign(*c.target, x, env);
            bool ok = true;
            for (const EP& cond : c.conds)
                if (!truth(eval(*cond, env), cond->at)) {
                    ok = false;
                    break;
                }
            if (ok) comp(e, level + 1, env, out);
        }
    }

    V fstring(const Expr& e, const EnvP& env) {
        const std::string& raw = e.s;
        size_t base = size_t(e.i);
        std::string out;
        for (size_t i = 0; i < raw.size(); ++i) {
            char c = raw[i];
            if (c == '{' && i + 1 < raw.size() && raw[i + 1] == '{') {
                out += '{';
                ++i;
                continue;
            }
            if (c == '}' && i + 1 < raw.size() && raw[i + 1] == '}') {
                out += '}';
                ++i;
                continue;
            }
            if (c != '{') {
                out += c;
                continue;
            }
            size_t j = i + 1;
            int depth = 0;
            while (j < raw.size() &&
                   !(depth == 0 && (raw[j] == '}' || raw[j] == ':' ||
                                    (raw[j] == '!' && j + 1 < raw.size() && raw[j + 1] != '=')))) {
                if (raw[j] == '(' || raw[j] == '[' || raw[j] == '{') ++depth;
                if (raw[j] == ')' || raw[j] == ']' || raw[j] == '}') --depth;
                ++j;
            }
            if (j >= raw.size()) fail(base + i, "f-string: expecting '}'");
            EP x = parse_expression(src_, base + i + 1, base + j);
            V v = eval(*x, env);
            std::string spec;
            if (raw[j] == '!') j += 2;
            if (raw[j] == ':') {
                size_t k = j + 1;
                while (k < raw.size() && raw[k] != '}')
                    ++k;
                spec = raw.substr(j + 1, k - j - 1);
                j = k;
            }
            if (!spec.empty()) {
                // {n}, {n:3}, {n:03d}, {n:d}: widths of ints; other specs are refused
                std::string w = spec.back() == 'd' ? spec.substr(0, spec.size() - 1) : spec;
                if (is_intlike(v) && w.size() <= 3 &&
                    w.find_first_not_of("0123456789") == std::string::npos) {
                    std::string digits = std::to_string(ival(v));
                    if (!w.empty()) {
                        bool zero = w[0] == '0';
                        size_t width = std::stoul(w);
                        bool neg = !digits.empty() && digits[0] == '-';
                        if (zero && neg) digits = digits.substr(1);
                        while (digits.size() + (zero && neg ? 1 : 0) < width)
                            digits = (zero ? "0" : " ") + digits;
                        if (zero && neg) digits = "-" + digits;
                    }
                    out += digits;
                } else {
                    fail(base + j,
                         fmt::format("f-string format spec ':{}' is not supported", spec));
                }
            } else {
                out += str(v, base + i);
            }
            i = j;
        }
        return str_v(out);
    }

    std::string str(const V& v, size_t at) {
        switch (v->k) {
        case VK::Str:
            return v->s;
        case VK::Int:
            return std::to_string(v->i);
        case VK::Bool:
            return v->b ? "True" : "False";
        case VK::None:
            return "None";
        case VK::Float: {
            Value x = Value::real(v->f);
            return x.repr();
        }
        case VK::Tuple:
        case VK::List: {
            std::string s = v->k == VK::List ? "[" : "(";
            for (size_t i = 0; i < v->items.size(); ++i) {
                if (i) s += ", ";
                s += v->items[i]->k == VK::Str ? "'" + v->items[i]->s + "'" : str(v->items[i], at);
            }
            if (v->k == VK::Tuple && v->items.size() == 1) s += ",";
            return s + (v->k == VK::List ? "]" : ")");
        }
        default:
            fail(at, fmt::format("cnnshape cannot turn a {} into a string", type_name(v)));
        }
    }

    std::int64_t index_of(const V& k, std::int64_t n, size_t at, const char* what) {
        if (!is_intlike(k))
            fail(at,
                 fmt::format("{} indices must be integers or slices, not {}", what, type_name(k)));
        std::int64_t i = ival(k);
        if (i < 0) i += n;
        if (i < 0 || i >= n) fail(at, fmt::format("{} index out of range", what));
        return i;
    }

    // Python's slice.indices(n)
    void slice_range(const V& s, std::int64_t n, std::int64_t& start, std::int64_t& stop,
                     std::int64_t& stepv, size_t at) {
        auto get = [&](const V& x, const char* what) -> std::optional<std::int64_t> {
            if (x->k == VK::None) return std::nullopt;
            if (!is_intlike(x)) fail(at, fmt::format("slice {} must be an integer", what));
            return ival(x);
        };
        auto st = get(s->items[2], "step");
        stepv = st.value_or(1);
        if (stepv == 0) fail(at, "slice step cannot be zero");
        auto a = get(s->items[0], "start");
        auto b = get(s->items[1], "stop");
        auto clamp = [&](std::int64_t v, bool neg) {
            if (v < 0) {
                v += n;
                if (v < 0) v = neg ? -1 : 0;
            } else if (v >= n) {
                v = neg ? n - 1 : n;
            }
            return v;
        };
        bool neg = stepv < 0;
        start = a ? clamp(*a, neg) : (neg ? n - 1 : 0);
        stop = b ? clamp(*b, neg) : (neg ? -1 : n);
    }

    std::vector<V> slice_items(const std::vector<V>& items, const V& s, size_t at) {
        std::int64_t a, b, st;
        slice_range(s, std::int64_t(items.size()), a, b, st, at);
        std::vector<V> out;
        for (std::int64_t i = a; st > 0 ? i < b : i > b; i += st)
            out.push_back(items[i]);
        return out;
    }

    V subscript(const V& o, const V& k, size_t at) {
        switch (o->k) {
        case VK::Tuple:
        case VK::List:
            if (k->k == VK::Slice) return seq_v(o->k, slice_items(o->items, k, at));
            return o->items[index_of(k, std::int64_t(o->items.size()), at,
                                     o->k == VK::List ? "list" : "tuple")];
        case VK::Str:
            if (k->k == VK::Slice) {
                std::vector<V> chars;
                for (char c : o->s)
                    chars.push_back(str_v(std::string(1, c)));
                std::string s;
                for (const V& c : slice_items(chars, k, at))
                    s += c->s;
                return str_v(s);
            }
            return str_v(
                std::string(1, o->s[index_of(k, std::int64_t(o->s.size()), at, "string")]));
        case VK::Dict: {
            V v = dict_get(o, k);
            if (!v)
                fail(at,
                     fmt::format("KeyError: {}", k->k == VK::Str ? "'" + k->s + "'" : str(k, at)));
            return v;
        }
        case VK::Module: {
            auto& m = o->mod;
            if (m->kind == "ModuleDict") {
                if (k->k != VK::Str) fail(at, "ModuleDict keys are strings");
                V v = find_attr(m, k->s);
                if (!v) fail(at, fmt::format("KeyError: '{}'", k->s));
                return v;
            }
            if (m->kind == "Sequential" || m->kind == "ModuleList") {
                std::vector<V> ch = module_children(o);
                if (k->k == VK::Slice) {
                    // A new container of the same modules: a Sequential's slice keeps their
                    // names (trunk[3:] holds "3", "4"), a ModuleList's numbers them from 0.
                    V l = std::make_shared<Obj>(*o);
                    l->mod = std::make_shared<Mod>(*m);
                    l->mod->attrs.clear();
                    std::vector<std::pair<std::string, V>> named;
                    for (auto& [n, v] : m->attrs)
                        if (is_submodule(v)) named.push_back({n, v});
                    std::vector<V> idx;
                    for (size_t i = 0; i < named.size(); ++i)
                        idx.push_back(int_v(std::int64_t(i)));
                    for (const V& i : slice_items(idx, k, at)) {
                        l->mod->attrs.push_back(named[ival(i)]);
                        if (m->kind == "ModuleList")
                            l->mod->attrs.back().first = std::to_string(l->mod->attrs.size() - 1);
                    }
                    l->mod->cls = nullptr;
                    l->mod->has_path = false;
                    return l;
                }
                return ch[index_of(k, std::int64_t(ch.size()), at, "index")];
            }
            break;
        }
        case VK::Tensor:
            return tensor_index(o, k, at);
        default:
            break;
        }
        fail(at, fmt::format("'{}' object is not subscriptable", type_name(o)));
    }

    // x[:, 0], x[..., a:b], x[:, None]: Select, Slice and Unsqueeze layers, one per indexed dim.
    V tensor_index(const V& t, const V& k, size_t at) {
        std::vector<V> items = k->k == VK::Tuple ? k->items : std::vector<V>{k};
        std::int64_t rank = std::int64_t(t->shape.size());
        std::int64_t used = 0;
        for (const V& it : items)
            if (it->k != VK::None && it->k != VK::Ellipsis) ++used;
        V x = t;
        std::int64_t dim = 0;
        for (const V& it : items) {
            if (it->k == VK::Ellipsis) {
                dim += rank - used;
                continue;
            }
            if (it->k == VK::None) {
                x = tensor_op("Unsqueeze", {x}, {int_v(dim)}, {}, "getitem", at);
                ++dim;
                continue;
            }
            if (it->k == VK::Slice) {
                bool full = it->items[0]->k == VK::None && it->items[1]->k == VK::None &&
                            (it->items[2]->k == VK::None ||
                             (is_intlike(it->items[2]) && ival(it->items[2]) == 1));
                if (!full)
                    x = tensor_op("Slice", {x},
                                  {int_v(dim), it->items[0], it->items[1],
                                   it->items[2]->k == VK::None ? int_v(1) : it->items[2]},
                                  {}, "getitem", at);
                ++dim;
                continue;
            }
            if (is_intlike(it)) {
                x = tensor_op("Select", {x}, {int_v(dim), it}, {}, "getitem", at);
                continue;
            }
            fail(at, fmt::format("indexing a tensor with a {} is not supported", type_name(it)));
        }
        return x;
    }

    // ---------------------------------------------------------------------------------------
    // Calls

    V eval_call(const Expr& e, const EnvP& env) {
        V f = eval(*e.a[0], env);
        std::vector<V> args;
        std::vector<std::pair<std::string, V>> kwargs;
        for (size_t i = 1; i < e.a.size(); ++i) {
            const Expr& x = *e.a[i];
            const std::string& kw = e.kw[i - 1];
            if (x.k == EK::Starred) {
                for (const V& v : iterate(eval(*x.a[0], env), x.at))
                    args.push_back(v);
            } else if (x.k == EK::DoubleStarred) {
                V d = eval(*x.a[0], env);
                if (d->k != VK::Dict) fail(x.at, "argument after ** must be a mapping");
                for (size_t j = 0; j < d->keys.size(); ++j) {
                    if (d->keys[j]->k != VK::Str) fail(x.at, "keywords must be strings");
                    kwargs.push_back({d->keys[j]->s, d->items[j]});
                }
            } else if (!kw.empty()) {
                for (auto& [k, v] : kwargs)
                    if (k == kw) fail(x.at, fmt::format("keyword argument repeated: {}", kw));
                kwargs.push_back({kw, eval(x, env)});
            } else {
                args.push_back(eval(x, env));
            }
        }
        return call(f, std::move(args), std::move(kwargs), e.at);
    }

    V call(const V& f, std::vector<V> args, std::vector<std::pair<std::string, V>> kwargs,
           size_t at) {
        step(at);
        switch (f->k) {
        case VK::Func:
            return call_func(f, std::move(args), std::move(kwargs), at);
        case VK::Class:
            return instantiate(f, std::move(args), std::move(kwargs), at);
        case VK::Module:
            return call_module(f, std::move(args), std::move(kwargs), at);
        case VK::Partial: {
            std::vector<V> a = f->items;
            a.insert(a.end(), args.begin(), args.end());
            std::vector<std::pair<std::string, V>> kw;
            for (size_t i = 0; i < f->keys.size(); ++i)
                kw.push_back({f->keys[i]->s, f->items.size() > 0 ? nullptr : nullptr});
            kw.clear();
            for (auto& p : partial_kw_[f.get()])
                kw.push_back(p);
            for (auto& p : kwargs) {
                bool found = false;
                for (auto& q : kw)
                    if (q.first == p.first) q.second = p.second, found = true;
                if (!found) kw.push_back(p);
            }
            return call(f->fn, a, kw, at);
        }
        case VK::Builtin:
            return call_builtin(f, std::move(args), std::move(kwargs), at);
        default:
            fail(at, fmt::format("'{}' object is not callable", type_name(f)));
        }
    }
    std::map<const Obj*, std::vector<std::pair<std::string, V>>> partial_kw_;

    struct DepthGuard {
        DepthGuard(Evaluator& e, size_t at) : e_(e) {
            if (++e_.depth_ > kMaxCallDepth)
                e_.fail(at, fmt::format("maximum recursion depth exceeded: calls nest more than "
                                        "{} deep",
                                        kMaxCallDepth));
        }
        ~DepthGuard() { --e_.depth_; }
        Evaluator& e_;
    };

    V call_func(const V& f, std::vector<V> args, std::vector<std::pair<std::string, V>> kwargs,
                size_t at) {
        DepthGuard g(*this, at);
        const std::vector<Param>& ps = f->def ? f->def->params : f->lam->params;
        std::string fname = f->def ? f->def->s : "<lambda>";
        if (f->self) args.insert(args.begin(), f->self);
        auto env = std::make_shared<Env>();
        env->parent = f->env;
        size_t ai = 0;
        V star, dstar;
        std::vector<bool> bound(ps.size(), false);
        for (size_t i = 0; i < ps.size(); ++i) {
            const Param& p = ps[i];
            if (p.kind == 0 && ai < args.size()) {
                env->vars[p.name] = args[ai++];
                bound[i] = true;
            } else if (p.kind == 1) {
                std::vector<V> rest(args.begin() + std::min(ai, args.size()), args.end());
                ai = args.size();
                env->vars[p.name] = seq_v(VK::Tuple, rest);
                bound[i] = true;
            } else if (p.kind == 2) {
                dstar = mk(VK::Dict);
                env->vars[p.name] = dstar;
                bound[i] = true;
            }
        }
        if (ai < args.size())
            fail(at, fmt::format("{}() takes {} positional arguments but {} were given", fname,
                                 ai - (f->self ? 1 : 0), args.size() - (f->self ? 1 : 0)));
        for (auto& [k, v] : kwargs) {
            bool done = false;
            for (size_t i = 0; i < ps.size(); ++i)
                if ((ps[i].kind == 0 || ps[i].kind == 3) && ps[i].name == k) {
                    if (bound[i])
                        fail(at,
                             fmt::format("{}() got multiple values for argument '{}'", fname, k));
                    env->vars[k] = v;
                    bound[i] = true;
                    done = true;
                }
            if (!done) {
                if (!dstar)
                    fail(at, fmt::format("{}() got an unexpected keyword argument '{}'", fname, k));
                dict_set(dstar, str_v(k), v);
            }
        }
        for (size_t i = 0; i < ps.size(); ++i)
            if (!bound[i]) {
                if (!ps[i].def)
                    fail(at, fmt::format("{}() missing 1 required positional argument: '{}'", fname,
                                         ps[i].name));
                env->vars[ps[i].name] = default_of(f, ps[i]);
            }
        if (f->lam) return eval(*f->lam->a[0], env);
        frames_.push_back({f->self, f->cls, f->def});
        V ret = none_v();
        exec_block(f->def->body, env, ret);
        frames_.pop_back();
        return ret ? ret : none_v();
    }

    // Defaults are evaluated once, where the def is (as Python does).
    V default_of(const V& f, const Param& p) {
        auto key = p.def.get();
        auto d = defaults_.find(key);
        if (d != defaults_.end()) return d->second;
        V v = eval(*p.def, f->env);
        defaults_[key] = v;
        return v;
    }
    std::map<const Expr*, V> defaults_;

    V instantiate(const V& c, std::vector<V> args, std::vector<std::pair<std::string, V>> kwargs,
                  size_t at) {
        auto m = std::make_shared<Mod>();
        m->cls = c->cls;
        m->at = at;
        m->kind = c->cls->builtin.empty()       ? "object"
                  : c->cls->builtin == "Module" ? "user"
                                                : c->cls->builtin;
        V obj = mk(VK::Module);
        obj->mod = m;
        V init = class_attr(c->cls, "__init__");
        if (init) {
            call(bind(init, obj), std::move(args), std::move(kwargs), at);
        } else if (m->kind == "Sequential" || m->kind == "ModuleList" || m->kind == "ModuleDict") {
            container_init(obj, args, kwargs, at);
        } else if (!args.empty() || !kwargs.empty()) {
            fail(at, fmt::format("{}() takes no arguments", c->cls->name));
        }
        return obj;
    }

    void container_init(const V& obj, const std::vector<V>& args,
                        const std::vector<std::pair<std::string, V>>& kwargs, size_t at) {
        auto& m = obj->mod;
        if (!kwargs.empty()) fail(at, fmt::format("{}() takes no keyword arguments", m->kind));
        if (m->kind == "Sequential") {
            if (args.size() == 1 && args[0]->k == VK::Dict) {
                for (size_t i = 0; i < args[0]->keys.size(); ++i) {
                    if (args[0]->keys[i]->k != VK::Str)
                        fail(at, "the names in an OrderedDict of modules are strings");
                    need_module(args[0]->items[i], at, "Sequential");
                    add_child(m, args[0]->keys[i]->s, args[0]->items[i], at);
                }
                return;
            }
            for (size_t i = 0; i < args.size(); ++i) {
                need_module(args[i], at, "Sequential");
                add_child(m, std::to_string(i), args[i], at);
            }
            return;
        }
        if (args.size() > 1) fail(at, fmt::format("{}() takes at most one argument", m->kind));
        if (args.empty() || args[0]->k == VK::None) return;
        if (m->kind == "ModuleList") {
            size_t i = 0;
            for (const V& v : iterate(args[0], at)) {
                need_module(v, at, "ModuleList");
                add_child(m, std::to_string(i++), v, at);
            }
            return;
        }
        V d = args[0];
        if (d->k == VK::Dict) {
            for (size_t i = 0; i < d->keys.size(); ++i) {
                if (d->keys[i]->k != VK::Str) fail(at, "ModuleDict keys are strings");
                need_module(d->items[i], at, "ModuleDict");
                add_child(m, d->keys[i]->s, d->items[i], at);
            }
            return;
        }
        for (const V& p : iterate(d, at)) {
            if ((p->k != VK::Tuple && p->k != VK::List) || p->items.size() != 2 ||
                p->items[0]->k != VK::Str)
                fail(at, "ModuleDict takes a dict or (name, module) pairs");
            need_module(p->items[1], at, "ModuleDict");
            add_child(m, p->items[0]->s, p->items[1], at);
        }
    }

    void need_module(const V& v, size_t at, const char* what) {
        if (v->k != VK::Module || !is_submodule(v))
            fail(at, fmt::format("{} takes modules, got a {}", what, type_name(v)));
    }

    V make_container(const std::string& kind, const std::vector<V>& args,
                     const std::vector<std::pair<std::string, V>>& kwargs, size_t at) {
        auto m = std::make_shared<Mod>();
        m->kind = kind;
        m->at = at;
        V obj = mk(VK::Module);
        obj->mod = m;
        container_init(obj, args, kwargs, at);
        return obj;
    }

    // Sizes given as *args or as one sequence: view(2, 3), view((2, 3)), torch.zeros([2, 3]).
    std::vector<V> sizes_of(const std::vector<V>& args, size_t at) {
        if (args.size() == 1 && (args[0]->k == VK::Tuple || args[0]->k == VK::List))
            return args[0]->items;
        for (const V& a : args)
            if (!is_intlike(a))
                fail(at, fmt::format("a size must be an int, got a {}", type_name(a)));
        return args;
    }

    Shape shape_from(const std::vector<V>& sizes, size_t at) {
        Shape s;
        for (const V& v : sizes) {
            if (!is_intlike(v) || ival(v) < 0) fail(at, "a tensor size must be a non-negative int");
            s.push_back(ival(v));
        }
        return s;
    }

    static V kwarg(std::vector<std::pair<std::string, V>>& kw, const std::string& name) {
        for (auto it = kw.begin(); it != kw.end(); ++it)
            if (it->first == name) {
                V v = it->second;
                kw.erase(it);
                return v;
            }
        return nullptr;
    }

    // A Parameter or buffer whose values are not zeros (torch.ones, torch.randn(...) * 0.02):
    // cnnshape's Parameter and Buffer layers start at zeros under run --seed.
    void note_values(const V& data, const std::string& what, size_t at) {
        if (data->s.empty() || data->b) return; // every element known: the layer starts so
        own_init(at, fmt::format("{}({})", what, data->s));
    }

    V make_param(const std::string& kind, const std::vector<V>& args,
                 std::vector<std::pair<std::string, V>> kwargs, size_t at) {
        V data = args.empty() ? kwarg(kwargs, "data") : args[0];
        if (!data || data->k != VK::Tensor)
            fail(at,
                 fmt::format("nn.{}() takes a tensor (torch.zeros(...), torch.randn(...))", kind));
        note_values(data, "nn." + kind, at);
        auto m = std::make_shared<Mod>();
        m->kind = kind;
        m->shape = data->shape;
        if (data->b) m->fill = data->f;
        m->at = at;
        m->built = built_++;
        V rg = args.size() > 1 ? args[1] : kwarg(kwargs, "requires_grad");
        if (rg) m->grad = truth(rg, at);
        V obj = mk(VK::Module);
        obj->mod = m;
        return obj;
    }

    // A builtin given too few arguments (args.at(k) past the end) says so.
    V call_builtin(const V& f, std::vector<V> args, std::vector<std::pair<std::string, V>> kwargs,
                   size_t at) {
        try {
            return call_builtin_impl(f, std::move(args), std::move(kwargs), at);
        } catch (const std::out_of_range&) {
            fail(at, fmt::format("{}() is missing a required argument", f->s));
        }
    }

    V call_builtin_impl(const V& f, std::vector<V> args,
                        std::vector<std::pair<std::string, V>> kwargs, size_t at) {
        const std::string& n = f->s;
        // ----- Python builtins
        if (n == "range") {
            if (!kwargs.empty()) fail(at, "range() takes no keyword arguments");
            std::int64_t a = 0, b = 0, st = 1;
            for (const V& x : args)
                if (!is_intlike(x))
                    fail(at, fmt::format("'{}' object cannot be interpreted as an integer",
                                         type_name(x)));
            if (args.size() == 1)
                b = ival(args[0]);
            else if (args.size() == 2 || args.size() == 3) {
                a = ival(args[0]);
                b = ival(args[1]);
                if (args.size() == 3) st = ival(args[2]);
            } else
                fail(at, fmt::format("range expected at most 3 arguments, got {}", args.size()));
            if (st == 0) fail(at, "range() arg 3 must not be zero");
            long double count = st > 0 ? (b > a ? ((long double)b - a + st - 1) / st : 0)
                                       : (a > b ? ((long double)a - b - st - 1) / -st : 0);
            if (count > kMaxSequence)
                fail(at, fmt::format("range() of {} elements: cnnshape evaluates at most {}",
                                     (long long)count, kMaxSequence));
            charge(std::int64_t(count), at);
            std::vector<V> items;
            for (std::int64_t i = a; st > 0 ? i < b : i > b; i += st)
                items.push_back(int_v(i));
            return seq_v(VK::List, items);
        }
        if (n == "len") {
            if (args.size() != 1) fail(at, "len() takes exactly one argument");
            const V& x = args[0];
            if (x->k == VK::Str) return int_v(std::int64_t(x->s.size()));
            if (x->k == VK::Tuple || x->k == VK::List || x->k == VK::Dict)
                return int_v(std::int64_t(x->items.size()));
            if (x->k == VK::Module &&
                (x->mod->kind == "Sequential" || x->mod->kind == "ModuleList" ||
                 x->mod->kind == "ModuleDict"))
                return int_v(std::int64_t(module_children(x).size()));
            if (x->k == VK::Tensor) {
                if (x->shape.empty()) fail(at, "len() of a 0-d tensor");
                return int_v(x->shape[0]);
            }
            fail(at, fmt::format("object of type '{}' has no len()", type_name(x)));
        }
        if (n == "int" || n == "float" || n == "bool" || n == "str" || n == "round" || n == "abs" ||
            n == "math.ceil" || n == "math.floor" || n == "math.sqrt" || n == "math.log" ||
            n == "math.log2" || n == "math.exp" || n == "math.trunc") {
            if (args.empty()) {
                if (n == "int") return int_v(0);
                if (n == "float") return float_v(0);
                if (n == "bool") return bool_v(false);
                if (n == "str") return str_v("");
            }
            const V& x = args[0];
            if (n == "str") return str_v(str(x, at));
            if (n == "bool") return bool_v(truth(x, at));
            if (x->k == VK::Str && (n == "int" || n == "float")) {
                try {
                    if (n == "int") return int_v(std::stoll(x->s));
                    return float_v(std::stod(x->s));
                } catch (...) {
                    fail(at, fmt::format("invalid literal for {}(): '{}'", n, x->s));
                }
            }
            if (!is_num(x))
                fail(at, fmt::format("{}() argument must be a number, not '{}'", n, type_name(x)));
            auto to_int = [&](double d) {
                if (!std::isfinite(d) || std::fabs(d) > 9.2e18)
                    fail(at, "cannot convert float to integer");
                return int_v(std::int64_t(d));
            };
            if (n == "int" || n == "math.trunc")
                return is_intlike(x) ? int_v(ival(x)) : to_int(std::trunc(x->f));
            if (n == "float") return float_v(fval(x));
            if (n == "abs")
                return is_intlike(x) ? int_v(std::llabs(ival(x))) : float_v(std::fabs(x->f));
            if (n == "math.ceil") return is_intlike(x) ? int_v(ival(x)) : to_int(std::ceil(x->f));
            if (n == "math.floor") return is_intlike(x) ? int_v(ival(x)) : to_int(std::floor(x->f));
            if (n == "math.sqrt") return float_v(std::sqrt(fval(x)));
            if (n == "math.exp") return float_v(std::exp(fval(x)));
            if (n == "math.log") {
                if (fval(x) <= 0) fail(at, "math domain error");
                if (args.size() > 1) return float_v(std::log(fval(x)) / std::log(fval(args[1])));
                return float_v(std::log(fval(x)));
            }
            if (n == "math.log2") {
                if (fval(x) <= 0) fail(at, "math domain error");
                return float_v(std::log2(fval(x)));
            }
            if (n == "round") {
                if (is_intlike(x)) return int_v(ival(x));
                if (args.size() > 1) {
                    double p = std::pow(10.0, double(ival(args[1])));
                    return float_v(std::nearbyint(x->f * p) / p);
                }
                return to_int(std::nearbyint(x->f));
            }
        }
        if (n == "math.pi") return float_v(M_PI);
        if (n == "max" || n == "min") {
            std::vector<V> items = args.size() == 1 ? iterate(args[0], at) : args;
            if (items.empty()) fail(at, fmt::format("{}() arg is an empty sequence", n));
            V best = items[0];
            for (const V& x : items) {
                int c = compare(x, best, at);
                if ((n == "max" && c == 1) || (n == "min" && c == -1)) best = x;
            }
            return best;
        }
        if (n == "sum") {
            V acc = args.size() > 1 ? args[1] : int_v(0);
            for (const V& x : iterate(args.at(0), at))
                acc = binop("+", acc, x, at);
            return acc;
        }
        if (n == "divmod")
            return seq_v(VK::Tuple, {arith("//", args.at(0), args.at(1), at),
                                     arith("%", args.at(0), args.at(1), at)});
        if (n == "pow") return arith("**", args.at(0), args.at(1), at);
        if (n == "any" || n == "all") {
            for (const V& x : iterate(args.at(0), at)) {
                bool t = truth(x, at);
                if (n == "any" && t) return bool_v(true);
                if (n == "all" && !t) return bool_v(false);
            }
            return bool_v(n == "all");
        }
        if (n == "list" || n == "tuple") {
            std::vector<V> items = args.empty() ? std::vector<V>{} : iterate(args[0], at);
            return seq_v(n == "list" ? VK::List : VK::Tuple, items);
        }
        if (n == "dict" || n == "OrderedDict") {
            V d = mk(VK::Dict);
            if (!args.empty()) {
                if (args[0]->k == VK::Dict) {
                    d->keys = args[0]->keys;
                    d->items = args[0]->items;
                } else {
                    for (const V& p : iterate(args[0], at)) {
                        if ((p->k != VK::Tuple && p->k != VK::List) || p->items.size() != 2)
                            fail(at, fmt::format("{}() takes (key, value) pairs", n));
                        dict_set(d, p->items[0], p->items[1]);
                    }
                }
            }
            for (auto& [k, v] : kwargs)
                dict_set(d, str_v(k), v);
            return d;
        }
        if (n == "zip") {
            std::vector<std::vector<V>> lists;
            size_t len = SIZE_MAX;
            for (const V& a : args) {
                lists.push_back(iterate(a, at));
                len = std::min(len, lists.back().size());
            }
            std::vector<V> out;
            for (size_t i = 0; i < len && !lists.empty(); ++i) {
                std::vector<V> t;
                for (auto& l : lists)
                    t.push_back(l[i]);
                out.push_back(seq_v(VK::Tuple, t));
            }
            return seq_v(VK::List, out);
        }
        if (n == "enumerate") {
            std::int64_t start = args.size() > 1 ? ival(args[1]) : 0;
            if (V s = kwarg(kwargs, "start")) start = ival(s);
            std::vector<V> out;
            for (const V& x : iterate(args.at(0), at))
                out.push_back(seq_v(VK::Tuple, {int_v(start++), x}));
            return seq_v(VK::List, out);
        }
        if (n == "reversed") {
            std::vector<V> items = iterate(args.at(0), at);
            std::reverse(items.begin(), items.end());
            return seq_v(VK::List, items);
        }
        if (n == "sorted") {
            std::vector<V> items = iterate(args.at(0), at);
            std::stable_sort(items.begin(), items.end(),
                             [&](const V& a, const V& b) { return compare(a, b, at) == -1; });
            if (V r = kwarg(kwargs, "reverse"))
                if (truth(r, at)) std::reverse(items.begin(), items.end());
            return seq_v(VK::List, items);
        }
        if (n == "map") {
            std::vector<V> out;
            for (const V& x : iterate(args.at(1), at))
                out.push_back(call(args[0], {x}, {}, at));
            return seq_v(VK::List, out);
        }
        if (n == "print") return none_v();
        if (n == "isinstance" || n == "issubclass")
            return bool_v(isinstance(args.at(0), args.at(1), at));
        if (n == "callable")
            return bool_v(args.at(0)->k == VK::Func || args[0]->k == VK::Class ||
                          args[0]->k == VK::Builtin || args[0]->k == VK::Partial ||
                          args[0]->k == VK::Module);
        if (n == "getattr" || n == "hasattr") {
            if (args.size() < 2 || args[1]->k != VK::Str)
                fail(at, n + "(): attribute name must be string");
            try {
                V v = get_attr(args[0], args[1]->s, at);
                return n == "hasattr" ? bool_v(true) : v;
            } catch (const SpecError&) {
                if (n == "hasattr") return bool_v(false);
                if (args.size() > 2) return args[2];
                throw;
            }
        }
        if (n == "setattr") {
            set_attr(args.at(0), args.at(1)->s, args.at(2), at);
            return none_v();
        }
        if (n == "type") {
            const V& x = args.at(0);
            if (x->k == VK::Module && x->mod->cls) {
                V c = mk(VK::Class);
                c->cls = x->mod->cls;
                return c;
            }
            return builtin_v(type_name(x));
        }
        if (n == "super") {
            if (frames_.empty() || !frames_.back().self || !frames_.back().cls)
                fail(at, "super() is used outside a method");
            V s = builtin_v("super", frames_.back().self);
            s->cls = frames_.back().cls;
            if (args.size() == 2 && args[0]->k == VK::Class) s->cls = args[0]->cls;
            return s;
        }
        if (n == "partial") {
            if (args.empty()) fail(at, "partial() needs a function");
            V p = mk(VK::Partial);
            p->fn = args[0];
            p->items.assign(args.begin() + 1, args.end());
            partial_kw_[p.get()] = kwargs;
            return p;
        }
        if (n == "Exception" || n == "ValueError" || n == "NotImplementedError" ||
            n == "RuntimeError" || n == "TypeError")
            return none_v();
        // ----- containers' methods
        if (n.rfind("list.", 0) == 0) return list_method(f, n.substr(5), args, kwargs, at);
        if (n.rfind("dict.", 0) == 0) return dict_method(f, n.substr(5), args, at);
        if (n.rfind("str.", 0) == 0) {
            std::string m = n.substr(4);
            if (m == "format") {
                std::string out;
                const std::string& s = f->self->s;
                size_t ai = 0;
                for (size_t i = 0; i < s.size(); ++i) {
                    if (s[i] == '{' && i + 1 < s.size() && s[i + 1] == '}') {
                        if (ai >= args.size()) fail(at, "str.format(): not enough arguments");
                        out += str(args[ai++], at);
                        ++i;
                    } else {
                        out += s[i];
                    }
                }
                return str_v(out);
            }
            if (m == "lower" || m == "upper") {
                std::string s = f->self->s;
                for (char& c : s)
                    c = m == "lower" ? char(std::tolower(c)) : char(std::toupper(c));
                return str_v(s);
            }
            if (m == "startswith" || m == "endswith") {
                const std::string& s = f->self->s;
                const std::string& p = args.at(0)->s;
                bool r = m == "startswith" ? s.rfind(p, 0) == 0
                                           : s.size() >= p.size() &&
                                                 s.compare(s.size() - p.size(), p.size(), p) == 0;
                return bool_v(r);
            }
            fail(at, fmt::format("str.{}() is not supported", m));
        }
        if (n.rfind("tuple.", 0) == 0) {
            std::string m = n.substr(6);
            if (m == "index" || m == "count") return list_method(f, m, args, kwargs, at);
            fail(at, fmt::format("'tuple' object has no attribute '{}'", m));
        }
        if (n.rfind("module.", 0) == 0) return module_method(f, n.substr(7), args, kwargs, at);
        if (n.rfind("opaque.", 0) == 0) {
            std::string m = n.substr(7);
            if (!m.empty() && m.back() == '_') { // in-place init of weights
                own_init(at, "a weight's ." + m + "()");
                return none_v();
            }
            if (m == "size") return f->self->mod ? shape_of(f->self->mod->shape) : none_v();
            if (m == "numel" || m == "dim" || m == "detach" || m == "clone")
                fail(at, fmt::format("Parameter.{}() in __init__ is not supported", m));
            fail(at, fmt::format("'{}' on a layer's weight is not supported", m));
        }
        if (n.rfind("tensor.", 0) == 0)
            return tensor_method(f->self, n.substr(7), args, kwargs, at);
        // ----- torch.nn
        if (n == "nn.Sequential") return make_container("Sequential", args, kwargs, at);
        if (n == "nn.ModuleList") return make_container("ModuleList", args, kwargs, at);
        if (n == "nn.ModuleDict") return make_container("ModuleDict", args, kwargs, at);
        if (n == "nn.Parameter" || n == "nn.parameter.Parameter")
            return make_param("Parameter", args, kwargs, at);
        if (n == "nn.Module") return none_v();
        if (n.rfind("nn.init.", 0) == 0 || n.rfind("init.", 0) == 0) {
            own_init(at, n.rfind("nn.", 0) == 0 ? n : "nn." + n);
            return none_v();
        }
        if (n.rfind("nn.utils.", 0) == 0) fail(at, fmt::format("{}() is not supported", n));
        if (n.rfind("nn.", 0) == 0 && n.find('.', 3) == std::string::npos) {
            std::string type = n.substr(3);
            if (type == "Identity") {
                args.clear();
                kwargs.clear();
            }
            Call c;
            c.name = n;
            c.pos = std::int64_t(at);
            for (const V& a : args)
                c.args.push_back(to_value(a, at, "an argument of " + n));
            for (auto& [k, v] : kwargs)
                c.kwargs.push_back({k, to_value(v, at, "the argument " + k + "= of " + n)});
            auto m = std::make_shared<Mod>();
            m->kind = "layer";
            m->at = at;
            m->layer = construct(c, at);
            m->call = c;
            m->built = built_++;
            V obj = mk(VK::Module);
            obj->mod = m;
            return obj;
        }
        // ----- torch: tensors made outside the graph
        if (n == "torch.zeros" || n == "torch.ones" || n == "torch.randn" || n == "torch.rand" ||
            n == "torch.empty" || n == "torch.Tensor" || n == "torch.FloatTensor" ||
            n == "torch.full" || n == "torch.randint") {
            std::vector<V> sz = args;
            if (n == "torch.full") sz = {args.at(0)};
            if (n == "torch.randint") sz = {args.back()};
            if (V s = kwarg(kwargs, "size")) sz = {s};
            V t = mk(VK::Tensor);
            t->shape = shape_from(sizes_of(sz, at), at);
            t->s = n + "(...)"; // where its values come from, for own_init
            // the value every element holds (torch.empty's and torch.Tensor's are PyTorch's
            // uninitialised memory: cnnshape's 0 is as good)
            if (n == "torch.zeros" || n == "torch.empty" || n == "torch.Tensor" ||
                n == "torch.FloatTensor") {
                t->b = true, t->f = 0;
            } else if (n == "torch.ones") {
                t->b = true, t->f = 1;
            } else if (n == "torch.full") {
                V v = args.size() > 1 ? args[1] : kwarg(kwargs, "fill_value");
                if (v && is_num(v)) t->b = true, t->f = double(float(fval(v)));
            }
            if (in_forward_)
                fail(at, fmt::format("{}() in forward() makes a tensor that does not come from "
                                     "the input: cnnshape cannot plan it yet",
                                     n));
            return t;
        }
        if (n == "torch.no_grad" || n == "torch.manual_seed" || n == "torch.device" ||
            n == "torch.cuda.is_available")
            return n == "torch.cuda.is_available" ? bool_v(false) : none_v();
        if (n.rfind("F.", 0) == 0 || n.rfind("torch.", 0) == 0)
            return torch_function(n, args, kwargs, at);
        std::string lib = n.substr(0, n.find('.'));
        fail(at, fmt::format("'{}' is a call into {}, which cnnshape cannot evaluate (it reads "
                             "torch, torch.nn, torch.nn.functional, math and the file's own "
                             "code)",
                             n, lib == n ? "a name it does not know" : "'" + lib + "'"));
    }

    bool isinstance(const V& x, const V& t, size_t at) {
        if (t->k == VK::Tuple || t->k == VK::List) {
            for (const V& c : t->items)
                if (isinstance(x, c, at)) return true;
            return false;
        }
        if (t->k == VK::Class) {
            if (x->k == VK::Class) return derives(x->cls, t->cls);
            return x->k == VK::Module && x->mod->cls && derives(x->mod->cls, t->cls);
        }
        if (t->k == VK::Builtin) {
            const std::string& n = t->s;
            if (n == "int") return x->k == VK::Int || x->k == VK::Bool;
            if (n == "float") return x->k == VK::Float;
            if (n == "bool") return x->k == VK::Bool;
            if (n == "str") return x->k == VK::Str;
            if (n == "list") return x->k == VK::List;
            if (n == "tuple") return x->k == VK::Tuple;
            if (n == "dict") return x->k == VK::Dict;
            if (n == "torch.Tensor") return x->k == VK::Tensor;
            if (n == "nn.Module") return x->k == VK::Module && is_submodule(x);
            if (n.rfind("nn.", 0) == 0 && x->k == VK::Module) {
                const auto& m = x->mod;
                std::string b = n.substr(3);
                if (m->kind == "layer") return m->call.base_name() == b;
                if (b == m->kind) return true;
                return false;
            }
            if (x->k == VK::Opaque) return n == "nn.Parameter";
            return false;
        }
        fail(at, "isinstance() arg 2 must be a type or tuple of types");
    }

    bool derives(const std::shared_ptr<ClassInfo>& c, const std::shared_ptr<ClassInfo>& base) {
        if (c == base) return true;
        for (const V& b : c->bases)
            if (derives(b->cls, base)) return true;
        return false;
    }

    V list_method(const V& f, const std::string& m, std::vector<V>& args,
                  std::vector<std::pair<std::string, V>>&, size_t at) {
        const V& l = f->self;
        if (m == "append") {
            if (args.at(0) == l) fail(at, "a list appended to itself is not supported");
            l->items.push_back(args.at(0));
            if (std::int64_t(l->items.size()) > kMaxSequence)
                fail(at, fmt::format("a list of more than {} elements", kMaxSequence));
            return none_v();
        }
        if (m == "extend") {
            for (const V& x : iterate(args.at(0), at))
                l->items.push_back(x);
            return none_v();
        }
        if (m == "insert") {
            std::int64_t i = ival(args.at(0)), n = std::int64_t(l->items.size());
            if (i < 0) i = std::max<std::int64_t>(0, i + n);
            i = std::min(i, n);
            l->items.insert(l->items.begin() + i, args.at(1));
            return none_v();
        }
        if (m == "pop") {
            if (l->items.empty()) fail(at, "pop from empty list");
            std::int64_t i = args.empty() ? -1 : ival(args[0]);
            i = index_of(int_v(i), std::int64_t(l->items.size()), at, "pop");
            V v = l->items[i];
            l->items.erase(l->items.begin() + i);
            return v;
        }
        if (m == "index") {
            for (size_t i = 0; i < l->items.size(); ++i)
                if (equal(l->items[i], args.at(0), at)) return int_v(std::int64_t(i));
            fail(at, "ValueError: the value is not in the list");
        }
        if (m == "count") {
            std::int64_t c = 0;
            for (const V& x : l->items)
                c += equal(x, args.at(0), at);
            return int_v(c);
        }
        if (m == "reverse") {
            std::reverse(l->items.begin(), l->items.end());
            return none_v();
        }
        if (m == "copy") return seq_v(VK::List, l->items);
        fail(at, fmt::format("list.{}() is not supported", m));
    }

    V dict_method(const V& f, const std::string& m, std::vector<V>& args, size_t at) {
        const V& d = f->self;
        if (m == "keys") return seq_v(VK::List, d->keys);
        if (m == "values") return seq_v(VK::List, d->items);
        if (m == "items") {
            std::vector<V> out;
            for (size_t i = 0; i < d->keys.size(); ++i)
                out.push_back(seq_v(VK::Tuple, {d->keys[i], d->items[i]}));
            return seq_v(VK::List, out);
        }
        if (m == "get") {
            V v = dict_get(d, args.at(0));
            return v ? v : (args.size() > 1 ? args[1] : none_v());
        }
        if (m == "pop") {
            for (size_t i = 0; i < d->keys.size(); ++i)
                if (key_eq(d->keys[i], args.at(0))) {
                    V v = d->items[i];
                    d->keys.erase(d->keys.begin() + i);
                    d->items.erase(d->items.begin() + i);
                    return v;
                }
            if (args.size() > 1) return args[1];
            fail(at, "KeyError");
        }
        if (m == "update") {
            for (size_t i = 0; i < args.at(0)->keys.size(); ++i)
                dict_set(d, args[0]->keys[i], args[0]->items[i]);
            return none_v();
        }
        if (m == "setdefault") {
            V v = dict_get(d, args.at(0));
            if (v) return v;
            dict_set(d, args[0], args.size() > 1 ? args[1] : none_v());
            return args.size() > 1 ? args[1] : none_v();
        }
        fail(at, fmt::format("dict.{}() is not supported", m));
    }

    V module_method(const V& f, const std::string& m, std::vector<V>& args,
                    std::vector<std::pair<std::string, V>>& kwargs, size_t at) {
        const V& self = f->self;
        auto& mod = self->mod;
        if (m == "__base_init__") {
            if (mod->kind == "Sequential" || mod->kind == "ModuleList" || mod->kind == "ModuleDict")
                container_init(self, args, kwargs, at);
            return none_v();
        }
        if (m == "__seq_forward__") {
            V x = args.at(0);
            for (auto& [k, c] : mod->attrs)
                if (is_submodule(c)) x = call(c, {x}, {}, at);
            return x;
        }
        if (m == "__init__") return none_v();
        if (m == "add_module" || m == "register_module") {
            if (args.size() != 2 || args[0]->k != VK::Str)
                fail(at, "add_module(name, module) takes a name and a module");
            if (args[1]->k != VK::None) need_module(args[1], at, "add_module");
            add_child(mod, args[0]->s, args[1], at);
            return none_v();
        }
        if (m == "register_buffer" || m == "register_parameter") {
            V name = args.size() > 0 ? args[0] : kwarg(kwargs, "name");
            V t = args.size() > 1 ? args[1]
                                  : kwarg(kwargs, m == "register_buffer" ? "tensor" : "param");
            if (!name || name->k != VK::Str) fail(at, m + "() takes a name");
            if (!t || t->k == VK::None) {
                add_child(mod, name->s, none_v(), at);
                return none_v();
            }
            V obj;
            if (m == "register_parameter") {
                if (t->k != VK::Module || t->mod->kind != "Parameter")
                    fail(at, "register_parameter() takes an nn.Parameter");
                obj = t;
            } else {
                if (t->k != VK::Tensor || t->node != -2)
                    fail(at, "register_buffer() takes a tensor made in __init__");
                note_values(t, "register_buffer", at);
                auto b = std::make_shared<Mod>();
                b->kind = "Buffer";
                b->shape = t->shape;
                if (t->b) b->fill = t->f;
                b->at = at;
                b->built = built_++;
                V p = args.size() > 2 ? args[2] : kwarg(kwargs, "persistent");
                if (p) b->persistent = truth(p, at);
                obj = mk(VK::Module);
                obj->mod = b;
            }
            add_child(mod, name->s, obj, at);
            return none_v();
        }
        if (m == "append" && (mod->kind == "Sequential" || mod->kind == "ModuleList")) {
            need_module(args.at(0), at, mod->kind.c_str());
            add_child(mod, std::to_string(module_children(self).size()), args[0], at);
            return self;
        }
        if (m == "extend" && (mod->kind == "Sequential" || mod->kind == "ModuleList")) {
            for (const V& v : iterate(args.at(0), at)) {
                need_module(v, at, mod->kind.c_str());
                add_child(mod, std::to_string(module_children(self).size()), v, at);
            }
            return self;
        }
        if (m == "insert" && mod->kind == "ModuleList") {
            std::vector<V> ch = module_children(self);
            std::int64_t i = ival(args.at(0)), n = std::int64_t(ch.size());
            if (i < 0) i += n;
            i = std::clamp<std::int64_t>(i, 0, n);
            ch.insert(ch.begin() + i, args.at(1));
            std::vector<std::pair<std::string, V>> rest;
            for (auto& a : mod->attrs)
                if (!is_submodule(a.second)) rest.push_back(a);
            mod->attrs = rest;
            for (size_t k = 0; k < ch.size(); ++k)
                mod->attrs.push_back({std::to_string(k), ch[k]});
            return none_v();
        }
        if ((m == "items" || m == "keys" || m == "values") && mod->kind == "ModuleDict") {
            std::vector<V> out;
            for (auto& [k, v] : mod->attrs)
                if (is_submodule(v))
                    out.push_back(m == "items"  ? seq_v(VK::Tuple, {str_v(k), v})
                                  : m == "keys" ? str_v(k)
                                                : v);
            return seq_v(VK::List, out);
        }
        if (m == "children" || m == "named_children") {
            std::vector<V> out;
            for (auto& [k, v] : mod->attrs)
                if (is_submodule(v))
                    out.push_back(m == "children" ? v : seq_v(VK::Tuple, {str_v(k), v}));
            return seq_v(VK::List, out);
        }
        if (m == "modules" || m == "named_modules") {
            std::vector<V> out;
            std::set<const Mod*> seen;
            walk_modules(self, "", out, seen, m == "named_modules");
            return seq_v(VK::List, out);
        }
        if (m == "apply" || m == "eval" || m == "train" || m == "to" || m == "cuda" || m == "cpu" ||
            m == "float" || m == "requires_grad_" || m == "zero_grad") {
            if (m == "apply") {
                std::vector<V> out;
                std::set<const Mod*> seen;
                walk_modules(self, "", out, seen, false);
                // children first, as nn.Module.apply; the calls only initialise weights
                std::reverse(out.begin(), out.end());
                for (const V& x : out)
                    call(args.at(0), {x}, {}, at);
            }
            return self;
        }
        if (m == "half" || m == "double") fail(at, "cnnshape plans float32 models only");
        if (m == "forward") {
            V fwd = mod->cls ? class_attr(mod->cls, "forward") : nullptr;
            if (!fwd) return call_module(self, args, kwargs, at);
            return call(bind(fwd, self), args, kwargs, at);
        }
        fail(at, fmt::format("{}.{}() is not supported", type_name(self), m));
    }

    void walk_modules(const V& v, const std::string& prefix, std::vector<V>& out,
                      std::set<const Mod*>& seen, bool named) {
        if (!seen.insert(v->mod.get()).second) return;
        out.push_back(named ? seq_v(VK::Tuple, {str_v(prefix), v}) : v);
        if (seen.size() > 100000) return;
        for (auto& [k, c] : v->mod->attrs)
            if (is_submodule(c))
                walk_modules(c, prefix.empty() ? k : prefix + "." + k, out, seen, named);
    }

    // ---------------------------------------------------------------------------------------
    // Tensor functions and methods

    V tensor_method(const V& t, const std::string& m, std::vector<V>& args,
                    std::vector<std::pair<std::string, V>>& kwargs, size_t at) {
        std::int64_t rank = std::int64_t(t->shape.size());
        if (m == "size") {
            V d = args.empty() ? kwarg(kwargs, "dim") : args[0];
            if (!d) return shape_v(t);
            return int_v(t->shape[index_of(d, rank, at, "dimension")]);
        }
        if (m == "dim" || m == "ndimension") return int_v(rank);
        if (m == "numel") {
            std::int64_t n = 1;
            for (auto d : t->shape)
                n *= d;
            return int_v(n);
        }
        if (m == "to" || m == "cuda" || m == "cpu" || m == "float" || m == "detach" ||
            m == "clone" || m == "type_as" || m == "requires_grad_")
            return t;
        if (t->node == -2) {
            // a tensor made in __init__: what nn.Parameter and register_buffer take
            if (m == "mul" || m == "mul_" || m == "normal_" || m == "uniform_" || m == "fill_" ||
                m == "zero_" || m == "div" || m == "add" || m == "trunc_normal_") {
                // in place (zero_, fill_, mul_, normal_, ...) or a new tensor (mul, div, add)
                V r = t;
                if (m == "mul" || m == "div" || m == "add") {
                    r = mk(VK::Tensor);
                    r->shape = t->shape, r->s = t->s, r->b = t->b, r->f = t->f;
                }
                if (m == "zero_") {
                    r->s = "torch.zeros(...)";
                    r->b = true, r->f = 0;
                } else if (m == "fill_" && !args.empty() && is_num(args[0])) {
                    r->s = "torch.full(...)";
                    r->b = true, r->f = double(float(fval(args[0])));
                } else if (m == "mul" || m == "mul_" || m == "div" || m == "add") {
                    if (r->b && !args.empty() && is_num(args[0])) {
                        const float x = float(r->f), k = float(fval(args[0]));
                        r->f = m == "add" ? x + k : m == "div" ? x / k : x * k;
                    } else {
                        r->b = false;
                    }
                } else {
                    r->s += "." + m + "()";
                    r->b = false;
                }
                return r;
            }
            if (m == "view" || m == "reshape" || m == "unsqueeze" || m == "expand")
                fail(at, fmt::format("Tensor.{}() of a tensor made in __init__ is not supported "
                                     "yet",
                                     m));
        }
        static const std::set<std::string> varargs = {"view", "reshape", "permute", "expand"};
        if (varargs.count(m)) {
            const char* type = method_type(m);
            std::vector<V> sz = sizes_of(args, at);
            if (V s = kwarg(kwargs, m == "permute" ? "dims" : m == "reshape" ? "shape" : "size"))
                sz = sizes_of({s}, at);
            return tensor_op(type, {t}, {seq_v(VK::Tuple, sz)}, {}, m, at);
        }
        if (m == "add" || m == "sub" || m == "mul" || m == "div" || m == "add_" || m == "mul_" ||
            m == "sub_" || m == "div_") {
            std::string base = m.back() == '_' ? m.substr(0, m.size() - 1) : m;
            const char* op = base == "add" ? "+" : base == "sub" ? "-" : base == "mul" ? "*" : "/";
            V other = args.empty() ? kwarg(kwargs, "other") : args[0];
            if (!other) fail(at, fmt::format("Tensor.{}() needs the other operand", m));
            if (V alpha = kwarg(kwargs, "alpha")) {
                if (other->k != VK::Tensor) fail(at, "alpha with a number operand");
                return tensor_op(base == "add" ? "Add" : "Sub", {t, other}, {}, {{"alpha", alpha}},
                                 base, at);
            }
            return binop(op, t, other, at);
        }
        if (m == "matmul") return tensor_op("Matmul", {t, args.at(0)}, {}, {}, "matmul", at);
        if (m == "clamp" || m == "clip" || m == "clamp_" || m == "clip_" || m == "clamp_min" ||
            m == "clamp_max" || m == "clamp_min_" || m == "clamp_max_")
            return clamp(t, m, args, kwargs, at);
        if (m == "pow" || m == "pow_") {
            V e = args.empty() ? kwarg(kwargs, "exponent") : args[0];
            return power(t, e, at);
        }
        if (m == "t" || m == "t_") {
            if (rank > 2)
                fail(at, fmt::format("t() expects a tensor with <= 2 dimensions, but self is {}D",
                                     rank));
            if (rank < 2) return t;
            return tensor_op("Transpose", {t}, {int_v(0), int_v(1)}, {}, "t", at);
        }
        if (m == "repeat") return repeat(t, sizes_of(args, at), at);
        if (m == "mm") return tensor_op("Matmul", {t, args.at(0)}, {}, {}, "mm", at);
        if (m == "expand_as" || m == "view_as" || m == "reshape_as") {
            V other = args.empty() ? kwarg(kwargs, "other") : args[0];
            if (!other || other->k != VK::Tensor)
                fail(at, fmt::format("Tensor.{}() takes a tensor", m));
            const char* type = m == "expand_as" ? "Expand" : m == "view_as" ? "View" : "Reshape";
            return tensor_op(type, {t}, {shape_v(other)}, {}, m, at);
        }
        static const std::set<std::string> no_layer = {
            "max",         "min",          "topk",     "argmax",       "argmin",
            "sort",        "exp",          "exp_",     "log",          "log_",
            "sqrt",        "rsqrt",        "abs",      "abs_",         "norm",
            "masked_fill", "masked_fill_", "gather",   "index_select", "cumsum",
            "std",         "var",          "prod",     "sin",          "cos",
            "reciprocal",  "sign",         "floor",    "ceil",         "round",
            "where",       "new_zeros",    "new_ones", "new_full",     "new_empty",
            "new_tensor",  "scatter",      "scatter_", "index_add",    "masked_select",
            "nonzero",     "logsumexp",    "erf",      "neg"};
        if (no_layer.count(m))
            fail(at, fmt::format("Tensor.{}() has no cnnshape layer (`cnnshape layers` lists "
                                 "the operations cnnshape plans and runs)",
                                 m));
        if (m == "item" || m == "tolist" || m == "numpy")
            fail(at, fmt::format("Tensor.{}() reads a tensor's values, which cnnshape cannot "
                                 "know without data (it plans from shapes)",
                                 m));
        // torch.<name> aliases and layer types by method name: x.mean(...), x.chunk(...)
        std::vector<V> a = args;
        return generic_tensor("torch." + m, m, {t}, a, kwargs, at);
    }

    // x.clamp(min, max) and its spellings: ReLU for min=0, Threshold(min, min) for a minimum,
    // Hardtanh(min, max) for both and Hardtanh(-inf, max) for a maximum, which compute clamp's
    // values (NaN kept).
    V clamp(const V& t, const std::string& m, std::vector<V>& args,
            std::vector<std::pair<std::string, V>>& kwargs, size_t at) {
        std::string base = m.back() == '_' ? m.substr(0, m.size() - 1) : m;
        V lo, hi;
        if (base == "clamp_max") {
            hi = args.empty() ? kwarg(kwargs, "max") : args[0];
        } else {
            lo = args.empty() ? kwarg(kwargs, "min") : args[0];
            if (base != "clamp_min") hi = args.size() > 1 ? args[1] : kwarg(kwargs, "max");
        }
        if (lo && lo->k == VK::None) lo = nullptr;
        if (hi && hi->k == VK::None) hi = nullptr;
        for (const V& b : {lo, hi})
            if (b && !is_num(b))
                fail(at, fmt::format("{}() with a bound of type {} is not supported (cnnshape "
                                     "takes numbers as bounds)",
                                     m, type_name(b)));
        if (!lo && !hi) fail(at, "torch.clamp: At least one of 'min' or 'max' must not be None");
        std::string name = base == "clip" ? "clip" : "clamp";
        if (lo && !hi) {
            if (fval(lo) == 0) return tensor_op("ReLU", {t}, {}, {}, name, at);
            return tensor_op("Threshold", {t}, {float_v(fval(lo)), float_v(fval(lo))}, {}, name,
                             at);
        }
        if (lo && fval(lo) >= fval(hi))
            fail(at, fmt::format("{}() with min >= max (min={}, max={}) is not supported: every "
                                 "value would be max",
                                 m, str(lo, at), str(hi, at)));
        return tensor_op(
            "Hardtanh", {t},
            {float_v(lo ? fval(lo) : -std::numeric_limits<double>::infinity()), float_v(fval(hi))},
            {}, name, at);
    }

    // x ** 2 is x * x (aten's pow computes exponent 2 so); exponent 1 is x.
    V power(const V& t, const V& e, size_t at) {
        if (!e) fail(at, "Tensor.pow() needs the exponent");
        if (is_num(e) && fval(e) == 2) return tensor_op("Mul", {t, t}, {}, {}, "pow", at);
        if (is_num(e) && fval(e) == 1) return t;
        fail(at, fmt::format("a tensor to the power {} has no cnnshape layer (x ** 2 is planned as "
                             "x * x)",
                             e->k == VK::Tensor ? std::string("of a tensor") : str(e, at)));
    }

    // x.repeat(sizes): copies along each dim, as torch.cat of the copies (new leading dims first
    // made by unsqueeze(0)).
    V repeat(V t, const std::vector<V>& sizes, size_t at) {
        std::int64_t rank = std::int64_t(t->shape.size());
        if (std::int64_t(sizes.size()) < rank)
            fail(at, "Number of dimensions of repeat dims can not be smaller than number of "
                     "dimensions of tensor");
        for (const V& r : sizes)
            if (!is_intlike(r)) fail(at, fmt::format("repeat() takes ints, not {}", type_name(r)));
        for (std::int64_t k = rank; k < std::int64_t(sizes.size()); ++k)
            t = tensor_op("Unsqueeze", {t}, {int_v(0)}, {}, "repeat", at);
        for (size_t d = 0; d < sizes.size(); ++d) {
            std::int64_t r = ival(sizes[d]);
            if (r < 0)
                fail(at, fmt::format("Trying to create tensor with negative dimension {}", r));
            if (r == 0) fail(at, "repeat() with a 0 has no cnnshape layer (an empty tensor)");
            if (r == 1) continue;
            if (r > 4096)
                fail(at, fmt::format("repeat() {} times: cnnshape repeats at most 4096", r));
            std::vector<V> copies(size_t(r), t);
            t = tensor_op("Concat", copies, {int_v(std::int64_t(d))}, {}, "repeat", at);
        }
        return t;
    }

    // A tensor op whose leading tensors are inputs and whose other arguments bind to the layer
    // type's parameters in order.
    V generic_tensor(const std::string& fname, const std::string& short_name, std::vector<V> inputs,
                     std::vector<V> args, std::vector<std::pair<std::string, V>> kwargs,
                     size_t at) {
        const LayerType* lt = nullptr;
        if (const char* t = method_type(short_name)) lt = find_layer_type(t);
        if (!lt) {
            const LayerType* a = find_layer_type(fname);
            if (a) lt = a;
        }
        if (!lt)
            for (const LayerType& t : layer_types())
                for (const std::string& al : t.aliases)
                    if (al == fname) lt = &t;
        if (!lt)
            fail(at,
                 fmt::format("{}() is not a tensor operation cnnshape knows (it knows the "
                             "layers `cnnshape layers` lists and their torch.* spellings)",
                             fname.rfind("torch.", 0) == 0 && inputs.size() == 1 && !fname.empty()
                                 ? "Tensor." + short_name
                                 : fname));
        // leading tensors
        if (inputs.empty()) {
            if (!args.empty() && (args[0]->k == VK::List || args[0]->k == VK::Tuple) &&
                !args[0]->items.empty() && args[0]->items[0]->k == VK::Tensor &&
                lt->name != "Permute" && lt->name != "Reshape") {
                inputs = args[0]->items;
                args.erase(args.begin());
            } else {
                while (!args.empty() && args[0]->k == VK::Tensor) {
                    inputs.push_back(args[0]);
                    args.erase(args.begin());
                }
            }
            for (const char* k : {"input", "tensors", "other"})
                if (V v = kwarg(kwargs, k)) {
                    if (v->k == VK::Tensor)
                        inputs.push_back(v);
                    else if (v->k == VK::List || v->k == VK::Tuple)
                        for (const V& x : v->items)
                            inputs.push_back(x);
                    else
                        kwargs.push_back({k, v});
                }
        }
        if (!args.empty() && args[0]->k == VK::Tensor &&
            (lt->name == "Add" || lt->name == "Sub" || lt->name == "Mul" || lt->name == "Div" ||
             lt->name == "Matmul" || lt->name == "Bmm")) {
            inputs.push_back(args[0]);
            args.erase(args.begin());
        }
        for (const V& i : inputs)
            if (i->k != VK::Tensor)
                fail(at, fmt::format("{}() takes tensors, got a {}", fname, type_name(i)));
        if (lt->name == "Einsum") {
            // torch.einsum(equation, *operands)
        }
        return tensor_op(lt->name, inputs, args, kwargs, short_name, at);
    }

    V torch_function(const std::string& n, std::vector<V> args,
                     std::vector<std::pair<std::string, V>> kwargs, size_t at) {
        std::string fname = n.rfind("F.", 0) == 0 ? n.substr(2) : n.substr(6);
        if (!in_forward_)
            fail(at, fmt::format("{}() outside forward(): cnnshape evaluates tensor functions in "
                                 "forward()",
                                 n));
        if (n == "F.pad") {
            V x = args.at(0);
            V pad = args.size() > 1 ? args[1] : kwarg(kwargs, "pad");
            V mode = args.size() > 2 ? args[2] : kwarg(kwargs, "mode");
            V value = args.size() > 3 ? args[3] : kwarg(kwargs, "value");
            if (!pad || (pad->k != VK::Tuple && pad->k != VK::List))
                fail(at, "F.pad() takes the padding as a tuple or list");
            size_t dims = pad->items.size() / 2;
            if (pad->items.size() % 2 || dims < 1 || dims > 3)
                fail(at, "Padding length must be divisible by 2");
            std::string md = mode && mode->k == VK::Str ? mode->s : "constant";
            std::string type = md == "constant"    ? "ConstantPad"
                               : md == "reflect"   ? "ReflectionPad"
                               : md == "replicate" ? "ReplicationPad"
                                                   : "";
            if (type.empty()) fail(at, fmt::format("F.pad mode '{}' is not supported", md));
            type += std::to_string(dims) + "d";
            std::vector<V> a = {seq_v(VK::Tuple, pad->items)};
            if (md == "constant") a.push_back(value && value->k != VK::None ? value : int_v(0));
            return tensor_op(type, {x}, a, {}, "pad", at);
        }
        if (n == "torch.clamp" || n == "torch.clip" || n == "torch.clamp_min" ||
            n == "torch.clamp_max" || n == "torch.pow" || n == "torch.t" || n == "torch.mm" ||
            n == "torch.exp" || n == "torch.log" || n == "torch.sqrt" || n == "torch.abs" ||
            n == "torch.where" || n == "torch.max" || n == "torch.min") {
            V x = args.empty() ? kwarg(kwargs, "input") : args[0];
            if (!args.empty()) args.erase(args.begin());
            if (!x || x->k != VK::Tensor) fail(at, fmt::format("{}() takes a tensor first", n));
            return tensor_method(x, fname, args, kwargs, at);
        }
        if (n == "torch.einsum") {
            // torch.einsum(equation, *operands) or (equation, [operands])
            if (args.empty() || args[0]->k != VK::Str)
                fail(at, "torch.einsum() takes the equation first");
            std::vector<V> ops(args.begin() + 1, args.end());
            if (ops.size() == 1 && (ops[0]->k == VK::List || ops[0]->k == VK::Tuple))
                ops = ops[0]->items;
            for (const V& o : ops)
                if (o->k != VK::Tensor)
                    fail(at, fmt::format("torch.einsum() takes tensors, got a {}", type_name(o)));
            return tensor_op("Einsum", ops, {args[0]}, {}, "einsum", at);
        }
        if (n == "F.linear" || n == "F.conv1d" || n == "F.conv2d" || n == "F.conv3d" ||
            n == "F.layer_norm" || n == "F.batch_norm")
            return functional_with_weights(n, args, kwargs, at);
        if (n == "torch.cat" || n == "torch.concat" || n == "torch.stack") {
            V ts = args.empty() ? kwarg(kwargs, "tensors") : args[0];
            if (!ts || (ts->k != VK::List && ts->k != VK::Tuple))
                fail(at, fmt::format("{}() takes a list of tensors", n));
            V dim = args.size() > 1 ? args[1] : kwarg(kwargs, "dim");
            for (const V& t : ts->items)
                if (t->k != VK::Tensor)
                    fail(at, fmt::format("{}() takes tensors, got a {}", n, type_name(t)));
            return tensor_op(n == "torch.stack" ? "Stack" : "Concat", ts->items,
                             {dim ? dim : int_v(0)}, {}, fname, at);
        }
        for (const Functional& fn : functionals()) {
            if (n != std::string("F.") + fn.name &&
                !(n == std::string("torch.") + fn.name &&
                  (std::string(fn.name) == "relu" || std::string(fn.name) == "sigmoid" ||
                   std::string(fn.name) == "tanh" || std::string(fn.name) == "flatten" ||
                   std::string(fn.name) == "softmax" || std::string(fn.name) == "log_softmax" ||
                   std::string(fn.name) == "relu_")))
                continue;
            V x = args.empty() ? kwarg(kwargs, "input") : args[0];
            if (!x || x->k != VK::Tensor) fail(at, fmt::format("{}() takes a tensor first", n));
            std::vector<std::pair<std::string, V>> kw;
            for (size_t i = 1; i < args.size(); ++i) {
                if (i - 1 >= fn.params.size())
                    fail(at,
                         fmt::format("{}() takes at most {} arguments", n, fn.params.size() + 1));
                kw.push_back({fn.params[i - 1], args[i]});
            }
            for (auto& p : kwargs) {
                bool known = false;
                for (const char* q : fn.params)
                    known |= p.first == q;
                if (!known)
                    fail(at,
                         fmt::format("{}() got an unexpected keyword argument '{}'", n, p.first));
                kw.push_back(p);
            }
            std::vector<std::pair<std::string, V>> pass;
            for (auto& [k, v] : kw) {
                if (k == "training" || k == "_stacklevel") continue;
                if (k == "dtype" && v->k == VK::None) continue;
                if (k == "antialias" && v->k == VK::Bool && !v->b) continue;
                pass.push_back({k, v});
            }
            if (std::string(fn.type) == "ReLU" && fname == "relu_") fname = "relu";
            return tensor_op(fn.type, {x}, {}, pass, fname, at);
        }
        return generic_tensor(n, fname, {}, args, kwargs, at);
    }

    // The state_dict key of a tensor F.conv2d & co. take as weights: a Parameter or buffer of
    // the model, whose node holds it.
    std::string held_key(const V& t, const std::string& fn, const char* what, size_t at) {
        if (t->k == VK::Tensor && t->node == -3) return t->s; // self.fc.weight
        if (t->k != VK::Tensor || t->node < 0 || t->slot >= 0 ||
            (net_.nodes[t->node].layer->type() != "Parameter" &&
             net_.nodes[t->node].layer->type() != "Buffer"))
            fail(at, fmt::format("{}() takes its {} as an nn.Parameter or buffer of the model "
                                 "(self.{}): cnnshape cannot plan {}",
                                 fn, what, what,
                                 t->k == VK::Tensor ? "a tensor computed in forward()"
                                                    : "another module's weight (self.fc.weight)"));
        return net_.nodes[t->node].name;
    }

    // F.linear, F.conv1d/2d/3d, F.layer_norm and F.batch_norm with the model's Parameters and
    // buffers as weights: the module computing the same, built from the weights' shapes, whose
    // tensors are those Parameters (Node::shared), counted once where they are held.
    V functional_with_weights(const std::string& n, std::vector<V> args,
                              std::vector<std::pair<std::string, V>> kwargs, size_t at) {
        std::vector<const char*> names;
        if (n == "F.linear")
            names = {"input", "weight", "bias"};
        else if (n == "F.layer_norm")
            names = {"input", "normalized_shape", "weight", "bias", "eps"};
        else if (n == "F.batch_norm")
            names = {"input", "running_mean", "running_var", "weight",
                     "bias",  "training",     "momentum",    "eps"};
        else
            names = {"input", "weight", "bias", "stride", "padding", "dilation", "groups"};
        std::map<std::string, V> a;
        if (args.size() > names.size())
            fail(at, fmt::format("{}() takes at most {} arguments ({} given)", n, names.size(),
                                 args.size()));
        for (size_t i = 0; i < args.size(); ++i)
            a[names[i]] = args[i];
        for (auto& [k, v] : kwargs) {
            bool known = false;
            for (const char* q : names)
                known |= k == q;
            if (!known) fail(at, fmt::format("{}() got an unexpected keyword argument '{}'", n, k));
            if (a.count(k))
                fail(at, fmt::format("{}() got multiple values for argument '{}'", n, k));
            a[k] = v;
        }
        auto get = [&](const char* k) -> V {
            auto f = a.find(k);
            return f == a.end() || f->second->k == VK::None ? nullptr : f->second;
        };
        V x = get("input");
        if (!x || x->k != VK::Tensor) fail(at, fmt::format("{}() takes a tensor first", n));
        std::vector<Node::SharedTensor> shared;
        auto hold = [&](const char* arg, const char* tensor) -> V {
            V t = get(arg);
            if (t) shared.push_back({tensor, held_key(t, n, arg, at)});
            return t;
        };
        std::string fname = n.substr(2);
        V out;
        if (n == "F.layer_norm") {
            V shape = get("normalized_shape");
            if (!shape) fail(at, "F.layer_norm() missing required argument 'normalized_shape'");
            V w = hold("weight", "weight"), b = hold("bias", "bias");
            if (bool(w) != bool(b))
                fail(at, "F.layer_norm() with only one of weight and bias has no cnnshape layer "
                         "(nn.LayerNorm has both or neither)");
            std::vector<std::pair<std::string, V>> kw = {
                {"elementwise_affine", bool_v(w != nullptr)}};
            if (V eps = get("eps")) kw.push_back({"eps", eps});
            out = tensor_op("LayerNorm", {x}, {shape}, kw, fname, at);
        } else if (n == "F.batch_norm") {
            V rm = hold("running_mean", "running_mean"), rv = hold("running_var", "running_var");
            V w = hold("weight", "weight"), b = hold("bias", "bias");
            if (bool(w) != bool(b))
                fail(at, "F.batch_norm() with only one of weight and bias has no cnnshape layer "
                         "(nn.BatchNorm2d has both or neither)");
            if (bool(rm) != bool(rv))
                fail(at, "F.batch_norm() with only one of running_mean and running_var has no "
                         "cnnshape layer");
            V tr = get("training");
            bool train = tr ? truth(tr, at) : false;
            if (train != training_)
                fail(at, fmt::format("F.batch_norm(training={}) while the model is planned in {} "
                                     "mode: cnnshape's BatchNorm follows --mode (pass "
                                     "training=self.training)",
                                     train ? "True" : "False", training_ ? "train" : "eval"));
            if (!rm && !train)
                fail(at, "running_mean and running_var must be defined in evaluation mode");
            std::int64_t rank = std::int64_t(x->shape.size());
            if (rank < 2 || rank > 5)
                fail(at,
                     fmt::format("F.batch_norm() of a {}-d tensor has no cnnshape layer", rank));
            std::string type = rank <= 3   ? "BatchNorm1d"
                               : rank == 4 ? "BatchNorm2d"
                                           : "BatchNorm3d";
            std::vector<std::pair<std::string, V>> kw = {
                {"affine", bool_v(w != nullptr)}, {"track_running_stats", bool_v(rm != nullptr)}};
            if (V mo = get("momentum")) kw.push_back({"momentum", mo});
            if (V eps = get("eps")) kw.push_back({"eps", eps});
            if (rm) shared.push_back({"num_batches_tracked", ""}); // F.batch_norm has none
            out = tensor_op(type, {x}, {int_v(x->shape[1])}, kw, fname, at);
        } else {
            V w = hold("weight", "weight");
            if (!w) fail(at, fmt::format("{}() missing required argument 'weight'", n));
            V b = hold("bias", "bias");
            const Shape& ws = w->shape;
            std::vector<std::pair<std::string, V>> kw = {{"bias", bool_v(b != nullptr)}};
            if (n == "F.linear") {
                if (ws.size() != 2)
                    fail(at, fmt::format("F.linear() with a {}-d weight has no cnnshape layer",
                                         ws.size()));
                out = tensor_op("Linear", {x}, {int_v(ws[1]), int_v(ws[0])}, kw, fname, at);
            } else {
                size_t d = size_t(n[n.size() - 2] - '0');
                if (ws.size() != d + 2)
                    fail(at, fmt::format("{}() weight should be {}-d, but got {}-d", n, d + 2,
                                         ws.size()));
                std::int64_t groups = 1;
                if (V g = get("groups")) {
                    if (!is_intlike(g)) fail(at, fmt::format("{}() groups must be an int", n));
                    groups = ival(g);
                    kw.push_back({"groups", g});
                }
                for (const char* k : {"stride", "padding", "dilation"})
                    if (V v = get(k)) kw.push_back({k, v});
                std::vector<V> k;
                for (size_t i = 2; i < ws.size(); ++i)
                    k.push_back(int_v(ws[i]));
                std::int64_t in = 0;
                if (__builtin_mul_overflow(ws[1], groups, &in))
                    fail(at, "integer overflow: cnnshape's integers are 64-bit");
                out = tensor_op(fmt::format("Conv{}d", d), {x},
                                {int_v(in), int_v(ws[0]), seq_v(VK::Tuple, k)}, kw, fname, at);
            }
        }
        Node& node = net_.nodes.back();
        node.shared = shared;
        return out;
    }

    // ---------------------------------------------------------------------------------------
    // The model

    V resolve_model(const std::string& model, std::vector<ModelCandidate>& cands) {
        std::vector<std::string> used_by_others;
        // Candidates: module classes not used by another class (by name, in its source).
        std::vector<std::pair<std::string, size_t>> tops;
        for (auto& [name, at] : classes_) {
            // Used: named in another class, or passed as a value anywhere (ResNet(Bottleneck,
            // ...) in a function, block=BasicBlock).
            bool used = false;
            for (auto& [other, oat] : classes_) {
                if (other == name) continue;
                const V& c = globals_->vars[other];
                if (mentions(*c->cls->def, name, false)) used = true;
            }
            for (const SP& st : ast_.body)
                if (mentions_stmt(*st, name, true)) used = true;
            if (!used) tops.push_back({name, at});
        }
        for (auto& [name, at] : tops)
            cands.push_back(ModelCandidate{name, src_.line_of(at), "python"});
        if (!model.empty()) {
            auto g = globals_->vars.find(model);
            if (g != globals_->vars.end()) {
                const V& v = g->second;
                if (v->k == VK::Class) {
                    if (!derives_module(v->cls))
                        throw ModelChoiceError("",
                                               fmt::format("--model {}: {} is not an "
                                                           "nn.Module class",
                                                           model, model),
                                               cands);
                    return call(v, {}, {}, v->cls->def->at);
                }
                if (v->k == VK::Module) return v;
                if (v->k == VK::Func) return call(v, {}, {}, v->def ? v->def->at : 0);
            }
            if (poisoned_.count(model)) lookup(model, globals_, poisoned_[model]->at);
            if (model.find('(') != std::string::npos) {
                // --model 'ResNet(BasicBlock, [2, 2, 2, 2], num_classes=10)'
                model_text_ = model;
                model_src_ = std::make_unique<Source>(model_text_);
                std::unique_ptr<Expr> e;
                try {
                    e = parse_expression(*model_src_, 0, model_text_.size());
                } catch (const SpecError& err) {
                    throw SpecError("--model " + err.where(), err.what());
                }
                model_expr_ = std::move(e);
                return eval_model_expr();
            }
            return nullptr;
        }
        if (tops.size() == 1) {
            const V& c = globals_->vars[tops[0].first];
            return call(c, {}, {}, tops[0].second);
        }
        if (tops.empty()) return nullptr;
        std::string list;
        for (auto& c : cands)
            list += fmt::format("\n  {} (line {})", c.name, c.line);
        throw ModelChoiceError("",
                               fmt::format("the file defines {} module classes that no other "
                                           "class uses; choose one with --model NAME (or "
                                           "--model 'NAME(args)'):{}",
                                           tops.size(), list),
                               cands);
    }
    std::string model_text_;
    std::unique_ptr<Source> model_src_;
    std::unique_ptr<Expr> model_expr_;

    V eval_model_expr() {
        // The expression's positions are in the --model text: evaluate it with errors about it
        // reported as such.
        try {
            Source* saved = nullptr;
            (void)saved;
            return eval_in(*model_expr_, *model_src_);
        } catch (const SpecError& e) {
            throw;
        }
    }

    V eval_in(const Expr& e, const Source& s) {
        // Names and calls of the --model text: its own positions for its errors.
        if (e.k != EK::Call) {
            try {
                return eval(e, globals_);
            } catch (const SpecError& err) {
                throw SpecError("--model", err.what());
            }
        }
        V f;
        try {
            f = eval(*e.a[0], globals_);
        } catch (const SpecError& err) {
            throw SpecError("--model", first_line(err.what()));
        }
        std::vector<V> args;
        std::vector<std::pair<std::string, V>> kwargs;
        for (size_t i = 1; i < e.a.size(); ++i) {
            V v;
            try {
                v = eval(*e.a[i], globals_);
            } catch (const SpecError& err) {
                throw SpecError("--model", first_line(err.what()));
            }
            if (e.kw[i - 1].empty())
                args.push_back(v);
            else
                kwargs.push_back({e.kw[i - 1], v});
        }
        (void)s;
        size_t at = 0;
        if (f->k == VK::Class) at = f->cls->def->at;
        if (f->k == VK::Func && f->def) at = f->def->at;
        return call(f, args, kwargs, at);
    }

    // Whether the statement names `name`; `as_value`: only where it is not called (passed as
    // a value: a block class given to another).
    static bool mentions(const Stmt& s, const std::string& name, bool as_value) {
        for (const SP& b : s.body)
            if (mentions_stmt(*b, name, as_value)) return true;
        return false;
    }
    static bool mentions_stmt(const Stmt& s, const std::string& name, bool as_value) {
        if (as_value && s.k == SK::Class && s.s == name) return false;
        for (const EP& t : s.targets)
            if (t && mentions_expr(*t, name, as_value)) return true;
        if (s.value && mentions_expr(*s.value, name, as_value)) return true;
        for (const Param& p : s.params)
            if (p.def && mentions_expr(*p.def, name, as_value)) return true;
        for (const SP& b : s.body)
            if (mentions_stmt(*b, name, as_value)) return true;
        for (const SP& b : s.orelse)
            if (mentions_stmt(*b, name, as_value)) return true;
        return false;
    }
    static bool mentions_expr(const Expr& e, const std::string& name, bool as_value) {
        if (e.k == EK::Name && e.s == name) return true;
        for (size_t i = 0; i < e.a.size(); ++i) {
            const EP& x = e.a[i];
            if (!x) continue;
            if (as_value && e.k == EK::Call && i == 0 && x->k == EK::Name) continue;
            if (mentions_expr(*x, name, as_value)) return true;
        }
        for (const Comp& c : e.comps) {
            if (mentions_expr(*c.iter, name, as_value)) return true;
            for (const EP& x : c.conds)
                if (mentions_expr(*x, name, as_value)) return true;
        }
        return false;
    }
};

} // namespace

bool has_module_class(const std::string& text) {
    // a `class X(` line and a `def forward` somewhere
    size_t p = 0;
    bool cls = false;
    while ((p = text.find("class ", p)) != std::string::npos) {
        if (p == 0 || text[p - 1] == '\n' || text[p - 1] == ' ' || text[p - 1] == '\t') {
            cls = true;
            break;
        }
        p += 6;
    }
    // a forward(), or a class deriving from nn.Sequential (whose forward is Sequential's)
    return cls && (text.find("def forward") != std::string::npos ||
                   text.find("(nn.Sequential)") != std::string::npos ||
                   text.find("(torch.nn.Sequential)") != std::string::npos);
}

namespace {
std::optional<Network> load_module_here(const std::string& text, const std::string& model,
                                        const ReadHints& hints) {
    Evaluator ev(text, hints);
    ev.load();
    if (ev.classes_.empty()) return std::nullopt;
    std::vector<ModelCandidate> cands;
    V root = ev.resolve_model(model, cands);
    // Not a class, variable or function of the file: --model may name one of its Sequentials
    // (self.features), which the nn.Sequential reader finds, or lists with the others.
    if (!root) {
        if (model.empty()) return std::nullopt;
        try {
            parse_sequential_text(text, model);
        } catch (const ModelChoiceError& e) {
            // Neither reader knows the name: list the classes too.
            std::vector<ModelCandidate> all = cands;
            for (const ModelCandidate& c : e.candidates())
                all.push_back(c);
            std::string list;
            for (const ModelCandidate& c : cands)
                list += fmt::format("\n  --model {:<12} class at line {}", c.name, c.line);
            throw ModelChoiceError(e.where(),
                                   fmt::format("--model {} names no module class, variable or "
                                               "function of the file; its module classes:{}\n"
                                               "nor one of its nn.Sequentials: {}",
                                               model, list, e.what()),
                                   all);
        }
        return std::nullopt;
    }
    if (root->k != VK::Module || !Evaluator::is_submodule(root))
        throw SpecError("",
                        fmt::format("--model {} gives a {}, not a module", model, type_name(root)));
    // The input: --input, else the file's example (torch.randn(1, 3, 32, 32)).
    std::optional<Shape> input = hints.input;
    std::string note;
    if (!input) {
        pyparse::Source src(text);
        pyparse::PyStructure py = pyparse::scan_python(text);
        pyparse::Names names(src, py);
        size_t at = 0;
        bool any = std::any_of(py.calls.begin(), py.calls.end(), [](const pyparse::PyCall& c) {
            return pyparse::is_example_maker(c.name);
        });
        size_t examples =
            std::count_if(py.calls.begin(), py.calls.end(), [](const pyparse::PyCall& c) {
                return pyparse::is_example_maker(c.name);
            });
        if (any)
            input = pyparse::first_example(
                py, names, [](size_t) { return false; }, at);
        // Said when the file has several examples (one may be a target, a weight).
        if (input && examples > 1)
            note = fmt::format("the input shape {} is the file's example ({} at line {}); pass "
                               "--input to plan with another",
                               shape_x(*input), text.substr(at, text.find('(', at) - at),
                               src.line_of(at));
    }
    std::string cls_name = root->mod->cls ? root->mod->cls->name : root->mod->kind;
    if (!input)
        throw UsageError(fmt::format("no input shape: cnnshape runs {}'s forward() on an input "
                                     "of known shape; pass --input SHAPE (e.g. --input "
                                     "1x3x224x224)",
                                     cls_name));
    ev.assign_paths(root, "", 0);
    V x = mk(VK::Tensor);
    x->node = -1;
    x->shape = *input;
    Network& net = ev.net_;
    net.name = cls_name;
    net.input = input;
    if (!hints.input) net.input_note = note;
    net.mode = hints.mode.value_or(Mode::Eval);
    V out;
    try {
        ev.in_forward_ = false;
        ev.root_mod_ = root->mod;
        out = ev.call_module(root, {x}, {}, root->mod->at);
    } catch (const Stop& s) {
        net.output = s.node;
        return std::move(net);
    }
    auto set_out = [&](const V& t, const std::string& name) {
        if (t->k != VK::Tensor)
            throw SpecError("", fmt::format("forward() returns a {}: cnnshape plans tensors "
                                            "(or a tuple, list or dict of them)",
                                            type_name(t)));
        net.outputs.push_back(NetOutput{name, t->node, t->slot});
    };
    if (out->k == VK::Tuple || out->k == VK::List) {
        for (size_t i = 0; i < out->items.size(); ++i)
            set_out(out->items[i], std::to_string(i));
    } else if (out->k == VK::Dict) {
        for (size_t i = 0; i < out->keys.size(); ++i)
            set_out(out->items[i], ev.str(out->keys[i], 0));
    } else {
        set_out(out, "output");
        if (out->slot < 0) net.outputs.clear();
        net.output = out->node;
    }
    if (net.outputs.empty() && (out->k == VK::Tuple || out->k == VK::List || out->k == VK::Dict))
        throw SpecError("", "forward() returns an empty tuple");
    if (!net.outputs.empty()) net.output = net.outputs[0].node;
    // Weights forward() never uses: PyTorch's parameters() and state_dict hold them, so they
    // are planned as unused Parameter/Buffer layers; a layer whose weights cannot be found is
    // said.
    std::vector<std::string> unknown;
    std::set<const Mod*> seen;
    std::function<void(const V&)> walk = [&](const V& m) {
        if (!seen.insert(m->mod.get()).second) return;
        for (auto& [k, c] : m->mod->attrs) {
            if (c->k != VK::Module || !c->mod->has_path) continue;
            auto& cm = c->mod;
            if ((cm->kind == "Parameter" || cm->kind == "Buffer") && cm->node < 0 &&
                seen.insert(cm.get()).second) {
                bool was = ev.in_forward_;
                ev.in_forward_ = true;
                ev.param_tensor(cm, cm->at);
                ev.in_forward_ = was;
                continue;
            }
            if (!Evaluator::is_submodule(c)) continue;
            if (cm->kind == "layer" && cm->calls == 0 && seen.insert(cm.get()).second) {
                if (!ev.add_unused_weights(cm))
                    unknown.push_back(cm->path + " (" + cm->call.base_name() + ")");
                continue;
            }
            walk(c);
        }
    };
    try {
        walk(root);
    } catch (const Stop& s) {
        net.output = s.node;
        return std::move(net);
    }
    if (!unknown.empty()) {
        std::string list;
        for (size_t i = 0; i < unknown.size() && i < 6; ++i)
            list += (i ? ", " : "") + unknown[i];
        if (unknown.size() > 6) list += fmt::format(", ... ({} in all)", unknown.size());
        net.notes.push_back(fmt::format("forward() never calls {}, and cnnshape could not tell "
                                        "the shapes of its weights: they are not in the plan "
                                        "(PyTorch's model.parameters() counts them)",
                                        list));
    }
    return std::move(net);
}
} // namespace

std::optional<Network> load_module_source(const std::string& text, const std::string& model,
                                          const ReadHints& hints) {
    // The evaluator recurses (blocks in calls in blocks): on a stack of its own, its nesting
    // bound is reached before any stack limit the process may have.
    return on_deep_stack([&] { return load_module_here(text, model, hints); });
}

} // namespace cnnshape
