// The shape engine's walk over a network: construction checks for every layer, then each layer's
// infer() in order, composing receptive fields and summing the counts.
#include "cnnshape/plan.hpp"
#include "cnnshape/checked.hpp"
#include "cnnshape/compact_json.hpp"
#include "cnnshape/error.hpp"
#include "cnnshape/fault.hpp"
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unordered_map>

namespace cnnshape {

static nlohmann::ordered_json to_json(const Value& v) {
    if (v.is_none()) return nullptr;
    if (v.is_bool()) return v.as_bool();
    if (v.is_int()) return v.as_int();
    if (v.is_float()) {
        double d = v.as_float();
        if (std::isfinite(d)) return d;
        return v.repr();
    }
    if (v.is_string()) return v.as_string();
    if (v.is_tuple()) {
        auto arr = nlohmann::ordered_json::array();
        for (auto& e : v.as_tuple())
            arr.push_back(to_json(e));
        return arr;
    }
    return v.repr();
}

std::string input_ref(const std::string& name, std::int64_t slot) {
    return slot < 0 ? name : fmt::format("{}[{}]", name, slot);
}

std::string output_text(const LayerPlan& l) {
    if (!l.tuple) return shape_x(l.output);
    const auto& o = l.outputs;
    if (l.tuple_nones > 0) {
        std::string r = "(";
        for (std::size_t i = 0; i < o.size(); ++i)
            r += (i ? ", " : "") + shape_x(o[i]);
        for (std::int64_t i = 0; i < l.tuple_nones; ++i)
            r += o.empty() && i == 0 ? "None" : ", None";
        return r + ")";
    }
    if (!o.empty() && std::all_of(o.begin(), o.end(), [&](const Shape& s) { return s == o[0]; }))
        return fmt::format("{} x {}", o.size(), shape_x(o[0]));
    std::string r = "(";
    for (std::size_t i = 0; i < o.size(); ++i)
        r += (i ? ", " : "") + shape_x(o[i]);
    return r + ")";
}

nlohmann::ordered_json args_json(const Args& args) {
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    for (auto& [k, v] : args.values)
        j[k] = to_json(v);
    return j;
}

nlohmann::ordered_json LayerPlan::args_json() const {
    if (!layer) return nlohmann::ordered_json::object();
    nlohmann::ordered_json j = cnnshape::args_json(layer->args());
    for (auto& [k, v] : inferred)
        j[k] = v;
    return j;
}

namespace {

// Receptive-field state of a tensor: one entry per spatial axis, the trailing axes.size() dims.
// `known` is false only where no branch reaches (a merge of nothing).
struct RfState {
    bool known = false;
    std::vector<RfAxis> axes;
};

// What a layer does to the field, kept from infer() for the pass after the shapes are known.
struct RfStep {
    RfEffect rf = RfEffect::Keep;
    std::vector<AxisMap> axes;
    std::vector<std::int64_t> dims;
    Shape input; // the first input's shape
};

RfState apply(const RfState& in, const RfStep& out) {
    if (out.rf == RfEffect::Keep) return in;
    if (out.rf == RfEffect::Drop) return RfState{true, {}};
    const std::int64_t rank = std::int64_t(out.input.size());
    const std::int64_t ns = std::min<std::int64_t>(std::int64_t(in.axes.size()), rank);
    const std::int64_t first_spatial = rank - ns; // dims first_spatial .. rank-1 have a field
    if (out.rf == RfEffect::Reshape) {
        // Flatten(s, e) over leading, non-spatial dims leaves the spatial ones trailing;
        // merging a spatial axis into another leaves no per-axis field.
        if (out.dims.size() == 2 && out.dims[0] == out.dims[1]) return in;
        if (out.dims.size() == 2 && out.dims[1] < first_spatial) return in;
        return RfState{true, {}};
    }
    if (out.rf == RfEffect::Remove) return out.dims.at(0) < first_spatial ? in : RfState{true, {}};
    if (out.rf == RfEffect::Whole) {
        // Every output sees the whole of each listed spatial axis: its field spans all L
        // positions of the layer's input along it, the same field for every output (jump 0).
        RfState r = in;
        for (std::int64_t d : out.dims) {
            if (d < first_spatial || d >= rank) continue; // batch, channels, features
            RfAxis& a = r.axes[r.axes.size() - std::size_t(rank - d)];
            double steps = out.input[d] > 0 ? double(out.input[d] - 1) : 0.0;
            a.size += steps * a.jump;
            a.start += steps / 2 * a.jump;
            a.jump = 0;
        }
        return r;
    }
    std::size_t n = out.axes.size();
    std::vector<RfAxis> base(n);
    // Take the trailing n axes; an axis the input has no field for starts as identity.
    for (std::size_t i = 0; i < n && i < in.axes.size(); ++i)
        base[n - 1 - i] = in.axes[in.axes.size() - 1 - i];
    RfState r{true, {}};
    for (std::size_t i = 0; i < n; ++i) {
        const AxisMap& m = out.axes[i];
        RfAxis a = base[i];
        RfAxis o;
        o.size = a.size + m.grow * a.jump;
        o.jump = a.jump * m.jump;
        o.start = a.start + m.shift * a.jump;
        r.axes.push_back(o);
    }
    return r;
}

RfState merge(const std::vector<const RfState*>& states) {
    RfState r;
    for (auto* s : states) {
        if (!s->known) continue;
        if (!r.known) {
            r = *s;
            continue;
        }
        std::size_t n = std::min(r.axes.size(), s->axes.size());
        std::vector<RfAxis> m(n);
        for (std::size_t i = 0; i < n; ++i) {
            const RfAxis& a = r.axes[r.axes.size() - n + i];
            const RfAxis& b = s->axes[s->axes.size() - n + i];
            m[i] = RfAxis{std::max(a.size, b.size), std::max(a.jump, b.jump),
                          std::min(a.start, b.start)};
        }
        r.axes = m;
    }
    return r;
}

} // namespace

Plan make_plan(const Network& net, const Shape& input) {
    fault_point("make_plan");
    Plan plan;
    plan.name = net.name;
    plan.mode = net.mode;
    plan.input = input;
    InferContext ctx;
    ctx.mode = net.mode;

    // PyTorch builds every module before it runs any: construction errors come first.
    for (std::size_t i = 0; i < net.nodes.size(); ++i) {
        const Node& n = net.nodes[i];
        try {
            n.layer->check_construct();
        } catch (const ShapeError& e) {
            throw LayerError(i, n.name, n.layer->type(), e.what());
        }
    }

    // Which layers reach an output: walked back from each output.
    std::vector<NetOutput> outs = net.outputs;
    if (outs.empty()) outs.push_back(NetOutput{"", net.output, -1});
    std::vector<char> used(net.nodes.size(), 0);
    for (const NetOutput& o : outs)
        if (o.node >= 0) used[o.node] = 1;
    for (std::size_t i = net.nodes.size(); i-- > 0;)
        if (used[i])
            for (std::int64_t in : net.nodes[i].inputs)
                if (in >= 0) used[in] = 1;

    std::vector<std::vector<Shape>> shapes(net.nodes.size()); // each node's outputs
    std::vector<bool> tuples(net.nodes.size(), false);
    std::vector<RfStep> steps(net.nodes.size());
    auto name_of = [&](std::int64_t idx) {
        return idx < 0 ? std::string("input") : net.nodes[idx].name;
    };
    Totals& t = plan.totals;
    try {
        t.input_bytes = checked_mul(numel(input), 4);
    } catch (const ShapeError&) {
        throw UsageError("the input shape " + shape_x(input) +
                         " is too large: its float32 bytes do not fit in 64 bits");
    }
    // The state_dict's keys and shapes so far, when a layer uses another's tensors.
    bool any_shared = std::any_of(net.nodes.begin(), net.nodes.end(),
                                  [](const Node& n) { return !n.shared.empty(); });
    std::unordered_map<std::string, Shape> held;
    for (std::size_t i = 0; i < net.nodes.size(); ++i) {
        const Node& n = net.nodes[i];
        LayerPlan lp;
        lp.index = i;
        lp.init_order = n.init_order;
        lp.name = n.name;
        lp.type = n.layer->type();
        lp.where = n.where;
        lp.assumed = n.assumed;
        lp.input_nodes = n.inputs;
        LayerOutput out;
        Lowering lower;
        try {
            for (std::size_t k = 0; k < n.inputs.size(); ++k) {
                std::int64_t idx = n.inputs[k];
                std::int64_t slot = k < n.slots.size() ? n.slots[k] : -1;
                lp.input_slots.push_back(slot);
                lp.inputs.push_back(input_ref(name_of(idx), slot));
                if (idx < 0) {
                    lp.input_shapes.push_back(input);
                    continue;
                }
                const auto& elems = shapes[idx];
                if (slot < 0 && tuples[idx])
                    throw ShapeError(fmt::format(
                        "'{}' returns a tuple of {} tensors: take one by index, as \"{}\"",
                        name_of(idx), elems.size(), input_ref(name_of(idx), 0)));
                if (slot >= std::int64_t(elems.size()))
                    throw ShapeError(fmt::format("tuple index out of range: '{}' returns {} "
                                                 "tensor{}, so \"{}\" does not exist",
                                                 name_of(idx), elems.size(),
                                                 elems.size() == 1 ? "" : "s",
                                                 input_ref(name_of(idx), slot)) +
                                     net.nodes[idx].layer->tuple_index_note(slot));
                lp.input_shapes.push_back(elems[slot < 0 ? 0 : slot]);
            }
            InferContext lctx = ctx;
            for (std::size_t k = 0; k < n.inputs.size(); ++k) {
                std::size_t j = 0;
                while (j < k &&
                       (n.inputs[j] != n.inputs[k] || lp.input_slots[j] != lp.input_slots[k]))
                    ++j;
                lctx.same_as.push_back(j);
            }
            out = n.layer->infer(lp.input_shapes, lctx, lower);
            lp.tuple = n.layer->returns_tuple();
            if (!lp.tuple) out.tuple = {out.shape};
            lp.output_bytes = 0;
            for (const Shape& s : out.tuple)
                lp.output_bytes = checked_add(lp.output_bytes, checked_mul(numel(s), 4));
        } catch (const ShapeError& e) {
            throw LayerError(i, n.name, n.layer->type(), e.what());
        }
        lp.brief = n.layer->brief();
        lp.layer = n.layer;
        lp.inferred = std::move(out.inferred);
        for (auto& [k, v] : lp.inferred) {
            // Show the filled-in count where the brief had "?".
            auto q = lp.brief.find('?');
            if (q != std::string::npos) lp.brief.replace(q, 1, std::to_string(v));
        }
        lp.output = out.shape;
        lp.used = used[i] != 0;
        lp.params = out.params;
        lp.trainable_params = n.trainable && !out.frozen ? out.params : 0;
        lp.buffers = out.buffers;
        lp.buffer_bytes = out.buffer_bytes;
        lp.macs = out.macs;
        lp.exec = std::move(lower.exec);
        lp.tensors = std::move(lower.tensors);
        for (const Node::SharedTensor& sh : n.shared) {
            auto t = std::find_if(lp.tensors.begin(), lp.tensors.end(),
                                  [&](const TensorSpec& s) { return s.name == sh.tensor; });
            if (t == lp.tensors.end()) continue;
            if (sh.key.empty()) { // a tensor the layer does not have (F.batch_norm's count)
                std::int64_t k = numel(t->shape);
                (t->is_buffer ? lp.buffers : lp.params) -= k;
                if (t->is_buffer)
                    lp.buffer_bytes -= k * (t->is_int64 ? 8 : 4);
                else if (lp.trainable_params)
                    lp.trainable_params -= k;
                lp.tensors.erase(t);
                continue;
            }
            auto h = held.find(sh.key);
            if (h == held.end())
                throw LayerError(
                    i, n.name, n.layer->type(),
                    fmt::format("its {} is '{}', which no earlier layer holds", sh.tensor, sh.key));
            if (h->second != t->shape)
                throw LayerError(i, n.name, n.layer->type(),
                                 fmt::format("its {} is '{}' of shape {}, but this call needs "
                                             "one of shape {}",
                                             sh.tensor, sh.key, shape_torch(h->second),
                                             shape_torch(t->shape)));
            t->shared_key = sh.key;
            // counted where it is held
            std::int64_t k = numel(t->shape);
            if (t->is_buffer) {
                lp.buffers -= k;
                lp.buffer_bytes -= k * (t->is_int64 ? 8 : 4);
            } else {
                lp.params -= k;
                if (lp.trainable_params) lp.trainable_params -= k;
            }
        }
        if (any_shared)
            for (const TensorSpec& t : lp.tensors)
                if (t.shared_key.empty())
                    held[t.name.empty() ? lp.name : lp.name + "." + t.name] = t.shape;
        steps[i] = RfStep{out.rf, std::move(out.axes), std::move(out.rf_dims),
                          lp.input_shapes.empty() ? Shape{} : lp.input_shapes[0]};
        lp.outputs = out.tuple;
        lp.tuple_nones = out.tuple_nones;
        tuples[i] = lp.tuple;
        shapes[i] = std::move(out.tuple);
        try {
            t.params = checked_add(t.params, lp.params);
            t.trainable_params = checked_add(t.trainable_params, lp.trainable_params);
            t.buffers = checked_add(t.buffers, lp.buffers);
            t.buffer_bytes = checked_add(t.buffer_bytes, lp.buffer_bytes);
            if (lp.used) {
                t.macs = checked_add(t.macs, lp.macs);
                t.activation_bytes = checked_add(t.activation_bytes, lp.output_bytes);
            }
            // Checked here so an overflow names the layer (a LayerError, not a bare ShapeError).
            t.param_bytes = checked_mul(t.params, 4);
        } catch (const ShapeError& e) {
            throw LayerError(i, n.name, n.layer->type(), std::string(e.what()) + " (totals)");
        }
        plan.layers.push_back(std::move(lp));
    }
    t.non_trainable_params = t.params - t.trainable_params;
    for (const NetOutput& o : outs) {
        PlanOutput po{o.name, o.node, o.slot, input};
        if (o.node >= 0) {
            const LayerPlan& l = plan.layers[o.node];
            if (o.slot >= std::int64_t(l.outputs.size()))
                throw LayerError(o.node, l.name, l.type,
                                 fmt::format("tuple index out of range: '{}' returns {} tensor{}, "
                                             "so the output \"{}\" does not exist",
                                             l.name, l.outputs.size(),
                                             l.outputs.size() == 1 ? "" : "s",
                                             input_ref(l.name, o.slot)));
            po.shape = o.slot < 0 ? l.output : l.outputs[o.slot];
        }
        plan.outputs.push_back(std::move(po));
    }
    plan.output = plan.outputs[0].shape;

    // Receptive fields, once every shape is known. Each output position of the network input sees
    // itself: a field of 1 along each spatial axis, and the spatial axes are those the first
    // windowed layer works on (2 for Conv2d, batched or not); with no windowed layer, the dims
    // after (N, C). So an elementwise first layer shows 1x1.
    std::size_t spatial = input.size() > 2 ? input.size() - 2 : 0;
    for (const RfStep& st : steps)
        if (st.rf == RfEffect::Map) {
            spatial = std::min(st.axes.size(), st.input.size());
            break;
        }
    RfState input_rf{true, std::vector<RfAxis>(spatial)};
    std::vector<RfState> rfs(net.nodes.size());
    for (std::size_t i = 0; i < net.nodes.size(); ++i) {
        std::vector<const RfState*> in_rf;
        for (auto idx : net.nodes[i].inputs)
            in_rf.push_back(idx < 0 ? &input_rf : &rfs[idx]);
        rfs[i] = apply(merge(in_rf), steps[i]);
        if (rfs[i].known) plan.layers[i].rf = rfs[i].axes;
    }
    return plan;
}

std::int64_t Plan::unused_layers() const {
    return std::count_if(layers.begin(), layers.end(), [](const LayerPlan& l) { return !l.used; });
}

} // namespace cnnshape
