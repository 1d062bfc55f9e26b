// Fixed-point conversion in RTL, exhaustively: every raw code of small source types through
// every quantization (7) x overflow (WRAP N=0,1,2, SAT, SAT_ZERO, SAT_SYM) mode, signed and
// unsigned targets of several shapes, simulated with Icarus and compared with the
// fixed-point core (Fixed::cast).
#include <optional>

#include "helpers.h"

using namespace vtest;

namespace {

const Quant kQuants[] = {Quant::TRN, Quant::TRN_ZERO, Quant::RND, Quant::RND_ZERO, Quant::RND_MIN_INF, Quant::RND_INF, Quant::RND_CONV};

struct OMode {
  Overflow o;
  int n;
};
const OMode kOModes[] = {{Overflow::WRAP, 0}, {Overflow::WRAP, 1}, {Overflow::WRAP, 2},
                         {Overflow::SAT, 0},  {Overflow::SAT_ZERO, 0}, {Overflow::SAT_SYM, 0}};

std::vector<FixedType> targets() {
  std::vector<FixedType> out;
  const std::pair<int, int> shapes[] = {{4, 2}, {3, 1}, {6, 4}, {2, 0}, {1, 0}, {5, 7}, {4, -1}};
  for (auto [w, i] : shapes)
    for (bool s : {true, false})
      for (Quant q : kQuants)
        for (OMode om : kOModes) {
          if (om.n > w) continue;
          out.push_back(FixedType{w, i, s, q, om.o, om.n});
        }
  return out;
}

// Every code of src through each target ts[k], simulated and compared with Fixed::cast. With
// `then`, each cast's result is cast again to `then` (read wider than its own type), and each
// target gets its own input so that its cast is the source's only reader (another reader
// could keep the source's full width).
void check_source(const FixedType& src, const std::vector<FixedType>& ts, const TempDir& tmp, const std::string& name,
                  const std::optional<FixedType>& then = std::nullopt) {
  GraphBuilder b("casts");
  ValueId x = b.input("x", {1}, src);
  for (size_t k = 0; k < ts.size(); ++k) {
    if (then && k > 0) x = b.input("x" + std::to_string(k), {1}, src);
    ValueId y = b.node(Op::Cast, "c" + std::to_string(k), {x}, {1}, ts[k]);
    if (then) y = b.node(Op::Cast, "w" + std::to_string(k), {y}, {1}, *then);
    b.output(y, "y" + std::to_string(k));
  }
  backends::BackendOptions o;
  o.output_dir = tmp.sub(name);
  o.project_name = name;
  o.force = true;
  o.clock_period_ns = 2.0;
  backends::verilog::write_project(b.g, o);
  std::vector<std::vector<BigInt>> in;
  for (int64_t c = 0; c < (int64_t{1} << src.width); ++c)
    in.push_back(std::vector<BigInt>(then ? ts.size() : 1, Fixed::from_raw(BigInt(c), src).raw()));
  auto out = backends::verilog::simulate_codes(o.output_dir, in, backends::verilog::Simulator::Icarus);
  ASSERT_EQ(out.size(), in.size());
  int bad = 0;
  for (size_t s = 0; s < in.size(); ++s) {
    Fixed xv = Fixed::from_raw(in[s][0], src);
    for (size_t k = 0; k < ts.size(); ++k) {
      Fixed want = then ? xv.cast(ts[k]).cast(*then) : xv.cast(ts[k]);
      if (out[s][k] != want.raw()) {
        if (++bad <= 10)
          ADD_FAILURE() << src.str() << " code " << in[s][0].to_dec() << " (" << xv.to_decimal() << ") -> " << ts[k].str()
                        << (then ? " -> " + then->str() : std::string()) << ": rtl " << out[s][k].to_dec()
                        << ", expected " << want.raw().to_dec();
      }
    }
  }
  EXPECT_EQ(bad, 0) << src.str();
}

}  // namespace

TEST(CastRtl, ExhaustiveSmallTypesEveryMode) {
  TempDir tmp("casts");
  const FixedType sources[] = {
      FixedType::parse("ap_fixed<6,3>"),  FixedType::parse("ap_ufixed<5,2>"), FixedType::parse("ap_fixed<7,0>"),
      FixedType::parse("ap_fixed<4,6>"),  FixedType::parse("ap_fixed<5,-1>"), FixedType::parse("ap_fixed<1,1>"),
      FixedType::parse("ap_ufixed<6,6>"), FixedType::parse("ap_fixed<7,4>")};
  int k = 0;
  for (const FixedType& s : sources) check_source(s, targets(), tmp, "cast" + std::to_string(k++));
}

// A cast to an unsigned type whose result is read wider than its own width (here by an exact
// cast to a wide signed type, like the next layer's adders read it): the RTL must zero-extend
// the result. A non-negative source that cannot overflow the target used to have its top
// bits trimmed (the wrap only needs the target's width) and its new top bit, a magnitude bit
// of the unsigned result, was then sign-extended. One input per target, so that each source
// is read by its cast alone (another reader would keep the source's full width).
TEST(CastRtl, UnsignedResultReadWider) {
  TempDir tmp("casts_wide");
  std::vector<FixedType> ts;
  for (const FixedType& t : targets())
    if (t.overflow == Overflow::WRAP && t.sat_bits == 0) ts.push_back(t);
  int k = 0;
  for (const char* src : {"ap_ufixed<5,2>", "ap_ufixed<6,6>", "ap_fixed<6,3>"})
    check_source(FixedType::parse(src), ts, tmp, "wide" + std::to_string(k++), FixedType::parse("ap_fixed<16,8>"));
}
