// Constant multiplication by shifts and adds.
//
// csd(): the canonical signed digit (non-adjacent form) of an integer: digits in {-1, 0, +1},
// no two adjacent digits non-zero, the minimum number of non-zero digits of any signed-digit
// representation. c*x = sum of (+-x << shift) over the digits.
//
// mcm(): multiple constant multiplication for ONE input x and a set of constants (every weight
// a Dense input is multiplied by): starting from the CSD digits of each constant, repeatedly
// find the two-term pattern (p, q << d, same or opposite sign) that occurs most often across
// the constants, compute it once with one adder, and substitute it everywhere (Hartley's common
// sub-expression elimination). Identical constants (same odd magnitude) share everything.
// Every constant then equals the signed, shifted sum of at most a few shared terms.
#pragma once

#include <cstdint>
#include <vector>

#include "tachyon/fixed/bigint.h"

namespace tachyon::backends::verilog {

struct CsdDigit {
  int shift = 0;
  int sign = 1;  // +1 or -1
};

// Non-adjacent form of c, digits in ascending shift order (empty for 0).
std::vector<CsdDigit> csd(const BigInt& c);
int csd_nonzeros(const BigInt& c);

// A term: (sign) * (source << shift); source 0 is x itself, source k >= 1 is adder k-1.
struct McmTerm {
  int source = 0;
  int shift = 0;
  bool negative = false;
};

// adder value = a + b (both terms in units of x).
struct McmAdder {
  McmTerm a, b;
  BigInt value;  // the constant this adder multiplies x by
};

struct McmResult {
  std::vector<McmAdder> adders;              // in dependency order
  std::vector<std::vector<McmTerm>> terms;   // per input constant: c*x = sum of terms (empty for 0)
  int adder_count() const { return static_cast<int>(adders.size()); }
  // Additions still needed to sum each constant's terms (sum over constants of terms-1).
  int final_additions() const;
};

// `share` = false gives plain CSD per constant (identical constants still computed once).
McmResult mcm(const std::vector<BigInt>& constants, bool share = true);

// Value of a term / of a constant's term list in units of x (for checks and tests).
BigInt term_value(const McmResult& r, const McmTerm& t);

}  // namespace tachyon::backends::verilog
