// CSD digits and multiple-constant multiplication by common sub-expression elimination.
#include "tachyon/backends/verilog/mcm.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "tachyon/support/error.h"

namespace tachyon::backends::verilog {

std::vector<CsdDigit> csd(const BigInt& c) {
  std::vector<CsdDigit> out;
  BigInt v = c;
  int shift = 0;
  while (!v.is_zero()) {
    if (v.is_odd()) {
      // v mod 4 == 1 -> digit +1; v mod 4 == 3 -> digit -1 (leaves a multiple of 4).
      int d = v.bit(1) ? -1 : 1;
      out.push_back({shift, d});
      v -= BigInt(d);
    }
    v = v.shr(1);
    ++shift;
  }
  return out;
}

int csd_nonzeros(const BigInt& c) { return static_cast<int>(csd(c).size()); }

int McmResult::final_additions() const {
  int n = 0;
  for (const auto& t : terms) n += std::max(0, static_cast<int>(t.size()) - 1);
  return n;
}

BigInt term_value(const McmResult& r, const McmTerm& t) {
  BigInt v = t.source == 0 ? BigInt(1) : r.adders.at(static_cast<size_t>(t.source - 1)).value;
  v = v.shl(t.shift);
  return t.negative ? -v : v;
}

namespace {

// A pattern: term (s1, k, sg) plus term (s2, k + d, sg * rel). Key (s1, s2, d, rel) with
// the lower-shift term first (ties: lower source first).
struct Pattern {
  int s1, s2, d;
  bool opposite;  // signs differ
  auto key() const { return std::tuple(s1, s2, d, opposite); }
  bool operator<(const Pattern& o) const { return key() < o.key(); }
};

// Normalises a pair of terms into a pattern; returns the index of the "first" term.
Pattern make_pattern(const McmTerm& x, const McmTerm& y, bool* x_first) {
  bool xf = x.shift < y.shift || (x.shift == y.shift && x.source <= y.source);
  const McmTerm& a = xf ? x : y;
  const McmTerm& b = xf ? y : x;
  *x_first = xf;
  return Pattern{a.source, b.source, b.shift - a.shift, a.negative != b.negative};
}

// Greedy non-overlapping matches of pattern p in a term list: pairs of indices.
std::vector<std::pair<size_t, size_t>> matches(const std::vector<McmTerm>& ts, const Pattern& p) {
  std::vector<std::pair<size_t, size_t>> out;
  std::vector<bool> used(ts.size(), false);
  for (size_t i = 0; i < ts.size(); ++i) {
    if (used[i]) continue;
    for (size_t j = i + 1; j < ts.size(); ++j) {
      if (used[j]) continue;
      bool xf = false;
      Pattern q = make_pattern(ts[i], ts[j], &xf);
      if (q.key() == p.key()) {
        out.push_back(xf ? std::pair(i, j) : std::pair(j, i));
        used[i] = used[j] = true;
        break;
      }
    }
  }
  return out;
}

}  // namespace

McmResult mcm(const std::vector<BigInt>& constants, bool share) {
  McmResult r;
  r.terms.resize(constants.size());
  // Distinct odd magnitudes: c = sign * odd * 2^s.
  std::map<BigInt, size_t, std::less<>> odd_index;  // odd magnitude -> index in `odds`
  std::vector<BigInt> odds;
  struct Use {
    size_t odd = 0;
    int shift = 0;
    bool negative = false;
  };
  std::vector<Use> uses(constants.size());
  std::vector<bool> is_zero(constants.size(), false);
  for (size_t i = 0; i < constants.size(); ++i) {
    const BigInt& c = constants[i];
    if (c.is_zero()) {
      is_zero[i] = true;
      continue;
    }
    BigInt m = c.abs();
    int s = 0;
    while (!m.is_odd()) {
      m = m.shr(1);
      ++s;
    }
    auto it = odd_index.find(m);
    if (it == odd_index.end()) {
      it = odd_index.emplace(m, odds.size()).first;
      odds.push_back(m);
    }
    uses[i] = Use{it->second, s, c.is_negative()};
  }
  // Term lists of the odd fundamentals, from their CSD digits.
  std::vector<std::vector<McmTerm>> lists(odds.size());
  for (size_t k = 0; k < odds.size(); ++k)
    for (const CsdDigit& d : csd(odds[k])) lists[k].push_back(McmTerm{0, d.shift, d.sign < 0});

  while (share) {
    // Count every pattern once per list occurrence (greedy non-overlapping counts).
    std::map<Pattern, int> counts;
    for (const auto& ts : lists) {
      std::map<Pattern, int> local;
      for (size_t i = 0; i < ts.size(); ++i)
        for (size_t j = i + 1; j < ts.size(); ++j) {
          bool xf = false;
          local[make_pattern(ts[i], ts[j], &xf)] = 0;
        }
      for (auto& [p, n] : local) counts[p] += static_cast<int>(matches(ts, p).size());
    }
    const Pattern* best = nullptr;
    int best_count = 1;
    for (const auto& [p, n] : counts)
      if (n > best_count) {
        best = &p;
        best_count = n;
      }
    if (!best) break;
    Pattern p = *best;
    // New adder: s1 + (+-s2 << d), in units of x.
    McmAdder add;
    add.a = McmTerm{p.s1, 0, false};
    add.b = McmTerm{p.s2, p.d, p.opposite};
    r.adders.push_back(add);
    r.adders.back().value = term_value(r, add.a) + term_value(r, add.b);
    int src = static_cast<int>(r.adders.size());
    for (auto& ts : lists) {
      auto ms = matches(ts, p);
      if (ms.empty()) continue;
      std::vector<bool> drop(ts.size(), false);
      std::vector<McmTerm> added;
      for (auto [i, j] : ms) {
        added.push_back(McmTerm{src, ts[i].shift, ts[i].negative});
        drop[i] = drop[j] = true;
      }
      std::vector<McmTerm> next;
      for (size_t i = 0; i < ts.size(); ++i)
        if (!drop[i]) next.push_back(ts[i]);
      next.insert(next.end(), added.begin(), added.end());
      std::sort(next.begin(), next.end(), [](const McmTerm& a, const McmTerm& b) {
        return std::tuple(a.shift, a.source, a.negative) < std::tuple(b.shift, b.source, b.negative);
      });
      ts = std::move(next);
    }
  }
  // A fundamental used by several constants (same odd part, other shifts or signs) is
  // completed into one node, so every use is a single shifted term.
  std::vector<int> use_count(odds.size(), 0);
  for (size_t i = 0; i < constants.size(); ++i)
    if (!is_zero[i]) ++use_count[uses[i].odd];
  for (size_t k = 0; k < odds.size(); ++k) {
    auto& ts = lists[k];
    if (use_count[k] < 2 || ts.size() < 2) continue;
    // Normalise so that the first term is positive with shift 0 relative to the rest.
    while (ts.size() > 1) {
      McmTerm a = ts[0], b = ts[1];
      int m = std::min(a.shift, b.shift);
      McmAdder add;
      add.a = McmTerm{a.source, a.shift - m, false};
      add.b = McmTerm{b.source, b.shift - m, a.negative != b.negative};
      r.adders.push_back(add);
      r.adders.back().value = term_value(r, add.a) + term_value(r, add.b);
      McmTerm merged{static_cast<int>(r.adders.size()), m, a.negative};
      ts.erase(ts.begin(), ts.begin() + 2);
      ts.insert(ts.begin(), merged);
    }
  }
  // Express each constant through its odd fundamental.
  for (size_t i = 0; i < constants.size(); ++i) {
    if (is_zero[i]) continue;
    const Use& u = uses[i];
    for (McmTerm t : lists[u.odd]) {
      t.shift += u.shift;
      t.negative = t.negative != u.negative;
      r.terms[i].push_back(t);
    }
  }
  // Self-check (cheap): every constant is reproduced exactly.
  for (size_t i = 0; i < constants.size(); ++i) {
    BigInt v;
    for (const McmTerm& t : r.terms[i]) v += term_value(r, t);
    if (v != constants[i]) fail("internal error: multiple-constant multiplication of {} gives {}", constants[i].to_dec(), v.to_dec());
  }
  return r;
}

}  // namespace tachyon::backends::verilog
