// Layouts of activations (channels-first ONNX vs channels-last IR) and transforms of constants.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <numeric>

#include "frontends/onnx/importer.h"

namespace tachyon::frontends::onnx_import {

std::vector<int64_t> iota_perm(size_t n) {
  std::vector<int64_t> p(n);
  std::iota(p.begin(), p.end(), int64_t{0});
  return p;
}

std::vector<int64_t> channels_last_perm(size_t rank) {
  std::vector<int64_t> p;
  for (size_t i = 1; i < rank; ++i) p.push_back(static_cast<int64_t>(i));
  if (rank > 0) p.push_back(0);
  return p;
}

Layout normalize(const Layout& l) {
  if (l.perm.empty() || l.perm.size() != l.src.size()) return {};
  // Drop size-1 axes.
  std::vector<int64_t> new_index(l.src.size(), -1);
  ir::Shape src;
  for (size_t i = 0; i < l.src.size(); ++i)
    if (l.src[i] != 1) {
      new_index[i] = static_cast<int64_t>(src.size());
      src.push_back(l.src[i]);
    }
  std::vector<int64_t> perm;
  for (int64_t p : l.perm)
    if (new_index[static_cast<size_t>(p)] >= 0) perm.push_back(new_index[static_cast<size_t>(p)]);
  // Merge source axes a, a+1 that stay adjacent (in that order) in the permutation.
  for (bool merged = true; merged;) {
    merged = false;
    for (size_t j = 0; j + 1 < perm.size(); ++j) {
      if (perm[j + 1] != perm[j] + 1) continue;
      const int64_t a = perm[j];
      src[static_cast<size_t>(a)] *= src[static_cast<size_t>(a) + 1];
      src.erase(src.begin() + a + 1);
      perm.erase(perm.begin() + static_cast<std::ptrdiff_t>(j) + 1);
      for (int64_t& p : perm)
        if (p > a + 1) --p;
      merged = true;
      break;
    }
  }
  if (perm == iota_perm(perm.size())) return {};
  return {std::move(src), std::move(perm)};
}

bool same_layout(const Layout& a, const Layout& b) {
  Layout x = normalize(a), y = normalize(b);
  return x.perm == y.perm && (x.identity() || x.src == y.src);
}

bool broadcastable(const ir::Shape& from, const ir::Shape& to) {
  if (from.size() > to.size()) return false;
  const size_t off = to.size() - from.size();
  for (size_t i = 0; i < from.size(); ++i)
    if (from[i] != 1 && from[i] != to[off + i]) return false;
  return true;
}

ir::Tensor broadcast_to(const ir::Tensor& x, const ir::Shape& s) {
  if (!broadcastable(x.shape, s))
    throw Error(fmt::format("cannot broadcast shape {} to {}", shape_string(x.shape), shape_string(s)));
  if (x.shape == s) return x;
  const int64_t n = checked_numel(s, kMaxFoldElements);
  if (n < 0) throw Error(fmt::format("broadcasting to {} exceeds the limit of {} elements", shape_string(s), kMaxFoldElements));
  ir::Shape xs(s.size() - x.shape.size(), 1);
  xs.insert(xs.end(), x.shape.begin(), x.shape.end());
  const auto in_st = ir::strides_of(xs);
  const auto out_st = ir::strides_of(s);
  std::vector<double> out(static_cast<size_t>(n));
  for (int64_t o = 0; o < n; ++o) {
    int64_t rem = o, off = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      const int64_t c = rem / out_st[i];
      rem %= out_st[i];
      if (xs[i] != 1) off += c * in_st[i];
    }
    out[static_cast<size_t>(o)] = x.data[static_cast<size_t>(off)];
  }
  return ir::Tensor(s, std::move(out));
}

std::string transform_key(const Transform& t) {
  std::string k;
  for (const Step& s : t) {
    k += s.kind == Step::Transpose ? "T" : (s.kind == Step::Reshape ? "R" : "B");
    k += fmt::format("{}", fmt::join(s.v, ","));
    k += ';';
  }
  return k;
}

ir::Shape transform_shape(ir::Shape s, const Transform& t) {
  for (const Step& st : t) s = st.kind == Step::Transpose ? ir::permute_shape(s, st.v) : st.v;
  return s;
}

ir::Tensor apply_transform(const ir::Tensor& x, const Transform& t) {
  ir::Tensor r = x;
  for (const Step& st : t) {
    switch (st.kind) {
      case Step::Transpose: r = r.transposed(st.v); break;
      case Step::Reshape: r = ir::Tensor(st.v, std::move(r.data)); break;
      case Step::Broadcast: r = broadcast_to(r, st.v); break;
    }
  }
  return r;
}

ir::Tensor apply_param_transform(const ir::Tensor& p, const ir::Shape& x_shape, const Transform& t) {
  if (p.shape.size() > x_shape.size() || !broadcastable(p.shape, x_shape))
    throw Error(fmt::format("parameter of shape {} does not broadcast to {}", shape_string(p.shape), shape_string(x_shape)));
  ir::Shape ps(x_shape.size() - p.shape.size(), 1);
  ps.insert(ps.end(), p.shape.begin(), p.shape.end());
  ir::Tensor q(ps, p.data);
  ir::Shape xs = x_shape;
  for (const Step& st : t) {
    switch (st.kind) {
      case Step::Transpose:
        q = q.transposed(st.v);
        xs = ir::permute_shape(xs, st.v);
        break;
      case Step::Reshape:
        if (q.size() == 1) {
          q = ir::Tensor(ir::Shape(st.v.size(), 1), std::move(q.data));
        } else {
          q = broadcast_to(q, xs);
          q = ir::Tensor(st.v, std::move(q.data));
        }
        xs = st.v;
        break;
      case Step::Broadcast: xs = st.v; break;
    }
  }
  if (q.size() == 1) q = ir::Tensor({}, std::move(q.data));
  return q;
}

std::optional<std::vector<int64_t>> Importer::axis_perm(const Entry& e) const {
  const ir::Shape& S = e.shape;
  const ir::Shape& T = ir_shape(e);
  std::vector<std::vector<int64_t>> cands{iota_perm(S.size())};
  if (S.size() >= 2) cands.push_back(channels_last_perm(S.size()));
  if (!e.layout.identity() && e.layout.src == S) cands.push_back(e.layout.perm);
  for (const auto& P : cands)
    if (ir::permute_shape(S, P) == T && same_layout(e.layout, Layout{S, P})) return P;
  return std::nullopt;
}

ir::ValueId Importer::reshape(NodeCtx& cx, ir::ValueId v, const ir::Shape& s, const std::string& suffix) {
  if (g.value(v).shape == s) return v;
  return cx.emit(ir::Op::Reshape, {v}, s, {}, suffix);
}

namespace {
ir::ValueId transpose(NodeCtx& cx, ir::ValueId v, const std::vector<int64_t>& perm) {
  if (perm == iota_perm(perm.size())) return v;
  ir::Attrs a;
  a.set("perm", perm);
  return cx.emit(ir::Op::Transpose, {v}, ir::permute_shape(cx.im.g.value(v).shape, perm), std::move(a), "_transpose");
}
}  // namespace

ir::ValueId Importer::convert(NodeCtx& cx, const Entry& e, std::vector<int64_t> P) {
  if (P.empty()) P = iota_perm(e.shape.size());
  const ir::Shape T = ir::permute_shape(e.shape, P);
  const Layout nc = normalize(e.layout), nt = normalize(Layout{e.shape, P});
  ir::ValueId v = e.id;
  if (same_layout(nc, nt)) return reshape(cx, v, T, "_reshape");
  if (!nc.identity() && !nt.identity() && nc.src == nt.src) {
    v = reshape(cx, v, ir::permute_shape(nc.src, nc.perm), "_reshape");
    const auto inv = ir::inverse_permutation(nc.perm);
    std::vector<int64_t> q(nt.perm.size());
    for (size_t i = 0; i < q.size(); ++i) q[i] = inv[static_cast<size_t>(nt.perm[i])];
    v = transpose(cx, v, q);
    return reshape(cx, v, T, "_reshape");
  }
  if (!nc.identity()) {
    v = reshape(cx, v, ir::permute_shape(nc.src, nc.perm), "_reshape");
    v = transpose(cx, v, ir::inverse_permutation(nc.perm));
  }
  if (!nt.identity()) {
    v = reshape(cx, v, nt.src, "_reshape");
    v = transpose(cx, v, nt.perm);
  }
  return reshape(cx, v, T, "_reshape");
}

std::optional<Transform> Importer::broadcast_transform(const ir::Shape& cs, const Entry& d, std::string* err) const {
  const ir::Shape& S = d.shape;
  const size_t r = S.size();
  auto bad = [&](const char* why) {
    *err = fmt::format("constant of shape {} {} [batch]+{}", shape_string(cs), why, shape_string(S));
    return std::nullopt;
  };
  Transform t;
  ir::Shape s = cs;
  if (s.size() > r + 1) return bad("has more axes than the tensor");
  if (s.size() == r + 1) {
    if (s[0] != 1) return bad("varies along the batch axis of");
    s.erase(s.begin());
    t.push_back({Step::Reshape, s});
  }
  if (s.size() < r) {
    s.insert(s.begin(), r - s.size(), 1);
    t.push_back({Step::Reshape, s});
  }
  std::vector<size_t> big;
  for (size_t i = 0; i < r; ++i) {
    if (s[i] != 1 && s[i] != S[i]) return bad("does not broadcast to");
    if (s[i] != 1) big.push_back(i);
  }
  if (big.empty()) {
    t.push_back({Step::Reshape, {}});
    return t;
  }
  if (big.size() == 1) {
    auto ap = axis_perm(d);
    if (ap && !ap->empty() && static_cast<size_t>(ap->back()) == big[0]) {
      t.push_back({Step::Reshape, {S[big[0]]}});
      return t;
    }
  }
  if (checked_numel(S, kMaxFoldElements) < 0) return bad("would be expanded beyond the element limit for");
  if (s != S) t.push_back({Step::Broadcast, S});
  ir::Shape cur = S;
  const Layout L = normalize(d.layout);
  if (!L.identity()) {
    if (L.src != cur) t.push_back({Step::Reshape, L.src});
    t.push_back({Step::Transpose, L.perm});
    cur = ir::permute_shape(L.src, L.perm);
  }
  if (cur != ir_shape(d)) t.push_back({Step::Reshape, ir_shape(d)});
  return t;
}

ir::ValueId Importer::cached_constant(const std::string& name, const std::string& variant, ir::Tensor x) {
  for (int64_t d : x.shape)
    if (d == 0) throw Error(fmt::format("constant '{}' has no elements (shape {})", name, shape_string(x.shape)));
  // Every use of a scalar constant shares one IR constant, whatever the transform.
  const std::string key = name + "|" + (x.shape.empty() ? std::string("scalar") : variant);
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  charge(x.size());
  ir::ValueId id = add_constant(name, std::move(x));
  cache_.emplace(key, id);
  return id;
}

ir::ValueId Importer::materialize(NodeCtx& cx, const Entry& e, const Transform& t) {
  const std::string key = e.name + "|" + transform_key(t);
  if (e.kind == Kind::Const) {
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    ir::Tensor x = apply_transform(e.c->t, t);
    if (x.size() > std::max<int64_t>(kMaxFoldElements, e.c->t.size()))
      throw Error(fmt::format("constant '{}' would grow to {} elements", e.name, x.size()));
    return cached_constant(e.name, transform_key(t), std::move(x));
  }
  if (e.kind != Kind::QConst) throw Error(fmt::format("value '{}' is not a constant", e.name));
  const std::string qkey = "quantizer|" + key;
  if (auto it = cache_.find(qkey); it != cache_.end()) return it->second;
  const QRecipe& q = *e.q;
  Transform full = q.pre;
  full.insert(full.end(), t.begin(), t.end());
  std::vector<ir::ValueId> ins{materialize(cx, q.x, full)};
  for (const auto& [pname, p] : q.params)
    ins.push_back(cached_constant(pname, shape_string(q.x.shape) + "|" + transform_key(full),
                                  apply_param_transform(p->t, q.x.shape, full)));
  ir::ValueId out = add_value(q.out_name, g.value(ins[0]).shape);
  add_node(q.op, q.node_name, std::move(ins), {out}, q.node_name, q.op_type, q.attrs);
  cache_.emplace(qkey, out);
  return out;
}

}  // namespace tachyon::frontends::onnx_import
