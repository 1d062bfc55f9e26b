// HLS backend: template rendering, literals, testbench data conversion, report parsing.
#include <gtest/gtest.h>

#include <cmath>

#include "tachyon/backends/hls.h"
#include "tachyon/support/error.h"

using namespace tachyon;
using namespace tachyon::backends::hls;

TEST(HlsRender, ReplacesNamedPlaceholders) {
  EXPECT_EQ(render("a {{x}} b {{y_2}} {{x}}", {{"x", "1"}, {"y_2", "two"}}), "a 1 b two 1");
  // Braces that are not a placeholder are kept (Tcl, C++ initialisers).
  EXPECT_EQ(render("set_part {{{part}}}; int a[1][1] = {{0}}; {{ x }}", {{"part", "xc7"}}),
            "set_part {xc7}; int a[1][1] = {{0}}; {{ x }}");
}

TEST(HlsRender, MissingOrUnusedValuesAreErrors) {
  EXPECT_THROW(render("{{x}}", {}), Error);
  EXPECT_THROW(render("no placeholder", {{"x", "1"}}), Error);
  try {
    render("{{oops}}", {}, "Makefile");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("Makefile"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("oops"), std::string::npos);
  }
}

TEST(HlsLiterals, DoubleLiteralsRoundTrip) {
  for (double d : {0.1, -2.5, 1e-300, 123456789.0, 3.0, 0.0009765625, -1e22, 5e-324}) {
    std::string s = double_literal(d);
    EXPECT_EQ(std::strtod(s.c_str(), nullptr), d) << s;
    EXPECT_NE(s.find_first_of(".en"), std::string::npos) << s;  // a double literal, not an int
  }
  EXPECT_EQ(double_literal(HUGE_VAL), "HUGE_VAL");
  EXPECT_EQ(double_literal(-HUGE_VAL), "-HUGE_VAL");
  EXPECT_EQ(double_literal(-0.0), "0");
  EXPECT_THROW(double_literal(std::nan("")), Error);
}

TEST(HlsLiterals, ExactLiteralOfFixedValues) {
  FixedType t = FixedType::parse("ap_fixed<16,6>");
  Fixed v = Fixed::from_double(0.1, t);  // 0.099609375
  std::string s = exact_literal(v);
  EXPECT_EQ(Fixed::from_double(std::strtod(s.c_str(), nullptr), t), v);
  EXPECT_EQ(std::strtod(s.c_str(), nullptr), v.to_double());
  EXPECT_EQ(exact_literal(Fixed(t)), "0");
  // 60 significant bits are not a double: no exact literal.
  FixedType w = FixedType::parse("ap_fixed<64,4>");
  Fixed big = Fixed::from_bits_hex("0x0fffffffffffffff", w);
  EXPECT_EQ(exact_literal(big), "");
  // Wide type, few significant bits: exact.
  Fixed small = Fixed::from_double(-3.25, w);
  EXPECT_EQ(exact_literal(small), double_literal(-3.25));
}

namespace {
nlohmann::json port(const std::string& name, std::vector<int64_t> user, std::vector<int64_t> perm,
                    std::vector<int64_t> shape, const std::string& type = "ap_fixed<16,6>") {
  return {{"name", name}, {"user_shape", user}, {"perm", perm}, {"shape", shape}, {"type", type}, {"array", name}};
}
}  // namespace

TEST(HlsTestbenchData, InputIsWrittenInInternalOrder) {
  // User layout (C=2, L=3) channels-first; internal (L, C): perm [1, 0].
  nlohmann::json ports = nlohmann::json::array({port("x", {2, 3}, {1, 0}, {3, 2})});
  NdArray a({2, 2, 3}, {0, 1, 2, 10, 11, 12, 0.1, 0.2, 0.3, -1, -2, -3});
  std::string s = make_tb_input({a}, ports);
  EXPECT_EQ(s,
            "0 10 1 11 2 12\n"
            "0.10000000000000001 -1 0.20000000000000001 -2 0.29999999999999999 -3\n");
  // A single sample without the batch axis.
  NdArray one({2, 3}, {0, 1, 2, 10, 11, 12});
  EXPECT_EQ(make_tb_input({one}, ports), "0 10 1 11 2 12\n");
  NdArray bad({4, 3}, std::vector<double>(12, 0.0));
  EXPECT_THROW(make_tb_input({bad}, ports), Error);
}

TEST(HlsTestbenchData, OutputsBackToUserLayoutIncludingHex) {
  nlohmann::json ports = nlohmann::json::array(
      {port("y", {2, 2}, {1, 0}, {2, 2}), port("z", {1}, {}, {1}, "ap_fixed<64,8>")});
  // y internal [[a, b], [c, d]] = user transposed; z as raw hex (64 bits: 1.5 = 0x018...).
  std::string log = "1 2 3 4 0x0180000000000000\n\n0.5 -0.25 0 1e-3 0xff00000000000000\n";
  std::vector<NdArray> out = parse_tb_output(log, ports, "log");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].shape, (std::vector<int64_t>{2, 2, 2}));
  EXPECT_EQ(out[0].data, (std::vector<double>{1, 3, 2, 4, 0.5, 0, -0.25, 1e-3}));
  EXPECT_EQ(out[1].shape, (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(out[1].data, (std::vector<double>{1.5, -1.0}));
  EXPECT_THROW(parse_tb_output("1 2 3\n", ports, "log"), Error);
  EXPECT_THROW(parse_tb_output("1 2 x 4 5\n", ports, "log"), Error);
}

namespace {
// A report in the layout Vitis HLS writes (values made up for the test).
const char* kVitisXml = R"(<?xml version="1.0" encoding="UTF-8"?>
<profile>
  <ReportVersion>
    <Version>2023.2</Version>
  </ReportVersion>
  <UserAssignments>
    <unit>ns</unit>
    <ProductFamily>virtexuplus</ProductFamily>
    <Part>xcvu9p-flga2104-2L-e</Part>
    <TopModelName>myproject</TopModelName>
    <TargetClockPeriod>5.00</TargetClockPeriod>
  </UserAssignments>
  <PerformanceEstimates>
    <SummaryOfTimingAnalysis>
      <unit>ns</unit>
      <EstimatedClockPeriod>4.123</EstimatedClockPeriod>
    </SummaryOfTimingAnalysis>
    <SummaryOfOverallLatency>
      <unit>clock cycles</unit>
      <Best-caseLatency>7</Best-caseLatency>
      <Average-caseLatency>8</Average-caseLatency>
      <Worst-caseLatency>9</Worst-caseLatency>
      <Interval-min>1</Interval-min>
      <Interval-max>2</Interval-max>
    </SummaryOfOverallLatency>
  </PerformanceEstimates>
  <AreaEstimates>
    <Resources>
      <BRAM_18K>2</BRAM_18K>
      <DSP>40</DSP>
      <FF>1234</FF>
      <LUT>5678</LUT>
      <URAM>0</URAM>
    </Resources>
    <AvailableResources>
      <BRAM_18K>4320</BRAM_18K>
      <DSP>6840</DSP>
      <FF>2364480</FF>
      <LUT>1182240</LUT>
      <URAM>960</URAM>
    </AvailableResources>
  </AreaEstimates>
</profile>
)";
}  // namespace

TEST(HlsReport, ParsesVitisReport) {
  nlohmann::json r = parse_csynth_xml(kVitisXml, "csynth.xml");
  EXPECT_EQ(r["top"], "myproject");
  EXPECT_EQ(r["part"], "xcvu9p-flga2104-2L-e");
  EXPECT_EQ(r["clock_period_ns"], 5.0);
  EXPECT_EQ(r["estimated_clock_ns"], 4.123);
  EXPECT_EQ(r["latency_min"], 7);
  EXPECT_EQ(r["latency_max"], 9);
  EXPECT_EQ(r["interval_min"], 1);
  EXPECT_EQ(r["interval_max"], 2);
  EXPECT_EQ(r["resources"]["LUT"], 5678);
  EXPECT_EQ(r["resources"]["FF"], 1234);
  EXPECT_EQ(r["resources"]["DSP"], 40);
  EXPECT_EQ(r["resources"]["BRAM_18K"], 2);
  EXPECT_EQ(r["available"]["DSP"], 6840);
  std::string t = format_report(r);
  EXPECT_NE(t.find("7 .. 9"), std::string::npos) << t;
  EXPECT_NE(t.find("5678"), std::string::npos) << t;
}

TEST(HlsReport, VivadoDspNameAndUndefLatency) {
  std::string xml = kVitisXml;
  xml.replace(xml.find("<DSP>40</DSP>"), 13, "<DSP48E>12</DSP48E>");
  xml.replace(xml.find("<Worst-caseLatency>9"), 20, "<Worst-caseLatency>undef");
  nlohmann::json r = parse_csynth_xml(xml, "csynth.xml");
  EXPECT_EQ(r["resources"]["DSP"], 12);
  EXPECT_EQ(r["latency_max"], "undef");
  EXPECT_THROW(parse_csynth_xml("<html></html>", "x.xml"), Error);
  // A report cut short (tool killed while writing it): an error naming the file, not a guess.
  try {
    parse_csynth_xml(std::string(kVitisXml).substr(0, 400), "cut.xml");
    ADD_FAILURE() << "truncated report accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cut.xml: not an XML file"), std::string::npos) << e.what();
  }
}
