// Whole-layer constant matrix-vector multiplication: greedy, bit-weighted common
// sub-expression elimination over the CSD terms of every output.
#include "tachyon/backends/verilog/cmvm.h"

#include <algorithm>
#include <array>
#include <queue>
#include <random>
#include <tuple>
#include <unordered_map>

#include "tachyon/backends/verilog/dfg.h"
#include "tachyon/backends/verilog/mcm.h"
#include "tachyon/support/error.h"

namespace tachyon::backends::verilog {

int64_t adder_bits(const BigInt& lo, const BigInt& hi, int shift) {
  return std::max<int64_t>(1, signed_width(lo, hi) - std::max(0, shift));
}

int64_t CmvmResult::adder_bits() const {
  int64_t n = 0;
  for (const CmvmAdder& a : adders) n += verilog::adder_bits(a.lo, a.hi, a.shift_b);
  return n;
}

void append_csd_terms(int input, const BigInt& w, int shift, std::vector<CmvmTerm>& out) {
  for (const CsdDigit& d : csd(w)) out.push_back(CmvmTerm{input, d.shift + shift, d.sign < 0});
}

std::vector<BigInt> source_coefficients(const CmvmResult& r, int source) {
  std::vector<BigInt> c(static_cast<size_t>(r.n_inputs));
  if (source < r.n_inputs) {
    c[static_cast<size_t>(source)] = BigInt(1);
    return c;
  }
  const CmvmAdder& a = r.adders.at(static_cast<size_t>(source - r.n_inputs));
  std::vector<BigInt> ca = source_coefficients(r, a.a), cb = source_coefficients(r, a.b);
  for (size_t i = 0; i < c.size(); ++i) c[i] = a.sub ? ca[i] - cb[i].shl(a.shift_b) : ca[i] + cb[i].shl(a.shift_b);
  return c;
}

namespace {

// Pattern: source a + (+/- source b << d); the occurrence is (sign of a) * pattern << (shift of a).
struct Key {
  int a, b, d;
  bool opp;
  bool operator==(const Key& o) const { return a == o.a && b == o.b && d == o.d && opp == o.opp; }
  bool operator<(const Key& o) const { return std::tie(a, b, d, opp) < std::tie(o.a, o.b, o.d, o.opp); }
};
struct KeyHash {
  size_t operator()(const Key& k) const {
    uint64_t h = static_cast<uint64_t>(static_cast<uint32_t>(k.a)) * 0x9E3779B97F4A7C15ull;
    h ^= static_cast<uint64_t>(static_cast<uint32_t>(k.b)) * 0xC2B2AE3D27D4EB4Full + (h << 6) + (h >> 2);
    h ^= static_cast<uint64_t>(static_cast<uint32_t>(k.d)) * 0x165667B19E3779F9ull + (h << 6) + (h >> 2);
    return static_cast<size_t>(h ^ (k.opp ? 0x27D4EB2F165667C5ull : 0));
  }
};

// Strict order of terms within one output (no two terms share source and shift).
bool first_of(const CmvmTerm& x, const CmvmTerm& y) { return std::tie(x.shift, x.source) < std::tie(y.shift, y.source); }

Key key_of(const CmvmTerm& x, const CmvmTerm& y) {
  bool xf = first_of(x, y);
  const CmvmTerm& a = xf ? x : y;
  const CmvmTerm& b = xf ? y : x;
  return Key{a.source, b.source, b.shift - a.shift, a.neg != b.neg};
}

struct Stat {
  int count = 0;
  int64_t bits = 0;
  bool banned = false;
};

class Solver {
 public:
  Solver(const std::vector<CmvmSource>& inputs, std::vector<std::vector<CmvmTerm>> outs, const CmvmOptions& o)
      : o_(o), src_(inputs), outs_(outs.size()) {
    // arity^k, saturating at 2^62.
    const uint64_t base = o_.arity >= 3 ? 3 : 2, top = uint64_t{1} << 62;
    for (size_t k = 1; k < pow_.size(); ++k) pow_[k] = std::min(top, pow_[k - 1] * base);
    for (size_t j = 0; j < outs.size(); ++j)
      for (const CmvmTerm& t : outs[j]) add_term(j, t);
    cap_.resize(outs_.size());
    for (size_t j = 0; j < outs_.size(); ++j) {
      int limit = 0;
      const uint64_t w = weight(j);
      while (limit < 63 && pw(limit) < w) ++limit;
      cap_[j] = o_.depth_slack < 0 ? ~uint64_t{0} : pw(limit + o_.depth_slack);
    }
  }

  CmvmResult run() {
    while (o_.share && step()) {
    }
    CmvmResult r;
    r.n_inputs = static_cast<int>(src_.size() - adders_.size());
    r.sources = src_;
    r.adders = adders_;
    r.outputs = std::move(outs_);
    return r;
  }

 private:
  uint64_t pw(int k) const { return pow_[static_cast<size_t>(std::clamp(k, 0, 63))]; }
  uint64_t weight(size_t j) const {
    uint64_t w = j < o_.extra_terms.size() ? static_cast<uint64_t>(o_.extra_terms[j]) : 0;
    for (const CmvmTerm& t : outs_[j]) w += pw(src_[static_cast<size_t>(t.source)].depth);
    return w;
  }

  void bump(const CmvmTerm& x, const CmvmTerm& y, int delta) {
    Key k = key_of(x, y);
    auto it = stats_.find(k);
    if (it == stats_.end()) {
      Stat s;
      BigInt lo, hi;
      pattern_range(k, &lo, &hi);
      s.bits = adder_bits(lo, hi, k.d);
      it = stats_.emplace(k, s).first;
    }
    it->second.count += delta;
    // A raised score is queued now; lowered ones are re-queued when their stale entry pops.
    if (delta > 0 && it->second.count >= 2 && !it->second.banned) heap_.push({score(it->second), k});
    if (it->second.count == 0 && !it->second.banned) stats_.erase(it);
  }

  static int64_t score(const Stat& s) { return static_cast<int64_t>(s.count - 1) * s.bits; }

  void pattern_range(const Key& k, BigInt* lo, BigInt* hi) const {
    const CmvmSource &a = src_[static_cast<size_t>(k.a)], &b = src_[static_cast<size_t>(k.b)];
    BigInt blo = b.lo.shl(k.d), bhi = b.hi.shl(k.d);
    *lo = k.opp ? a.lo - bhi : a.lo + blo;
    *hi = k.opp ? a.hi - blo : a.hi + bhi;
  }

  // Adds t to output j, merging with an existing term of the same source and shift.
  void add_term(size_t j, CmvmTerm t) {
    auto& ts = outs_[j];
    for (size_t k = 0; k < ts.size(); ++k)
      if (ts[k].source == t.source && ts[k].shift == t.shift) {
        CmvmTerm old = ts[k];
        remove_term(j, k);
        if (old.neg == t.neg) add_term(j, CmvmTerm{t.source, t.shift + 1, t.neg});  // x + x = 2x
        return;                                                                      // x - x = 0
      }
    for (const CmvmTerm& u : ts) bump(t, u, +1);
    ts.push_back(t);
  }

  void remove_term(size_t j, size_t k) {
    auto& ts = outs_[j];
    CmvmTerm t = ts[k];
    ts.erase(ts.begin() + static_cast<std::ptrdiff_t>(k));
    for (const CmvmTerm& u : ts) bump(t, u, -1);
  }

  bool step() {
    // The best pattern: highest score, then smallest key (lazy queue: stale entries are
    // dropped or re-queued with their current score).
    Key k{};
    while (true) {
      if (heap_.empty()) return false;
      Entry e = heap_.top();
      heap_.pop();
      auto it = stats_.find(e.key);
      if (it == stats_.end() || it->second.banned || it->second.count < 2) continue;
      int64_t now = score(it->second);
      if (now != e.score) {
        heap_.push({now, e.key});
        continue;
      }
      k = e.key;
      break;
    }
    int new_depth = std::max(src_[static_cast<size_t>(k.a)].depth, src_[static_cast<size_t>(k.b)].depth) + 1;
    // Non-overlapping occurrences that respect every output's depth bound.
    struct Occ {
      size_t out;
      CmvmTerm a, b;
    };
    std::vector<Occ> occ;
    for (size_t j = 0; j < outs_.size(); ++j) {
      const auto& ts = outs_[j];
      uint64_t w = o_.depth_slack < 0 ? 0 : weight(j);
      std::vector<bool> used(ts.size(), false);
      for (size_t i = 0; i < ts.size(); ++i) {
        if (used[i] || ts[i].source != k.a) continue;
        for (size_t m = 0; m < ts.size(); ++m) {
          if (m == i || used[m] || ts[m].source != k.b || ts[m].shift != ts[i].shift + k.d ||
              ts[m].neg != (ts[i].neg != k.opp) || !first_of(ts[i], ts[m]))
            continue;
          if (o_.depth_slack >= 0) {
            uint64_t nw = w - pw(src_[static_cast<size_t>(k.a)].depth) - pw(src_[static_cast<size_t>(k.b)].depth) +
                          pw(new_depth);
            if (nw > cap_[j]) break;
            w = nw;
          }
          used[i] = used[m] = true;
          occ.push_back({j, ts[i], ts[m]});
          break;
        }
      }
    }
    if (occ.size() < 2) {
      stats_[k].banned = true;
      return true;
    }
    CmvmAdder add;
    add.a = k.a;
    add.b = k.b;
    add.shift_b = k.d;
    add.sub = k.opp;
    pattern_range(k, &add.lo, &add.hi);
    add.depth = new_depth;
    adders_.push_back(add);
    int s = static_cast<int>(src_.size());
    src_.push_back(CmvmSource{add.lo, add.hi, new_depth});
    for (const Occ& oc : occ) {
      auto& ts = outs_[oc.out];
      for (const CmvmTerm& t : {oc.a, oc.b})
        for (size_t i = 0; i < ts.size(); ++i)
          if (ts[i].source == t.source && ts[i].shift == t.shift) {
            remove_term(oc.out, i);
            break;
          }
      add_term(oc.out, CmvmTerm{s, oc.a.shift, oc.a.neg});
    }
    return true;
  }

  CmvmOptions o_;
  std::array<uint64_t, 64> pow_{1};  // pow_[k] = arity^k, saturating (set in the constructor)
  std::vector<CmvmSource> src_;
  std::vector<CmvmAdder> adders_;
  std::vector<std::vector<CmvmTerm>> outs_;
  std::vector<uint64_t> cap_;
  std::unordered_map<Key, Stat, KeyHash> stats_;
  struct Entry {
    int64_t score;
    Key key;
    bool operator<(const Entry& o) const { return score != o.score ? score < o.score : o.key < key; }
  };
  std::priority_queue<Entry> heap_;
};

// Value of every output modulo 2^64 for pseudo-random input values (the self-check).
std::vector<uint64_t> evaluate_mod(int n_inputs, const std::vector<CmvmAdder>& adders,
                                   const std::vector<std::vector<CmvmTerm>>& outs, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint64_t> v;
  for (int i = 0; i < n_inputs; ++i) v.push_back(rng());
  auto sh = [](uint64_t x, int s) { return s >= 64 ? uint64_t{0} : x << s; };
  for (const CmvmAdder& a : adders) {
    uint64_t x = v[static_cast<size_t>(a.a)], y = sh(v[static_cast<size_t>(a.b)], a.shift_b);
    v.push_back(a.sub ? x - y : x + y);
  }
  std::vector<uint64_t> r;
  for (const auto& ts : outs) {
    uint64_t s = 0;
    for (const CmvmTerm& t : ts) {
      uint64_t x = sh(v[static_cast<size_t>(t.source)], t.shift);
      s = t.neg ? s - x : s + x;
    }
    r.push_back(s);
  }
  return r;
}

}  // namespace

CmvmResult cmvm(const std::vector<CmvmSource>& inputs, std::vector<std::vector<CmvmTerm>> outputs,
                const CmvmOptions& options) {
  for (const auto& ts : outputs)
    for (const CmvmTerm& t : ts)
      if (t.source < 0 || t.source >= static_cast<int>(inputs.size()) || t.shift < 0)
        fail("internal error: CMVM term with source {} shift {} ({} inputs)", t.source, t.shift, inputs.size());
  int n = static_cast<int>(inputs.size());
  std::vector<uint64_t> before0 = evaluate_mod(n, {}, outputs, 1), before1 = evaluate_mod(n, {}, outputs, 2);
  CmvmResult r = Solver(inputs, std::move(outputs), options).run();
  if (evaluate_mod(n, r.adders, r.outputs, 1) != before0 || evaluate_mod(n, r.adders, r.outputs, 2) != before1)
    fail("internal error: constant matrix-vector multiplication changed an output");
  return r;
}

}  // namespace tachyon::backends::verilog
