// Convolution as an implicit GEMM over stride phases, its cost model and tuning overrides.
#pragma once
#include "kernels/simd/gemm.hpp"
#include "kernels/simd/phases.hpp"

namespace cnnshape::kernels::simd {
namespace {

// ---------------------------------------------------------------------------------------------
// Convolution as an implicit GEMM over stride phases. The zero-padded input is split into
// sh*sw phase planes of width WQ; output (oh, ow) then reads, for tap (kh, kw), the phase plane
// of (kh*dh % sh, kw*dw % sw) at flat position q + off(tap) with q = oh*WQ + ow. So every tap is
// a fixed offset from q, for any stride and dilation, and no im2col buffer is needed.
//
// Two register-blocked micro-kernels use that layout:
//  * q-lanes: OCB output channels x QB vectors of consecutive q. Weights are broadcast. The
//    WQ - OW columns at the end of each row are computed and not stored, which costs little on
//    wide maps and works for any channel count (depthwise included).
//  * channel-lanes: P output positions x OCV vectors of output channels. Inputs are broadcast,
//    weights are aligned vector loads (K-blocked to stay in L1), and only real outputs are
//    computed. Measured slower per FLOP than q-lanes on ResNet's shapes, so the cost model only
//    picks it where q-lanes would waste much more (tiny maps).
// A cost model (padded work x load pressure) picks the kernel and its block shape per layer.

// Tuning overrides, read once: CNNSHAPE_CONV_KERNEL="kind,a,b" forces a micro-kernel (see
// CNNSHAPE_CONV_CFGS_*) and CNNSHAPE_CONV_KERNEL=gemm the GEMM over the phase planes (any k x k
// layer; CNNSHAPE_GEMM_BLOCK in kernels/simd/gemm.hpp sets its blocking), CNNSHAPE_CONV_ORDER=
// pos|ch the loop order, CNNSHAPE_CONV_DEBUG=1 prints each convolution's choice to stderr. None
// changes a bit of the output. bench/README.md shows how they were used.
struct ConvTuning {
    const char* kernel = std::getenv("CNNSHAPE_CONV_KERNEL");
    const char* order = std::getenv("CNNSHAPE_CONV_ORDER");
    bool debug = std::getenv("CNNSHAPE_CONV_DEBUG") != nullptr;
};
inline const ConvTuning& conv_tuning() {
    static const ConvTuning t;
    return t;
}

struct ConvProblem {
    Geom2 g;
    i64 G, CPG, OPG, KT, WQ, HQ, Q, PS, nph;
    const float* w;
    const float* bias;
    const ConvEpilogue* ep = nullptr; // applied before each store (fused BatchNorm/ReLU)
};

// Zero-padded phase planes of image n for every input channel: [c][phase][PS].
template <class Arch>
void prepare_input(const Context& ctx, const ConvProblem& pb, const float* xn, float* xq,
                   const bool* used_phase) {
    const Geom2& g = pb.g;
    const i64 ic_stride = pb.nph * pb.PS;
    RowSplit split[kMaxStride]; // per row phase ah (the column split is the same, `used` differs)
    for (i64 ah = 0; ah < g.sh; ++ah)
        split[ah].init(g.W, g.pw, g.sw, pb.WQ, used_phase + ah * g.sw);
    parallel_for(ctx.threads, g.C, grain_for(g.H * g.W), [&](i64 c0, i64 c1) {
        for (i64 c = c0; c < c1; ++c) {
            float* base = xq + c * ic_stride;
            const float* xc = xn + c * g.H * g.W;
            for (i64 ah = 0; ah < g.sh; ++ah) {
                bool any = false;
                for (i64 aw = 0; aw < g.sw; ++aw)
                    any = any || used_phase[ah * g.sw + aw];
                if (!any) continue;
                for (i64 i = 0; i < pb.HQ; ++i) {
                    const i64 r = i * g.sh + ah - g.ph;
                    float* dst = base + ah * g.sw * pb.PS + i * pb.WQ;
                    if (r < 0 || r >= g.H) {
                        for (i64 aw = 0; aw < g.sw; ++aw)
                            if (used_phase[ah * g.sw + aw])
                                std::memset(dst + aw * pb.PS, 0,
                                            std::size_t(pb.WQ) * sizeof(float));
                        continue;
                    }
                    split[ah].fill_pad(dst, pb.PS, 0.0f, used_phase + ah * g.sw);
                    split[ah].copy<Arch>(xc + r * g.W, dst, pb.PS, used_phase + ah * g.sw);
                }
                for (i64 aw = 0; aw < g.sw; ++aw)
                    if (used_phase[ah * g.sw + aw])
                        std::memset(base + (ah * g.sw + aw) * pb.PS + pb.HQ * pb.WQ, 0,
                                    std::size_t(pb.PS - pb.HQ * pb.WQ) * sizeof(float));
            }
        }
    });
}

// Loop order, shared by both kernels. Position blocks outer: a block's input stays in L1 while
// every channel block runs over it, and the weights are re-read from L2 per block; that wins
// while a group's weights fit comfortably in L2 (measured on ResNet layers). Larger weights:
// channel blocks outer, each block's weights read once and the input re-read from L2.
inline bool positions_outer(double weight_floats) {
    if (const char* o = conv_tuning().order) return o[0] == 'p';
    return weight_floats * sizeof(float) <= double(1 << 20);
}

// --- q-lanes ---------------------------------------------------------------------------------

struct StoreSeg {
    i64 shift;          // destination = q - shift
    std::uint32_t mask; // lanes that belong to this output row and are real outputs
};

// Where each vector of a q-block goes: the lanes of one output row form one segment.
template <int QB, int V>
struct StorePlan {
    StoreSeg segs[QB][V + 1];
    int nseg[QB];

    void plan(i64 q0, i64 WQ, i64 OH, i64 OW) {
        for (int j = 0; j < QB; ++j) {
            nseg[j] = 0;
            i64 cur_row = -1;
            StoreSeg* seg = nullptr;
            for (int l = 0; l < V; ++l) {
                const i64 q = q0 + j * V + l;
                const i64 r = q / WQ, c = q % WQ;
                if (r >= OH || c >= OW) continue;
                if (r != cur_row) {
                    seg = &segs[j][nseg[j]++];
                    *seg = {r * (WQ - OW), 0u};
                    cur_row = r;
                }
                seg->mask |= 1u << l;
            }
        }
    }
};

// Weights either packed ([ic][tap][OCB], DIRECT = false) or read in place from PyTorch's
// [oc][ic][kh][kw] layout (DIRECT = true, rows `wrow` floats apart).
// A fused conv's epilogue for one output channel: BatchNorm's fma, then ReLU (the SIMD
// elementwise kernel's select: NaN and -0 pass through), as the separate kernels compute them.
template <class Arch>
inline fbatch<Arch> epilogue(fbatch<Arch> v, const ConvEpilogue* ep, i64 oc) {
    using B = fbatch<Arch>;
    if (!ep) return v;
    if (ep->alpha) v = madd<Arch>(v, B(ep->alpha[oc]), B(ep->beta[oc]));
    if (ep->relu) v = xsimd::select(v < B(0.0f), B(0.0f), v);
    return v;
}
inline float epilogue1(float v, const ConvEpilogue* ep, i64 oc) {
    if (!ep) return v;
    if (ep->alpha) v = std::fma(v, ep->alpha[oc], ep->beta[oc]);
    if (ep->relu) v = v < 0.0f ? 0.0f : v;
    return v;
}

template <class Arch, int OCB, int QB, bool DIRECT>
void qlane_block(const float* xq, i64 ic_stride, const i64* tap_off, i64 KT, i64 CPG,
                 const float* wblk, i64 wrow, const float* bias, int nvalid, float* yb, i64 ystride,
                 i64 q0, const StorePlan<QB, int(fbatch<Arch>::size)>& sp, const ConvEpilogue* ep,
                 i64 oc_base) {
    using B = fbatch<Arch>;
    constexpr int V = int(B::size);
    B acc[OCB][QB];
#pragma GCC unroll 32
    for (int o = 0; o < OCB; ++o) {
        B init(bias && o < nvalid ? bias[o] : 0.0f);
#pragma GCC unroll 8
        for (int j = 0; j < QB; ++j)
            acc[o][j] = init;
    }
    const float* wp = wblk;
    for (i64 ic = 0; ic < CPG; ++ic) {
        const float* xc = xq + ic * ic_stride;
        for (i64 t = 0; t < KT; ++t) {
            const float* xt = xc + tap_off[t];
            B xv[QB];
#pragma GCC unroll 8
            for (int j = 0; j < QB; ++j)
                xv[j] = B::load_unaligned(xt + j * V);
#pragma GCC unroll 32
            for (int o = 0; o < OCB; ++o) {
                B wv(DIRECT ? wp[o * wrow] : wp[o]);
#pragma GCC unroll 8
                for (int j = 0; j < QB; ++j)
                    acc[o][j] = madd<Arch>(xv[j], wv, acc[o][j]);
            }
            wp += DIRECT ? 1 : OCB;
        }
    }
    for (int o = 0; o < OCB; ++o) {
        if (o >= nvalid) break;
        float* yo = yb + o * ystride;
        for (int j = 0; j < QB; ++j)
            for (int s = 0; s < sp.nseg[j]; ++s) {
                const StoreSeg& sg = sp.segs[j][s];
                store_lanes<Arch>(yo + q0 + j * V - sg.shift,
                                  epilogue<Arch>(acc[o][j], ep, oc_base + o), sg.mask);
            }
    }
}

template <class Arch, int OCB, int QB>
void qlane_run(const Context& ctx, const ConvProblem& pb, const float* x, float* y,
               const i64* tap_off, const bool* used_phase) {
    using B = fbatch<Arch>;
    constexpr int V = int(B::size);
    constexpr i64 QBV = i64(QB) * V;
    const Geom2& g = pb.g;
    const i64 nob = ceil_div(pb.OPG, OCB), nqb = ceil_div(pb.Q, QBV);
    const i64 ic_stride = pb.nph * pb.PS;
    const i64 K = pb.CPG * pb.KT;
    const i64 wblk_size = K * OCB;

    // Packing reads and writes every weight once. With few output positions per weight that
    // is a large share of the work, so full blocks are then read in place (OCB row streams);
    // a partial last block is always packed.
    const bool direct = pb.Q < 128;
    float* wpk = scratch_as<float>(kShared1, pb.G * nob * wblk_size);
    parallel_for(ctx.threads, pb.G * nob, grain_for(wblk_size), [&](i64 b0, i64 b1) {
        for (i64 b = b0; b < b1; ++b) {
            const i64 gi = b / nob, ob = b % nob;
            float* dst = wpk + b * wblk_size;
            const int nvalid = int(std::min<i64>(OCB, pb.OPG - ob * OCB));
            const float* src = pb.w + (gi * pb.OPG + ob * OCB) * K;
            if (nvalid == OCB) {
                if (direct) continue;
                for (i64 k = 0; k < K; ++k)
                    for (int o = 0; o < OCB; ++o)
                        dst[k * OCB + o] = src[o * K + k];
            } else {
                for (i64 k = 0; k < K; ++k)
                    for (int o = 0; o < OCB; ++o)
                        dst[k * OCB + o] = o < nvalid ? src[o * K + k] : 0.0f;
            }
        }
    });

    float* xq = scratch_as<float>(kShared0, g.C * ic_stride);
    const i64 plane_out = g.OH * g.OW;
    const bool q_outer = positions_outer(double(K * round_up(pb.OPG, OCB)));
    using Plan = StorePlan<QB, V>;
    for (i64 n = 0; n < g.N; ++n) {
        prepare_input<Arch>(ctx, pb, x + n * g.C * g.H * g.W, xq, used_phase);
        float* yn = y + n * g.OC * plane_out;
        auto block = [&](i64 gi, i64 qb, i64 ob, const Plan& sp) {
            const i64 oc0 = ob * OCB;
            const int nvalid = int(std::min<i64>(OCB, pb.OPG - oc0));
            const float* xb = xq + gi * pb.CPG * ic_stride + qb * QBV;
            const float* bb = pb.bias ? pb.bias + gi * pb.OPG + oc0 : nullptr;
            float* yb = yn + (gi * pb.OPG + oc0) * plane_out;
            if (direct && nvalid == OCB)
                qlane_block<Arch, OCB, QB, true>(xb, ic_stride, tap_off, pb.KT, pb.CPG,
                                                 pb.w + (gi * pb.OPG + oc0) * K, K, bb, nvalid, yb,
                                                 plane_out, qb * QBV, sp, pb.ep, gi * pb.OPG + oc0);
            else
                qlane_block<Arch, OCB, QB, false>(
                    xb, ic_stride, tap_off, pb.KT, pb.CPG, wpk + (gi * nob + ob) * wblk_size, 0, bb,
                    nvalid, yb, plane_out, qb * QBV, sp, pb.ep, gi * pb.OPG + oc0);
        };
        if (q_outer) {
            parallel_for(ctx.threads, pb.G * nqb, grain_for(K * round_up(pb.OPG, OCB) * QBV),
                         [&](i64 t0, i64 t1) {
                             Plan sp;
                             for (i64 t = t0; t < t1; ++t) {
                                 const i64 gi = t / nqb, qb = t % nqb;
                                 sp.plan(qb * QBV, pb.WQ, g.OH, g.OW);
                                 for (i64 ob = 0; ob < nob; ++ob)
                                     block(gi, qb, ob, sp);
                             }
                         });
        } else {
            parallel_for(ctx.threads, pb.G * nob, grain_for(K * OCB * nqb * QBV),
                         [&](i64 t0, i64 t1) {
                             Plan sp;
                             for (i64 t = t0; t < t1; ++t) {
                                 const i64 gi = t / nob, ob = t % nob;
                                 for (i64 qb = 0; qb < nqb; ++qb) {
                                     sp.plan(qb * QBV, pb.WQ, g.OH, g.OW);
                                     block(gi, qb, ob, sp);
                                 }
                             }
                         });
        }
    }
}

// --- channel-lanes ---------------------------------------------------------------------------

// P output positions (offsets pix[p] into the phase planes) x OCV*V output channels, over `nic`
// input channels. Weights packed [ic][tap][OCV*V]. Starts from acc_in (partial sums of earlier
// input channels) or from `bias` (OCV*V values) or zero, and writes acc_out as [p][channel].
template <class Arch, int P, int OCV>
void clane_block(const float* xq, i64 ic_stride, const i64* tap_off, i64 KT, i64 nic,
                 const i64* pix, const float* wblk, const float* acc_in, const float* bias,
                 float* acc_out) {
    using B = fbatch<Arch>;
    constexpr int V = int(B::size);
    B acc[P][OCV];
    if (acc_in) {
#pragma GCC unroll 32
        for (int p = 0; p < P; ++p)
#pragma GCC unroll 8
            for (int v = 0; v < OCV; ++v)
                acc[p][v] = B::load_aligned(acc_in + (p * OCV + v) * V);
    } else {
#pragma GCC unroll 8
        for (int v = 0; v < OCV; ++v) {
            B init = bias ? B::load_unaligned(bias + v * V) : B(0.0f);
#pragma GCC unroll 32
            for (int p = 0; p < P; ++p)
                acc[p][v] = init;
        }
    }
    i64 po[P];
#pragma GCC unroll 32
    for (int p = 0; p < P; ++p)
        po[p] = pix[p];
    const float* wp = wblk;
    for (i64 ic = 0; ic < nic; ++ic) {
        const float* xc = xq + ic * ic_stride;
        for (i64 t = 0; t < KT; ++t) {
            const float* xt = xc + tap_off[t];
            B wv[OCV];
#pragma GCC unroll 8
            for (int v = 0; v < OCV; ++v)
                wv[v] = B::load_aligned(wp + v * V);
#pragma GCC unroll 32
            for (int p = 0; p < P; ++p) {
                B xv(xt[po[p]]);
#pragma GCC unroll 8
                for (int v = 0; v < OCV; ++v)
                    acc[p][v] = madd<Arch>(wv[v], xv, acc[p][v]);
            }
            wp += OCV * V;
        }
    }
#pragma GCC unroll 32
    for (int p = 0; p < P; ++p)
#pragma GCC unroll 8
        for (int v = 0; v < OCV; ++v)
            acc[p][v].store_aligned(acc_out + (p * OCV + v) * V);
}

// dst[k * OCB + o] = src[o * K + k0 + k] for o < nvalid, else 0; k < kn.
template <class Arch>
void pack_rows_to_cols(const float* src, i64 K, int nvalid, int OCB, i64 k0, i64 kn, float* dst) {
    constexpr int V = int(fbatch<Arch>::size);
    for (int o0 = 0; o0 < OCB; o0 += V) {
        i64 k = 0;
        if (o0 + V <= nvalid) {
            alignas(64) float t[V * V];
            for (; k + V <= kn; k += V) {
                transpose_block<Arch>(src + o0 * K + k0 + k, K, t);
                for (int j = 0; j < V; ++j)
                    for (int l = 0; l < V; ++l)
                        dst[(k + j) * OCB + o0 + l] = t[j * V + l];
            }
        }
        for (; k < kn; ++k)
            for (int o = o0; o < o0 + V; ++o)
                dst[k * OCB + o] = o < nvalid ? src[o * K + k0 + k] : 0.0f;
    }
}

template <class Arch, int P, int OCV>
void clane_run(const Context& ctx, const ConvProblem& pb, const float* x, float* y,
               const i64* tap_off, const bool* used_phase) {
    using B = fbatch<Arch>;
    constexpr int V = int(B::size);
    constexpr int OCB = OCV * V;
    const Geom2& g = pb.g;
    const i64 K = pb.CPG * pb.KT;
    const i64 nob = ceil_div(pb.OPG, OCB);
    const i64 plane_out = g.OH * g.OW;
    const i64 npb = ceil_div(plane_out, P);
    const i64 ic_stride = pb.nph * pb.PS;
    // K-blocking: a chunk of input channels whose weights (~16 KB) stay in L1 while up to PBC
    // position blocks use them; partial sums wait in a per-task buffer.
    const i64 kc_ic = std::max<i64>(1, 4096 / (pb.KT * OCB));
    const i64 nchunks = ceil_div(pb.CPG, kc_ic);
    const i64 PBC = std::min<i64>(npb, 16);
    const i64 npc = ceil_div(npb, PBC);
    // Large maps reuse each weight chunk in many tasks: pack once. Small maps transpose each
    // chunk on the fly into L1 (no extra pass over the weights).
    const bool packed = npc > 2;
    float* wpk = nullptr;
    if (packed) {
        wpk = scratch_as<float>(kShared1, pb.G * nob * K * OCB);
        parallel_for(ctx.threads, pb.G * nob, grain_for(K * OCB), [&](i64 b0, i64 b1) {
            for (i64 b = b0; b < b1; ++b) {
                const i64 gi = b / nob, ob = b % nob;
                const int nvalid = int(std::min<i64>(OCB, pb.OPG - ob * OCB));
                pack_rows_to_cols<Arch>(pb.w + (gi * pb.OPG + ob * OCB) * K, K, nvalid, OCB, 0, K,
                                        wpk + b * K * OCB);
            }
        });
    }

    float* xq = scratch_as<float>(kShared0, g.C * ic_stride);
    for (i64 n = 0; n < g.N; ++n) {
        prepare_input<Arch>(ctx, pb, x + n * g.C * g.H * g.W, xq, used_phase);
        float* yn = y + n * g.OC * plane_out;
        parallel_for(
            ctx.threads, pb.G * nob * npc, grain_for(K * OCB * PBC * P), [&](i64 t0, i64 t1) {
                float* accbuf = scratch_as<float>(kPrivate0, PBC * P * OCB + OCB);
                float* bias_blk = accbuf + PBC * P * OCB;
                float* wbuf = packed ? nullptr : scratch_as<float>(kPrivate1, kc_ic * pb.KT * OCB);
                for (i64 t = t0; t < t1; ++t) {
                    const i64 pc = t % npc, ob = (t / npc) % nob, gi = t / (npc * nob);
                    const i64 oc0 = ob * OCB;
                    const int nvalid = int(std::min<i64>(OCB, pb.OPG - oc0));
                    const i64 blk0 = pc * PBC, nblk = std::min(PBC, npb - blk0);
                    for (int o = 0; o < OCB; ++o)
                        bias_blk[o] = pb.bias && o < nvalid ? pb.bias[gi * pb.OPG + oc0 + o] : 0.0f;
                    const float* wrows = pb.w + (gi * pb.OPG + oc0) * K;
                    for (i64 c = 0; c < nchunks; ++c) {
                        const i64 ic0 = c * kc_ic, nic = std::min(kc_ic, pb.CPG - ic0);
                        const float* wchunk;
                        if (packed) {
                            wchunk = wpk + ((gi * nob + ob) * K + ic0 * pb.KT) * OCB;
                        } else {
                            pack_rows_to_cols<Arch>(wrows, K, nvalid, OCB, ic0 * pb.KT, nic * pb.KT,
                                                    wbuf);
                            wchunk = wbuf;
                        }
                        for (i64 bi = 0; bi < nblk; ++bi) {
                            const i64 p0 = (blk0 + bi) * P;
                            const int np = int(std::min<i64>(P, plane_out - p0));
                            i64 pix[P];
                            for (int p = 0; p < P; ++p) {
                                const i64 i = p0 + std::min(p, np - 1);
                                pix[p] = (i / g.OW) * pb.WQ + i % g.OW;
                            }
                            float* acc = accbuf + bi * P * OCB;
                            clane_block<Arch, P, OCV>(xq + (gi * pb.CPG + ic0) * ic_stride,
                                                      ic_stride, tap_off, pb.KT, nic, pix, wchunk,
                                                      c == 0 ? nullptr : acc,
                                                      pb.bias ? bias_blk : nullptr, acc);
                        }
                    }
                    for (i64 bi = 0; bi < nblk; ++bi) {
                        const i64 p0 = (blk0 + bi) * P;
                        const int np = int(std::min<i64>(P, plane_out - p0));
                        const float* acc = accbuf + bi * P * OCB;
                        float* yb = yn + (gi * pb.OPG + oc0) * plane_out + p0;
                        for (int o = 0; o < nvalid; ++o)
                            for (int p = 0; p < np; ++p)
                                yb[o * plane_out + p] =
                                    epilogue1(acc[p * OCB + o], pb.ep, gi * pb.OPG + oc0 + o);
                    }
                }
            });
    }
}

// --- 1x1 convolution as a GEMM -----------------------------------------------------------------

// out[n, g, oc, p] = W[g, oc, ic] * x[n, g, ic, p(stride)] + bias: kernels/simd/gemm.hpp, weights
// read in place, no im2col (stride 1 reads x's rows as B's; a stride gathers them while packing).
// Each output is the bias, then one FMA per input channel in order: the bits of the q-lane and
// channel-lane kernels.
struct BStrided1x1 {
    const float* x;
    i64 plane, W, OW, sh, sw;
    bool contiguous() const { return sh == 1 && sw == 1; }
    bool transposed() const { return false; }
    const float* row(i64 k) const { return x + k * plane; }
    const float* col(i64) const { return nullptr; }
    i64 col_ld() const { return 0; }
    void pack(i64 k, i64 j0, int n, float* dst) const {
        const float* xc = x + k * plane;
        if (sh == 1 && sw == 1) { // OW = W: x's channel row itself
            std::memcpy(dst, xc + j0, std::size_t(n) * sizeof(float));
            return;
        }
        i64 r = j0 / OW, c = j0 % OW;
        for (int j = 0; j < n; ++j) {
            dst[j] = xc[r * sh * W + c * sw];
            if (++c == OW) c = 0, ++r;
        }
    }
};

template <class Arch>
struct ConvFinish {
    const ConvEpilogue* ep;
    fbatch<Arch> operator()(fbatch<Arch> v, i64 oc) const { return epilogue<Arch>(v, ep, oc); }
};

template <class Arch>
void conv1x1_gemm(const Context& ctx, const ConvProblem& pb, const float* x, float* y) {
    const Geom2& g = pb.g;
    const i64 plane_in = g.H * g.W, plane_out = g.OH * g.OW;
    GemmArgs shape;
    shape.M = pb.OPG, shape.N = plane_out, shape.K = pb.CPG;
    auto setup = [&](i64 bi, GemmArgs& a) {
        const i64 n = bi / pb.G, gi = bi % pb.G;
        a.a = pb.w + gi * pb.OPG * pb.CPG, a.lda = pb.CPG;
        a.c = y + (n * g.OC + gi * pb.OPG) * plane_out, a.ldc = plane_out;
        a.row_bias = pb.bias ? pb.bias + gi * pb.OPG : nullptr;
        a.row0 = gi * pb.OPG;
        return BStrided1x1{x + (n * g.C + gi * pb.CPG) * plane_in, plane_in, g.W, g.OW, g.sh, g.sw};
    };
    gemm_run<Arch>(ctx, g.N * pb.G, shape, setup, ConvFinish<Arch>{pb.ep});
}

// --- k x k convolution as a GEMM over the phase planes -------------------------------------------

// B(k = ic * KT + tap, j = q) = the phase planes at q + off(tap): an implicit im2col, packed
// panel by panel (each row of B is a run of a plane). C is [oc][q] with the WQ - OW columns past
// each row computed and then dropped when the rows are copied out. Each output is its bias, then
// one FMA per (ic, tap) in that order: the q-lane kernel's bits.
struct BPhases {
    const float* xq;
    const i64* tap_off;
    i64 KT, ic_stride;
    bool contiguous() const { return true; }
    bool transposed() const { return false; }
    const float* row(i64 k) const { return xq + (k / KT) * ic_stride + tap_off[k % KT]; }
    const float* col(i64) const { return nullptr; }
    i64 col_ld() const { return 0; }
    void pack(i64 k, i64 j0, int n, float* dst) const {
        std::memcpy(dst, row(k) + j0, std::size_t(n) * sizeof(float));
    }
};

template <class Arch>
void conv_phases_gemm(const Context& ctx, const ConvProblem& pb, const float* x, float* y,
                      const i64* tap_off, const bool* used_phase) {
    const Geom2& g = pb.g;
    const i64 ic_stride = pb.nph * pb.PS, plane_out = g.OH * g.OW;
    float* xq = scratch_as<float>(kShared0, g.C * ic_stride);
    float* cq = scratch_as<float>(kShared1, g.OC * pb.Q);
    GemmArgs shape;
    shape.M = pb.OPG, shape.N = pb.Q, shape.K = pb.CPG * pb.KT;
    for (i64 n = 0; n < g.N; ++n) {
        prepare_input<Arch>(ctx, pb, x + n * g.C * g.H * g.W, xq, used_phase);
        auto setup = [&](i64 gi, GemmArgs& a) {
            a.a = pb.w + gi * pb.OPG * shape.K, a.lda = shape.K;
            a.c = cq + gi * pb.OPG * pb.Q, a.ldc = pb.Q;
            a.row_bias = pb.bias ? pb.bias + gi * pb.OPG : nullptr;
            a.row0 = gi * pb.OPG;
            return BPhases{xq + gi * pb.CPG * ic_stride, tap_off, pb.KT, ic_stride};
        };
        gemm_run<Arch>(ctx, pb.G, shape, setup, ConvFinish<Arch>{pb.ep});
        float* yn = y + n * g.OC * plane_out;
        parallel_for(ctx.threads, g.OC, grain_for(plane_out), [&](i64 c0, i64 c1) {
            for (i64 c = c0; c < c1; ++c)
                for (i64 r = 0; r < g.OH; ++r)
                    std::memcpy(yn + c * plane_out + r * g.OW, cq + c * pb.Q + r * pb.WQ,
                                std::size_t(g.OW) * sizeof(float));
        });
    }
}

// --- choosing ---------------------------------------------------------------------------------

template <int V>
constexpr bool wide_regs = V >= 16; // 32 vector registers (AVX-512)

// (kind, a, b): q-lanes (OCB, QB) and channel-lanes (P, OCV) that fit the register file.
#define CNNSHAPE_CONV_CFGS_WIDE(X)                                                                 \
    X(0, 8, 3)                                                                                     \
    X(0, 12, 2) X(0, 4, 6) X(0, 16, 1) X(0, 2, 8) X(0, 1, 8) X(1, 6, 4) X(1, 12, 2) X(1, 24, 1)
#define CNNSHAPE_CONV_CFGS_NARROW(X)                                                               \
    X(0, 4, 3) X(0, 6, 2) X(0, 2, 4) X(0, 12, 1) X(0, 1, 8) X(1, 4, 3) X(1, 6, 2) X(1, 12, 1)

struct ConvCfg {
    int kind = -1, a = 0, b = 0;
};

template <class Arch>
ConvCfg choose_conv_cfg(const ConvProblem& pb) {
    constexpr int V = int(fbatch<Arch>::size);
    ConvCfg best;
    double best_cost = 0;
    auto consider = [&](int kind, int a, int b) {
        double work, fmas = double(a) * b, loads;
        if (kind == 0) { // a = OCB, b = QB; unaligned vector loads mostly split cache lines
            work = double(round_up(pb.OPG, a)) * double(round_up(pb.Q, i64(b) * V));
            loads = a + 2.0 * b;
        } else { // a = P, b = OCV; measured slower than q-lanes when waste is equal
            work = 1.25 * double(round_up(pb.OPG, i64(b) * V)) *
                   double(round_up(pb.g.OH * pb.g.OW, a));
            loads = a + double(b);
        }
        double step = fmas; // cycles ~ max(FMAs, loads, FMA latency x 2 ports) / 2
        step = step > loads ? step : loads;
        step = step > 8.0 ? step : 8.0;
        double cost = work * step / fmas;
        if (best.kind < 0 || cost < best_cost * 0.999) {
            best = {kind, a, b};
            best_cost = cost;
        }
    };
#define CNNSHAPE_CONSIDER(K_, A_, B_) consider(K_, A_, B_);
    if constexpr (wide_regs<V>) {
        CNNSHAPE_CONV_CFGS_WIDE(CNNSHAPE_CONSIDER)
    } else {
        CNNSHAPE_CONV_CFGS_NARROW(CNNSHAPE_CONSIDER)
    }
#undef CNNSHAPE_CONSIDER
    return best;
}

template <class Arch>
bool conv_impl(const Context& ctx, const ConvDesc& d, const Shape& xs, const float* x,
               const float* w, const float* bias, const Shape& ys, float* y,
               const ConvEpilogue* ep) {
    constexpr int V = int(fbatch<Arch>::size);
    if (d.transposed || d.padding_mode != PadMode::Zeros || d.groups <= 0) return false;
    // The fused BatchNorm needs a real FMA to give the separate kernel's bits.
    if (ep && ep->alpha && !has_fma<Arch>) return false;
    ConvProblem pb;
    Geom2& g = pb.g;
    if (!spatial(d.nd, xs, ys, dims(d.kernel), dims(d.stride), dims(d.pad_l), dims(d.dilation), g))
        return false;
    if (g.N == 0 || g.OC == 0 || g.OH == 0 || g.OW == 0) return true;
    pb.G = d.groups;
    if (g.C % pb.G || g.OC % pb.G || g.C == 0) return false;
    pb.CPG = g.C / pb.G;
    pb.OPG = g.OC / pb.G;
    pb.KT = g.kh * g.kw;
    pb.HQ = g.OH + ((g.kh - 1) * g.dh) / g.sh;
    pb.WQ = g.OW + ((g.kw - 1) * g.dw) / g.sw;
    pb.Q = g.OH * pb.WQ;
    pb.nph = g.sh * g.sw;
    pb.w = w;
    pb.bias = d.bias ? bias : nullptr;
    pb.ep = ep;
    if (pb.KT > 4096 || g.sh > kMaxStride || g.sw > kMaxStride) return false;

    // 1x1 without padding, every output reading an input in range: a GEMM per image and group.
    if (pb.KT == 1 && g.ph == 0 && g.pw == 0 && (g.OH - 1) * g.sh < g.H &&
        (g.OW - 1) * g.sw < g.W && pb.OPG >= 4 && pb.OPG * pb.CPG >= 64 &&
        !(conv_tuning().kernel)) {
        if (conv_tuning().debug)
            std::fprintf(stderr, "conv %lldx%lldx%lld -> %lld, 1x1 s %lldx%lld: gemm\n",
                         (long long)g.C, (long long)g.H, (long long)g.W, (long long)g.OC,
                         (long long)g.sh, (long long)g.sw);
        conv1x1_gemm<Arch>(ctx, pb, x, y);
        return true;
    }

    ConvCfg cfg = choose_conv_cfg<Arch>(pb);
    if (const char* force = conv_tuning().kernel) {
        ConvCfg f;
        if (std::sscanf(force, "%d,%d,%d", &f.kind, &f.a, &f.b) == 3) cfg = f;
    }
    if (conv_tuning().debug)
        std::fprintf(
            stderr, "conv %lldx%lldx%lld -> %lld, k %lldx%lld s %lldx%lld: kernel %d,%d,%d\n",
            (long long)g.C, (long long)g.H, (long long)g.W, (long long)g.OC, (long long)g.kh,
            (long long)g.kw, (long long)g.sh, (long long)g.sw, cfg.kind, cfg.a, cfg.b);
    // q-lane blocks read up to one block past the last output position.
    pb.PS = round_up(pb.HQ * pb.WQ + (cfg.kind == 0 ? i64(cfg.b) * V : 0) + V, 16);

    i64 tap_off[4096];
    bool used_phase[kMaxStride * kMaxStride] = {};
    for (i64 kh = 0; kh < g.kh; ++kh)
        for (i64 kw = 0; kw < g.kw; ++kw) {
            const i64 oh = kh * g.dh, ow = kw * g.dw;
            const i64 phase = (oh % g.sh) * g.sw + ow % g.sw;
            used_phase[phase] = true;
            tap_off[kh * g.kw + kw] = phase * pb.PS + (oh / g.sh) * pb.WQ + ow / g.sw;
        }

    // Wide maps and enough channels: the GEMM (its tiles waste little past OW and OPG).
    const bool force_gemm = conv_tuning().kernel && std::strcmp(conv_tuning().kernel, "gemm") == 0;
    if (force_gemm || (pb.OPG >= 16 && pb.CPG * pb.KT >= 64 && g.OW >= 32 &&
                       pb.WQ * 8 <= g.OW * 9 && !conv_tuning().kernel)) {
        if (conv_tuning().debug) std::fprintf(stderr, "  (run as a GEMM over the phase planes)\n");
        conv_phases_gemm<Arch>(ctx, pb, x, y, tap_off, used_phase);
        return true;
    }

#define CNNSHAPE_RUN(K_, A_, B_)                                                                   \
    if (cfg.kind == K_ && cfg.a == A_ && cfg.b == B_) {                                            \
        if constexpr (K_ == 0)                                                                     \
            qlane_run<Arch, A_, B_>(ctx, pb, x, y, tap_off, used_phase);                           \
        else                                                                                       \
            clane_run<Arch, A_, B_>(ctx, pb, x, y, tap_off, used_phase);                           \
        return true;                                                                               \
    }
    if constexpr (wide_regs<V>) {
        CNNSHAPE_CONV_CFGS_WIDE(CNNSHAPE_RUN)
    } else {
        CNNSHAPE_CONV_CFGS_NARROW(CNNSHAPE_RUN)
    }
#undef CNNSHAPE_RUN
    return false;
}

// The op's entry in the kernel table (kernels/simd/table.hpp).
template <class Arch>
bool simd_kernel(const Context& ctx, const ConvDesc& d, const Io& io) {
    return conv_impl<Arch>(ctx, d, io.x_shape(), io.x(), io.param(0), io.param(1), io.out_shape,
                           io.out, nullptr);
}

// Convolution with its epilogue (kernels::conv_fused).
template <class Arch>
bool conv_fused_kernel(const Context& ctx, const ConvDesc& d, const Io& io,
                       const ConvEpilogue& ep) {
    return conv_impl<Arch>(ctx, d, io.x_shape(), io.x(), io.param(0), io.param(1), io.out_shape,
                           io.out, &ep);
}

} // namespace
} // namespace cnnshape::kernels::simd
