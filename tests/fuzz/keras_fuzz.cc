// The Keras fuzz targets (see keras_fuzz.h): the model JSON with weights made up, HDF5 files
// and .keras archives assembled from a description, and raw .keras archive bytes.
#include "fuzz/keras_fuzz.h"

#include <hdf5.h>
#include <zip.h>

#include <cstdlib>
#include <cstring>
#include <optional>
#include <sstream>
#include <vector>

#include "frontends/keras/model.h"
#include "fuzz/fuzz_common.h"

namespace tachyon::fuzz {

namespace {

using frontends::keras_import::Model;

// Closes an HDF5 identifier when leaving scope (negative ones are failed calls: nothing to close).
struct H5Id {
  hid_t id;
  herr_t (*close)(hid_t);
  ~H5Id() {
    if (id >= 0) close(id);
  }
};

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> w;
  std::string s;
  while (in >> s) w.push_back(s);
  return w;
}

// A made-up value for element i (small numbers on a 1/8 grid, some negative).
double value_at(size_t i) { return static_cast<double>(static_cast<int>(i % 13) - 6) / 8.0; }

hid_t file_type(const std::string& t) {
  if (t == "f32") return H5T_IEEE_F32LE;
  if (t == "f32be") return H5T_IEEE_F32BE;
  if (t == "f64") return H5T_IEEE_F64LE;
  if (t == "i8") return H5T_STD_I8LE;
  if (t == "i64") return H5T_STD_I64LE;
  if (t == "u8") return H5T_STD_U8LE;
  return -1;
}

// A dataset `data PATH TYPE DIM... [= VALUE]`: the data (VALUE everywhere, or value_at) is
// written when it has at most 2^16 elements, otherwise the dataset is only declared (reads
// give the fill value).
void add_dataset(hid_t file, hid_t lcpl, std::vector<std::string> w) {
  std::optional<double> fill;
  if (w.size() >= 5 && w[w.size() - 2] == "=") {
    fill = std::strtod(w.back().c_str(), nullptr);
    w.resize(w.size() - 2);
  }
  if (w.size() < 3 || w.size() > 3 + H5S_MAX_RANK) return;
  std::vector<hsize_t> dims;
  size_t n = 1;
  bool small = true;
  for (size_t i = 3; i < w.size(); ++i) {
    const hsize_t d = std::strtoull(w[i].c_str(), nullptr, 10);
    dims.push_back(d);
    if (d > 65536 || (d > 0 && n > 65536 / d)) small = false;
    else n *= static_cast<size_t>(d);
  }
  H5Id space{dims.empty() ? H5Screate(H5S_SCALAR) : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
             H5Sclose};
  if (space.id < 0) return;
  const bool str = w[2] == "str";
  H5Id strtype{str ? H5Tcopy(H5T_C_S1) : -1, H5Tclose};
  if (str) H5Tset_size(strtype.id, 8);
  const hid_t type = str ? strtype.id : file_type(w[2]);
  if (type < 0) return;
  H5Id ds{H5Dcreate2(file, w[1].c_str(), type, space.id, lcpl, H5P_DEFAULT, H5P_DEFAULT), H5Dclose};
  if (ds.id < 0 || !small || n == 0) return;
  if (str) {
    std::string buf(8 * n, 'a');
    H5Dwrite(ds.id, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data());
  } else {
    std::vector<double> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = fill ? *fill : value_at(i);
    H5Dwrite(ds.id, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
  }
}

// An attribute `attr PATH NAME KIND ARGS...` on an existing object ("/" the root).
//   strings A B ...   fixed-length strings (as h5py writes numpy byte strings)
//   vstrings A B ...  variable-length strings (as h5py writes str)
//   numbers N         N float64 values (beyond 2^16: N bytes, all 1)
void add_attribute(hid_t file, const std::vector<std::string>& w) {
  if (w.size() < 4) return;
  const std::string& kind = w[3];
  const std::vector<std::string> items(w.begin() + 4, w.end());
  if (kind == "numbers") {
    const hsize_t n = items.empty() ? 0 : std::strtoull(items[0].c_str(), nullptr, 10);
    if (n > (hsize_t{1} << 20)) return;
    // Beyond 2^16 values (which reach the reader's limit of a million list items), one byte
    // each: the file then holds 1 MB rather than 8, which is written and copied several
    // times per input.
    const hid_t type = n > (hsize_t{1} << 16) ? H5T_STD_U8LE : H5T_IEEE_F64LE;
    H5Id space{H5Screate_simple(1, &n, nullptr), H5Sclose};
    H5Id a{H5Acreate_by_name(file, w[1].c_str(), w[2].c_str(), type, space.id, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
           H5Aclose};
    if (a.id < 0 || n == 0) return;
    if (type == H5T_STD_U8LE) {
      const std::vector<unsigned char> v(static_cast<size_t>(n), 1);
      H5Awrite(a.id, H5T_NATIVE_UCHAR, v.data());
    } else {
      std::vector<double> v(static_cast<size_t>(n));
      for (size_t i = 0; i < v.size(); ++i) v[i] = value_at(i);
      H5Awrite(a.id, H5T_NATIVE_DOUBLE, v.data());
    }
    return;
  }
  if (kind != "strings" && kind != "vstrings") return;
  const hsize_t n = items.size();
  H5Id space{H5Screate_simple(1, &n, nullptr), H5Sclose};
  H5Id type{H5Tcopy(H5T_C_S1), H5Tclose};
  size_t len = 1;
  for (const std::string& s : items) len = std::max(len, s.size());
  H5Tset_size(type.id, kind == "vstrings" ? H5T_VARIABLE : len);
  H5Id a{H5Acreate_by_name(file, w[1].c_str(), w[2].c_str(), type.id, space.id, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
         H5Aclose};
  if (a.id < 0 || n == 0) return;
  if (kind == "vstrings") {
    std::vector<const char*> p;
    for (const std::string& s : items) p.push_back(s.c_str());
    H5Awrite(a.id, type.id, p.data());
  } else {
    std::string buf;
    for (const std::string& s : items) buf += s + std::string(len - s.size(), '\0');
    H5Awrite(a.id, type.id, buf.data());
  }
}

// The string attribute model_config on the root (`config` directive: vstring, fixed, numbers, none).
void add_model_config(hid_t file, const std::string& json, const std::string& how) {
  if (how == "none") return;
  if (how == "numbers") return add_attribute(file, {"attr", "/", "model_config", "numbers", "3"});
  H5Id space{H5Screate(H5S_SCALAR), H5Sclose};
  H5Id type{H5Tcopy(H5T_C_S1), H5Tclose};
  const bool fixed = how == "fixed";
  H5Tset_size(type.id, fixed ? std::max<size_t>(json.size(), 1) : H5T_VARIABLE);
  H5Id a{H5Acreate2(file, "model_config", type.id, space.id, H5P_DEFAULT, H5P_DEFAULT), H5Aclose};
  if (a.id < 0) return;
  const char* p = json.c_str();
  H5Awrite(a.id, type.id, fixed ? static_cast<const void*>(p) : static_cast<const void*>(&p));
}

// The HDF5 file the description's object lines give, as bytes.
std::string make_h5(const std::vector<std::vector<std::string>>& lines, const std::string* model_config,
                    const std::string& config_how, bool latest) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  // HDF5 keeps the blocks it frees for reuse, however large: otherwise its per-file
  // structures (about a megabyte) go back to the system and are mapped and zeroed again for
  // every file this target creates and opens, which made it 10 times slower.
  static const herr_t unlimited = H5set_free_list_limits(-1, -1, -1, -1, -1, -1);
  (void)unlimited;
  // In memory only: the core driver without a backing store keeps the file in a buffer
  // allocated through the callbacks below, and hands it to image_free when the file closes;
  // the image is taken there, after HDF5 has written the closed file's final superblock.
  // (H5Fget_file_image on the open file gives an image whose superblock checksum is wrong
  // with the newer formats, and a backing store would write a file to disk per input.)
  H5Id fapl{H5Pcreate(H5P_FILE_ACCESS), H5Pclose};
  H5Pset_fapl_core(fapl.id, 1 << 16, 0);
  if (latest) H5Pset_libver_bounds(fapl.id, H5F_LIBVER_V18, H5F_LIBVER_LATEST);
  std::string image;
  H5FD_file_image_callbacks_t callbacks{};
  callbacks.image_malloc = [](size_t size, H5FD_file_image_op_t, void* udata) {
    static_cast<std::pair<std::string*, size_t>*>(udata)->second = size;
    return std::malloc(size);
  };
  callbacks.image_memcpy = [](void* dest, const void* src, size_t size, H5FD_file_image_op_t, void*) {
    return std::memcpy(dest, src, size);
  };
  callbacks.image_realloc = [](void* p, size_t size, H5FD_file_image_op_t, void* udata) {
    static_cast<std::pair<std::string*, size_t>*>(udata)->second = size;
    return std::realloc(p, size);
  };
  callbacks.image_free = [](void* p, H5FD_file_image_op_t op, void* udata) -> herr_t {
    auto* out = static_cast<std::pair<std::string*, size_t>*>(udata);
    if (op == H5FD_FILE_IMAGE_OP_FILE_CLOSE && p) out->first->assign(static_cast<const char*>(p), out->second);
    std::free(p);
    return 0;
  };
  // Where the image goes, and the buffer's size as last allocated (a multiple of 64 KiB,
  // zeros after the file's end), which the image_free callback does not receive.
  std::pair<std::string*, size_t> capture{&image, 0};
  callbacks.udata = &capture;
  callbacks.udata_copy = [](void* udata) { return udata; };
  callbacks.udata_free = [](void*) -> herr_t { return 0; };
  H5Pset_file_image_callbacks(fapl.id, &callbacks);
  H5Id file{H5Fcreate("tachyon_fuzz_made.h5", H5F_ACC_TRUNC, H5P_DEFAULT, fapl.id), H5Fclose};
  if (file.id < 0) return {};
  H5Id lcpl{H5Pcreate(H5P_LINK_CREATE), H5Pclose};
  H5Pset_create_intermediate_group(lcpl.id, 1);
  if (model_config) add_model_config(file.id, *model_config, config_how);
  for (const auto& w : lines) {
    if (w[0] == "group" && w.size() == 2) {
      H5Id g{H5Gcreate2(file.id, w[1].c_str(), lcpl.id, H5P_DEFAULT, H5P_DEFAULT), H5Gclose};
    } else if (w[0] == "data") {
      add_dataset(file.id, lcpl.id, w);
    } else if (w[0] == "attr") {
      add_attribute(file.id, w);
    } else if (w[0] == "softlink" && w.size() == 3) {
      H5Lcreate_soft(w[2].c_str(), file.id, w[1].c_str(), lcpl.id, H5P_DEFAULT);
    } else if (w[0] == "hardlink" && w.size() == 3) {
      H5Lcreate_hard(file.id, w[2].c_str(), file.id, w[1].c_str(), lcpl.id, H5P_DEFAULT);
    }
  }
  H5Fclose(file.id);
  file.id = -1;
  H5Eclear2(H5E_DEFAULT);
  return image;
}

// A zip archive of `members` (name, bytes), stored or deflated, as bytes.
std::string make_zip(const std::vector<std::pair<std::string, std::string>>& members, bool deflate) {
  zip_error_t ze;
  zip_error_init(&ze);
  zip_source_t* src = zip_source_buffer_create(nullptr, 0, 0, &ze);
  zip_error_fini(&ze);
  if (!src) return {};
  zip_source_keep(src);
  zip_t* z = zip_open_from_source(src, ZIP_TRUNCATE, nullptr);
  std::string out;
  if (z) {
    for (const auto& [name, data] : members) {
      zip_source_t* s = zip_source_buffer(z, data.data(), data.size(), 0);
      const zip_int64_t i = s ? zip_file_add(z, name.c_str(), s, ZIP_FL_OVERWRITE | ZIP_FL_ENC_UTF_8) : -1;
      if (s && i < 0) zip_source_free(s);
      if (i >= 0) zip_set_file_compression(z, static_cast<zip_uint64_t>(i), deflate ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0);
    }
    if (zip_close(z) != 0) zip_discard(z);
    zip_stat_t st;
    if (zip_source_stat(src, &st) == 0 && (st.valid & ZIP_STAT_SIZE) && zip_source_open(src) == 0) {
      out.resize(static_cast<size_t>(st.size));
      if (zip_source_read(src, out.data(), out.size()) != static_cast<zip_int64_t>(out.size())) out.clear();
      zip_source_close(src);
    }
  }
  zip_source_free(src);
  return out;
}

// The file a keras_h5 description stands for (see keras_fuzz.h), with the name it is read under.
std::pair<std::string, std::string> assemble(const std::string& bytes) {
  std::string json = bytes, rest;
  const size_t sep = bytes.find("\n%%\n");
  if (sep != std::string::npos) {
    json = bytes.substr(0, sep);
    rest = bytes.substr(sep + 4);
  }
  std::vector<std::vector<std::string>> lines;
  std::vector<std::pair<std::string, std::string>> members;
  bool keras3 = false, weights_member = true, latest = false, deflate = false;
  std::string config_how = "vstring";
  std::istringstream in(rest);
  std::string line;
  while (std::getline(in, line) && lines.size() < 512) {
    std::vector<std::string> w = words(line);
    if (w.empty()) continue;
    if (w[0] == "keras3") {
      keras3 = true;
      for (size_t i = 1; i < w.size(); ++i) {
        weights_member = weights_member && w[i] != "noweights";
        deflate = deflate || w[i] == "deflate";
      }
    } else if (w[0] == "latest") {
      latest = true;
    } else if (w[0] == "config" && w.size() == 2) {
      config_how = w[1];
    } else if (w[0] == "member" && w.size() >= 2) {
      // The rest of the line after the name is the member's text.
      const size_t at = line.find(w[1]) + w[1].size();
      members.emplace_back(w[1], at < line.size() ? line.substr(at + 1) : std::string());
    } else {
      lines.push_back(std::move(w));
    }
  }
  if (!keras3) return {make_h5(lines, &json, config_how, latest), "fuzz.h5"};
  std::vector<std::pair<std::string, std::string>> all{{"metadata.json", "{\"keras_version\": \"3.3.3\"}"},
                                                       {"config.json", json}};
  if (weights_member) all.emplace_back("model.weights.h5", make_h5(lines, nullptr, config_how, latest));
  all.insert(all.end(), members.begin(), members.end());
  return {make_zip(all, deflate), "fuzz.keras"};
}

}  // namespace

bool is_keras_target(const std::string& target) {
  return target == "keras_json" || target == "keras_h5" || target == "keras_zip";
}

void keras_entry(const std::string& target, const std::string& bytes) {
  Model m;
  if (target == "keras_json") {
    m = frontends::keras_import::read_model_image(bytes, "fuzz.json");
    m.make_up_missing_weights = true;
  } else if (target == "keras_h5") {
    auto [file, name] = assemble(bytes);
    if (file.empty()) return;  // the description made no file (HDF5 / libzip refused it)
    m = frontends::keras_import::read_model_image(std::move(file), name);
  } else {
    m = frontends::keras_import::read_model_image(bytes, "fuzz.keras");
  }
  compile_and_build(frontends::keras_import::build_graph(m), nlohmann::json::object(), "");
}

std::string keras_h5_file(const std::string& description) { return assemble(description).first; }

}  // namespace tachyon::fuzz
