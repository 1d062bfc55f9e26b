// The HLS layer library (hls/tachyon) on small programs compiled at test time with g++
// against Tachyon's ap headers: its exact integer index helpers must agree with the
// emulator's (tachyon/emulator/tables.h) for every type shape, including types wider than
// 64 bits, negative I and I > W.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "tachyon/emulator/tables.h"
#include "tachyon/fixed/fixed.h"
#include "tachyon/support/error.h"

namespace fs = std::filesystem;
using namespace tachyon;

namespace {

std::string run_command(const std::string& cmd, int* status) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) {
    *status = -1;
    return out;
  }
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  *status = pclose(p);
  return out;
}

fs::path scratch_dir(const std::string& name) {
  fs::path p = fs::temp_directory_path() / ("tachyon_hls_lib_" + std::to_string(getpid())) / name;
  fs::create_directories(p);
  return p;
}

// Compiles `source` with the library and runs it; returns its stdout.
std::string compile_and_run(const std::string& name, const std::string& source) {
  fs::path dir = scratch_dir(name);
  std::ofstream(dir / "main.cpp") << source;
  int st = 0;
  std::string cmd = "g++ -std=c++14 -O1 -Wall -Wextra -Wpedantic -Wshadow -Wno-unknown-pragmas -Werror -I" +
                    std::string(TACHYON_HLS_DIR) + "/include -I" + std::string(TACHYON_HLS_DIR) + " -o " +
                    (dir / "main").string() + " " + (dir / "main.cpp").string();
  std::string log = run_command(cmd, &st);
  EXPECT_EQ(st, 0) << cmd << "\n" << log;
  if (st != 0) return "";
  std::string out = run_command((dir / "main").string(), &st);
  EXPECT_EQ(st, 0) << out;
  fs::remove_all(dir);
  return out;
}

struct TypeCase {
  std::string spelling;
  FixedType type;
  std::vector<BigInt> codes;  // raw codes (signed value k)
};

std::vector<TypeCase> type_cases() {
  std::vector<std::string> spellings = {"ap_fixed<16,6>",  "ap_ufixed<8,0>",  "ap_fixed<8,-2>",  "ap_fixed<10,12>",
                                        "ap_fixed<4,4>",   "ap_fixed<70,20>", "ap_ufixed<64,10>", "ap_fixed<1,1>",
                                        "ap_fixed<40,3>",  "ap_ufixed<6,7>",  "ap_fixed<18,8>",  "ap_fixed<12,-3>"};
  std::mt19937_64 rng(12345);
  std::vector<TypeCase> out;
  for (const std::string& s : spellings) {
    TypeCase c{s, FixedType::parse(s), {}};
    const FixedType& t = c.type;
    BigInt lo = t.is_signed ? -BigInt::pow2(t.width - 1) : BigInt(0);
    BigInt hi = (t.is_signed ? BigInt::pow2(t.width - 1) : BigInt::pow2(t.width)) - BigInt(1);
    if (t.width <= 10) {
      for (BigInt k = lo; k <= hi; k += BigInt(1)) c.codes.push_back(k);
    } else {
      for (BigInt k : {lo, hi, BigInt(0), BigInt(1), lo + BigInt(1), hi - BigInt(1)}) c.codes.push_back(k);
      if (t.is_signed) c.codes.push_back(BigInt(-1));
      for (int i = 0; i < 300; ++i) {
        // Random W-bit pattern; half of them small (near zero, where the indices change).
        BigInt r = BigInt::from_u64(rng());
        for (int w = 64; w < t.width; w += 64) r = r.shl(64) + BigInt::from_u64(rng());
        int keep = (i % 2) ? t.width : 1 + static_cast<int>(rng() % static_cast<uint64_t>(std::min(t.width, 24)));
        r = r.wrap_unsigned(keep);
        if (t.is_signed) r = r.wrap_signed(t.width);
        if (t.is_signed && (i % 4) == 1) r = -r;
        c.codes.push_back(Fixed::from_raw(r, t).raw());
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::string hex64(const BigInt& v, int shift) {
  return fmt::format("0x{:x}ULL", v.wrap_unsigned(4096).shr(shift).wrap_unsigned(64).low_u64());
}

}  // namespace

TEST(HlsLibrary, IndexHelpersMatchTheEmulator) {
  std::vector<TypeCase> cases = type_cases();
  std::string body;
  std::string expected;
  for (size_t ti = 0; ti < cases.size(); ++ti) {
    const TypeCase& c = cases[ti];
    // Two's-complement patterns in up to three 64-bit words.
    body += fmt::format("  {{\n    typedef {} T;\n    static const unsigned long long codes[][3] = {{\n", c.type.c_type());
    for (const BigInt& k : c.codes) {
      body += fmt::format("      {{{}, {}, {}}},\n", hex64(k, 128), hex64(k, 64), hex64(k, 0));
      Fixed x = Fixed::from_raw(k, c.type);
      expected += fmt::format("{} {} {} {} {} {} {} {} {}\n", emulator::sigmoid_index(x, 1024),
                              emulator::sigmoid_index(x, 1000), emulator::tanh_index(x, 64),
                              emulator::tanh_index(x, 1), emulator::elu_index(x, 100), emulator::elu_index(x, 1024),
                              emulator::softmax_index(x, 1024), emulator::softmax_index(x, 8),
                              emulator::softmax_index(x, 1));
    }
    body += "    };\n    for (unsigned i = 0; i < sizeof codes / sizeof codes[0]; i++) show<T>(codes[i][0], codes[i][1], codes[i][2]);\n  }\n";
  }
  std::string src = R"(#include <cstdio>
#include "tachyon/common.h"
using namespace tachyon_hls;
template <class T> void show(unsigned long long w2, unsigned long long w1, unsigned long long w0) {
  const int W = fixed_traits<T>::width;
  ap_uint<W + 192> u = w2;
  u <<= 64;
  u |= ap_uint<W + 192>(w1);
  u <<= 64;
  u |= ap_uint<W + 192>(w0);
  const ap_uint<W> bits = u;
  const T x = from_raw_bits<T>(bits);
  std::printf("%d %d %d %d %d %d %u %u %u\n",
              clamp_int(scaled_trunc<T, 1024, 4>(x) + 512, 0, 1023),
              clamp_int(scaled_trunc<T, 1000, 4>(x) + 500, 0, 999),
              clamp_int(scaled_trunc<T, 64, 3>(x) + 32, 0, 63),
              clamp_int(scaled_trunc<T, 1, 3>(x) + 0, 0, 0),
              clamp_int(-scaled_trunc<T, 100, 3>(x), 0, 99),
              clamp_int(-scaled_trunc<T, 1024, 3>(x), 0, 1023),
              top_bits_index<10>(x), top_bits_index<3>(x), top_bits_index<0>(x));
}
int main() {
)" + body + "  return 0;\n}\n";
  std::string got = compile_and_run("index", src);
  ASSERT_FALSE(got.empty());
  std::istringstream g(got), e(expected);
  std::string gl, el;
  size_t line = 0, bad = 0;
  while (std::getline(e, el)) {
    std::getline(g, gl);
    if (gl != el && bad++ < 10) ADD_FAILURE() << "case " << line << ": library '" << gl << "', emulator '" << el << "'";
    ++line;
  }
  EXPECT_EQ(bad, 0u);
  EXPECT_GT(line, 2000u);
}

TEST(HlsLibrary, RawBitsRoundTripAndExactCompare) {
  std::string src = R"(#include <cstdio>
#include "tachyon/common.h"
using namespace tachyon_hls;
int main() {
  typedef ap_fixed<12, 4> A;
  typedef ap_ufixed<40, 2> U;  // wide unsigned vs signed: no integer-promotion artefacts
  A a = -1.5;
  U u = 3.25;
  std::printf("%d %d %d %d\n", (int)exact_less(a, u), (int)exact_less(u, a), (int)exact_less(a, a),
              (int)is_positive(a));
  A b = from_raw_bits<A>(raw_bits(a));
  std::printf("%d %g %u\n", (int)(b == a), b.to_double(), raw_bits(a).to_uint());
  return 0;
}
)";
  EXPECT_EQ(compile_and_run("raw", src), "1 0 0 0\n1 -1.5 3712\n");
}

// Average pooling's divisor: sum * 2^-k for n = 2^k, else sum * round(2^18 / n) / 2^18
// (ap_ufixed<18,0,AP_RND>), for every n a window can have.
TEST(HlsLibrary, AverageMatchesTheRule) {
  std::string src = R"(#include <cstdio>
#include "tachyon/pooling.h"
int main() {
  typedef ap_fixed<20, 9> S;
  typedef ap_fixed<40, 12> R;
  const S sums[3] = {S(255.99609375), S(-1.25), S(3.0)};
  for (unsigned n = 1; n <= 5000; n++) {
    for (int s = 0; s < 3; s++) {
      R r = tachyon_hls::average<R>(sums[s], n);
      std::printf("%.17g\n", r.to_double());
    }
  }
  return 0;
}
)";
  std::string got = compile_and_run("average", src);
  std::istringstream g(got);
  FixedType st = FixedType::parse("ap_fixed<20,9>"), rt = FixedType::parse("ap_fixed<40,12>");
  int bad = 0;
  for (int64_t n = 1; n <= 5000; ++n) {
    for (double s : {255.99609375, -1.25, 3.0}) {
      // The sum's code (11 fraction bits) divided by n toward zero, in doubles (exact here).
      const double code = s * 2048.0;
      Fixed expect = Fixed::from_double(std::trunc(code / static_cast<double>(n)) / 2048.0, st).cast(rt);
      std::string line;
      std::getline(g, line);
      if (std::strtod(line.c_str(), nullptr) != expect.to_double() && bad++ < 5)
        ADD_FAILURE() << "n " << n << " sum " << s << ": library " << line << ", expected " << expect.to_double();
    }
  }
  EXPECT_EQ(bad, 0);
}
