#include "tachyon/support/npy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "tachyon/support/error.h"

namespace tachyon {
namespace {

// Builds a .npy byte string by hand: version, header dict text, raw data.
std::string make_npy(int version, const std::string& dict, const std::string& data) {
  std::string h = dict + "\n";
  std::string out = "\x93NUMPY";
  out += static_cast<char>(version);
  out += '\0';
  uint32_t n = static_cast<uint32_t>(h.size());
  for (int i = 0; i < (version == 1 ? 2 : 4); ++i) out += static_cast<char>((n >> (8 * i)) & 0xff);
  return out + h + data;
}

template <typename T>
std::string le_bytes(std::initializer_list<T> vals) {
  std::string s;
  for (T v : vals) {
    char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));  // the test machine is little-endian (x86-64)
    s.append(b, sizeof(T));
  }
  return s;
}

std::string error_of(const std::string& bytes) {
  try {
    npy_from_bytes(bytes, "bad.npy");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Npy, RoundTripFloat64) {
  NdArray a{{2, 3}, {1.5, -2.25, 0.0, 1e300, -0.0, 3.0}};
  std::string b = npy_to_bytes(a);
  EXPECT_EQ((b.size() - 48) % 64, 0u);                             // 6 doubles = 48 bytes of data
  NdArray r = npy_from_bytes(b, "x");
  EXPECT_EQ(r.shape, a.shape);
  EXPECT_EQ(r.data, a.data);
  EXPECT_TRUE(std::signbit(r.data[4]));
}

TEST(Npy, RoundTripInt64AndShapes) {
  for (std::vector<int64_t> shape : {std::vector<int64_t>{}, {5}, {0, 3}, {2, 1, 2}}) {
    NdArray a;
    a.shape = shape;
    a.data.resize(static_cast<size_t>(a.num_elements()));
    for (size_t i = 0; i < a.data.size(); ++i) a.data[i] = static_cast<double>(i) - 2;
    NdArray r = npy_from_bytes(npy_to_bytes(a, NpyDtype::Int64), "x");
    EXPECT_EQ(r, a);
    r = npy_from_bytes(npy_to_bytes(a), "x");
    EXPECT_EQ(r, a);
  }
  EXPECT_THROW(npy_to_bytes(NdArray{{1}, {0.5}}, NpyDtype::Int64), Error);
  EXPECT_THROW(npy_to_bytes(NdArray{{2}, {0.5}}), Error);
}

TEST(Npy, HeaderTextIsNumpyStyle) {
  std::string b = npy_to_bytes(NdArray{{3}, {1, 2, 3}});
  EXPECT_NE(b.find("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }"), std::string::npos);
  EXPECT_EQ(b[6], 1);
  EXPECT_EQ(b[b.size() - 24 - 1], '\n');
}

TEST(Npy, ReadsEveryDtype) {
  auto rd = [](const std::string& descr, const std::string& data, int n) {
    return npy_from_bytes(
        make_npy(1, "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + std::to_string(n) + ",), }",
                 data),
        "x");
  };
  EXPECT_EQ(rd("<f4", le_bytes<float>({0.1f, -3.0f}), 2).data, (std::vector<double>{double(0.1f), -3.0}));
  EXPECT_EQ(rd("|i1", le_bytes<int8_t>({-128, 127}), 2).data, (std::vector<double>{-128, 127}));
  EXPECT_EQ(rd("|u1", le_bytes<uint8_t>({255, 0}), 2).data, (std::vector<double>{255, 0}));
  EXPECT_EQ(rd("<i2", le_bytes<int16_t>({-300, 7}), 2).data, (std::vector<double>{-300, 7}));
  EXPECT_EQ(rd("<u2", le_bytes<uint16_t>({65535}), 1).data, (std::vector<double>{65535}));
  EXPECT_EQ(rd("<i4", le_bytes<int32_t>({-70000}), 1).data, (std::vector<double>{-70000}));
  EXPECT_EQ(rd("<u4", le_bytes<uint32_t>({4000000000u}), 1).data, (std::vector<double>{4e9}));
  EXPECT_EQ(rd("<i8", le_bytes<int64_t>({-(int64_t{1} << 40)}), 1).data, (std::vector<double>{-1099511627776.0}));
  EXPECT_EQ(rd("<u8", le_bytes<uint64_t>({uint64_t{1} << 63}), 1).data, (std::vector<double>{9223372036854775808.0}));
  EXPECT_EQ(rd("|b1", std::string("\x01\x00", 2), 2).data, (std::vector<double>{1, 0}));
  EXPECT_EQ(rd("<f2", le_bytes<uint16_t>({0x3c00, 0xc000, 0x0001}), 3).data,
            (std::vector<double>{1.0, -2.0, std::ldexp(1.0, -24)}));
  // Big-endian int16 0x0102 = 258.
  EXPECT_EQ(rd(">i2", std::string("\x01\x02", 2), 1).data, (std::vector<double>{258}));
  EXPECT_EQ(rd(">f8", std::string("\x3f\xf0\0\0\0\0\0\0", 8), 1).data, (std::vector<double>{1.0}));
}

TEST(Npy, ReadsVersions2And3AndOddSpacing) {
  std::string d = le_bytes<double>({1, 2, 3, 4});
  for (int v : {2, 3}) {
    NdArray a = npy_from_bytes(make_npy(v, "{\"descr\":\"<f8\",\"fortran_order\":False,\"shape\":(2,2)}", d), "x");
    EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 2}));
    EXPECT_EQ(a.data, (std::vector<double>{1, 2, 3, 4}));
  }
  NdArray s = npy_from_bytes(make_npy(1, "{'shape': (), 'fortran_order': False, 'descr': '<f8'}", le_bytes<double>({7})), "x");
  EXPECT_TRUE(s.shape.empty());
  EXPECT_EQ(s.data, std::vector<double>{7});
}

TEST(Npy, ReadsTestDataFile) {
  NdArray a = read_npy(std::string(TACHYON_TEST_DATA) + "/models/jet_mlp.inputs.npy");
  EXPECT_EQ(a.shape, (std::vector<int64_t>{1000, 16}));
  EXPECT_EQ(a.data.size(), 16000u);
  for (double v : a.data) EXPECT_EQ(v, static_cast<double>(static_cast<float>(v)));  // float32 source
}

TEST(Npy, ClearErrors) {
  std::string good_dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";
  std::string d = le_bytes<double>({1, 2});
  EXPECT_EQ(error_of(make_npy(1, good_dict, d)), "");
  EXPECT_NE(error_of("hello").find("bad.npy: not a .npy file"), std::string::npos);
  EXPECT_NE(error_of(make_npy(1, good_dict, d.substr(0, 12))).find("truncated"), std::string::npos);
  EXPECT_NE(error_of(make_npy(1, good_dict, d).substr(0, 20)).find("truncated"), std::string::npos);
  EXPECT_NE(error_of(make_npy(1, good_dict, d + "xx")).find("2 bytes after the data"), std::string::npos);
  EXPECT_NE(error_of(make_npy(1, "{'descr': '<f8', 'fortran_order': True, 'shape': (2,), }", d)).find("Fortran order"),
            std::string::npos);
  EXPECT_NE(error_of(make_npy(1, "{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", d)).find("unsupported"),
            std::string::npos);
  EXPECT_NE(error_of(make_npy(1, "{'descr': [('a','<f8')], 'fortran_order': False, 'shape': (1,), }", d))
                .find("structured"),
            std::string::npos);
  EXPECT_NE(error_of(make_npy(1, "{'descr': '<f8', 'fortran_order': False}", d)).find("lacks"), std::string::npos);
  EXPECT_NE(error_of(make_npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (-2,)}", d)).find("header"),
            std::string::npos);
  EXPECT_NE(error_of(make_npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 16)}", d))
                .find("bad.npy"),
            std::string::npos);
  std::string v9 = make_npy(1, good_dict, d);
  v9[6] = 9;
  EXPECT_NE(error_of(v9).find("version 9.0"), std::string::npos);
}

TEST(Npy, FileIo) {
  auto dir = std::filesystem::temp_directory_path() / ("tachyon_npy_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string p = (dir / "a.npy").string();
  NdArray a{{2}, {3.5, -1}};
  write_npy(p, a);
  EXPECT_EQ(read_npy(p), a);
  write_npy(p, NdArray{{1}, {4}}, NpyDtype::Int64);  // overwriting is allowed
  EXPECT_EQ(read_npy(p).data, std::vector<double>{4});
  try {
    read_npy((dir / "missing.npy").string());
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("missing.npy"), std::string::npos);
  }
  std::filesystem::remove_all(dir);
}


// The chunked reader gives the same values as the whole-array reader for every dtype,
// including a big-endian one, and in chunks that do not divide the rows.
TEST(NpyReader, ChunksMatchWholeArray) {
  std::string d = le_bytes<int16_t>({1, -2, 3, -4, 5, -6, 7, -8, 9, -10});
  std::string bytes = make_npy(1, "{'descr': '<i2', 'fortran_order': False, 'shape': (5, 2), }", d);
  NdArray whole = npy_from_bytes(bytes, "x.npy");
  NpyReader r(bytes, "x.npy");
  EXPECT_EQ(r.shape(), (std::vector<int64_t>{5, 2}));
  EXPECT_EQ(r.rows(), 5);
  EXPECT_EQ(r.row_elements(), 2);
  NdArray a = r.read_rows(2), b = r.read_rows(2), c = r.read_rows(1);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(c.shape, (std::vector<int64_t>{1, 2}));
  std::vector<double> all = a.data;
  all.insert(all.end(), b.data.begin(), b.data.end());
  all.insert(all.end(), c.data.begin(), c.data.end());
  EXPECT_EQ(all, whole.data);
  EXPECT_EQ(all, (std::vector<double>{1, -2, 3, -4, 5, -6, 7, -8, 9, -10}));
  EXPECT_EQ(r.rows_left(), 0);
  EXPECT_THROW(r.read_rows(1), Error);
  // 0-d array: one "row".
  NpyReader s(make_npy(1, "{'descr': '>f8', 'fortran_order': False, 'shape': (), }", std::string("\x40\x04\0\0\0\0\0\0", 8)),
              "s.npy");
  EXPECT_EQ(s.read_all(), (NdArray{{}, {2.5}}));
}

// Header problems are found on construction, with the same messages as npy_from_bytes.
TEST(NpyReader, HeaderErrorsOnConstruction) {
  std::string d = le_bytes<double>({1, 2, 3});
  for (const std::string& bytes :
       {make_npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }", d),
        make_npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", d),
        make_npy(1, "{'descr': '<c8', 'fortran_order': False, 'shape': (3,), }", d), std::string("\x93NUMPY\x01", 7)}) {
    std::string whole, chunked;
    try {
      npy_from_bytes(bytes, "bad.npy");
    } catch (const Error& e) {
      whole = e.what();
    }
    try {
      NpyReader r(bytes, "bad.npy");
    } catch (const Error& e) {
      chunked = e.what();
    }
    EXPECT_FALSE(whole.empty());
    EXPECT_EQ(whole, chunked);
  }
}

// NpyWriter: a fixed shape, rows appended, the file appears only on commit; without commit
// nothing is left (neither the file nor its temporary).
TEST(NpyWriter, IncrementalAndAllOrNothing) {
  auto dir = std::filesystem::temp_directory_path() / ("tachyon_npyw_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string p = (dir / "y.npy").string();
  {
    NpyWriter w(p, {3, 2});
    w.write_rows(NdArray{{2, 2}, {1, 2, 3, 4}});
    EXPECT_FALSE(std::filesystem::exists(p));
    EXPECT_THROW(w.write_rows(NdArray{{1, 3}, {5, 6, 7}}), Error);  // wrong row shape
    w.write_rows(NdArray{{1, 2}, {5, 6}});
    EXPECT_THROW(w.write_rows(NdArray{{1, 2}, {7, 8}}), Error);     // more rows than the shape
    w.commit();
  }
  EXPECT_EQ(read_npy(p), (NdArray{{3, 2}, {1, 2, 3, 4, 5, 6}}));
  EXPECT_EQ(npy_to_bytes(read_npy(p)), npy_to_bytes(NdArray{{3, 2}, {1, 2, 3, 4, 5, 6}}));
  {
    NpyWriter w(p, {4, 2});
    w.write_rows(NdArray{{1, 2}, {9, 9}});
    EXPECT_THROW(w.commit(), Error);  // only 1 of 4 rows
  }
  EXPECT_EQ(read_npy(p), (NdArray{{3, 2}, {1, 2, 3, 4, 5, 6}}));  // the old file is untouched
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++entries;
  EXPECT_EQ(entries, 1u);  // no temporary left
  std::filesystem::remove_all(dir);
}

// A temporary left by a killed writer (its process no longer runs) is removed by the next
// writer of the same file; one of a running process is not.
TEST(NpyWriter, RemovesStaleTemporaries) {
  auto dir = std::filesystem::temp_directory_path() / ("tachyon_npys_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string p = (dir / "y.npy").string();
  // PID 2^22 + 1 is above Linux's pid_max limit (2^22), so no process has it.
  std::ofstream(p + ".tmp-4194305") << "stale";
  std::ofstream(p + ".tmp-" + std::to_string(::getppid())) << "running";
  write_npy(p, NdArray{{1}, {1}});
  EXPECT_FALSE(std::filesystem::exists(p + ".tmp-4194305"));
  EXPECT_TRUE(std::filesystem::exists(p + ".tmp-" + std::to_string(::getppid())));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tachyon
