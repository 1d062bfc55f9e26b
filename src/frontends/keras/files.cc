// HDF5 and zip access for the Keras frontend (see files.h).
#include "frontends/keras/files.h"

#include <hdf5.h>
#include <zip.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <fstream>

#include "tachyon/support/error.h"

namespace tachyon::frontends::keras_import {

namespace {

static_assert(sizeof(hid_t) == sizeof(int64_t), "hid_t is 64-bit since HDF5 1.10");

// Silences HDF5's automatic error stack printing once per process.
void quiet_hdf5() {
  static const bool done = [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)done;
}

// HDF5's own account of the last failed call: the descriptions on its error stack (innermost
// first, repeated ones once), e.g. "truncated file: eof = 2048, sblock->base_addr = 0, stored_eof
// = 9760; unable to open file". Clears the stack.
herr_t collect_h5_error(unsigned n, const H5E_error2_t* e, void* data) {
  auto* out = static_cast<std::vector<std::string>*>(data);
  if (n < 8 && e && e->desc && *e->desc &&
      std::find(out->begin(), out->end(), std::string(e->desc)) == out->end())
    out->emplace_back(e->desc);
  return 0;
}

std::string h5_error_text() {
  std::vector<std::string> msgs;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, collect_h5_error, &msgs);
  H5Eclear2(H5E_DEFAULT);
  std::string s;
  for (const std::string& m : msgs) s += (s.empty() ? "" : "; ") + m;
  return s.empty() ? std::string("no detail") : s;
}

// Throws `what` (which names the file and the object) with HDF5's message appended.
[[noreturn]] void h5_fail(const std::string& what) { fail("{} (HDF5: {})", what, h5_error_text()); }

// Closes an HDF5 identifier when leaving scope.
struct Hid {
  hid_t id = -1;
  herr_t (*close)(hid_t) = nullptr;
  Hid(hid_t i, herr_t (*c)(hid_t)) : id(i), close(c) {}
  ~Hid() {
    if (id >= 0 && close) close(id);
  }
  Hid(const Hid&) = delete;
  Hid& operator=(const Hid&) = delete;
  bool ok() const { return id >= 0; }
};

std::vector<std::string> split_path(const std::string& p) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : p) {
    if (c == '/') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

std::string file_head(const std::string& path, size_t n) {
  std::ifstream f(path, std::ios::binary);
  std::string s(n, '\0');
  f.read(s.data(), static_cast<std::streamsize>(n));
  s.resize(static_cast<size_t>(f.gcount()));
  return s;
}

int64_t checked_elements(const std::vector<hsize_t>& dims) {
  int64_t n = 1;
  for (hsize_t d : dims) {
    if (d > static_cast<hsize_t>(kMaxTensorElements)) return -1;
    n *= static_cast<int64_t>(d);
    if (n > kMaxTensorElements) return -1;
  }
  return n;
}

// Reads the strings held by an attribute of string type.
std::vector<std::string> read_strings(hid_t attr, hid_t ftype, int64_t n, const std::string& what) {
  std::vector<std::string> out;
  if (n == 0) return out;
  if (H5Tis_variable_str(ftype) > 0) {
    Hid mt(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mt.id, H5T_VARIABLE);
    H5Tset_cset(mt.id, H5Tget_cset(ftype));
    std::vector<char*> buf(static_cast<size_t>(n), nullptr);
    if (H5Aread(attr, mt.id, buf.data()) < 0) h5_fail(what + ": cannot read");
    for (char* s : buf) out.emplace_back(s ? s : "");
    Hid space(H5Aget_space(attr), H5Sclose);
    H5Dvlen_reclaim(mt.id, space.id, H5P_DEFAULT, buf.data());
    return out;
  }
  const size_t len = H5Tget_size(ftype);
  if (len == 0 || len > (size_t{1} << 30) / static_cast<size_t>(n)) fail("{}: invalid string size", what);
  Hid mt(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(mt.id, len);
  H5Tset_strpad(mt.id, H5T_STR_NULLPAD);
  std::string buf(len * static_cast<size_t>(n), '\0');
  if (H5Aread(attr, mt.id, buf.data()) < 0) h5_fail(what + ": cannot read");
  for (int64_t i = 0; i < n; ++i) {
    std::string s = buf.substr(static_cast<size_t>(i) * len, len);
    s.resize(std::strlen(s.c_str()));
    out.push_back(s);
  }
  return out;
}

}  // namespace

std::shared_ptr<H5File> H5File::open(const std::string& path, const std::string& display) {
  quiet_hdf5();
  if (!looks_like_hdf5(path)) fail("{}: not an HDF5 file (no HDF5 signature)", display);
  std::shared_ptr<H5File> f(new H5File());
  f->display_ = display;
  f->id_ = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f->id_ < 0) h5_fail(display + ": the HDF5 file cannot be opened (truncated or damaged)");
  return f;
}

std::shared_ptr<H5File> H5File::open_image(std::string bytes, const std::string& display) {
  quiet_hdf5();
  if (bytes.size() < 8 || bytes.compare(0, 8, "\x89HDF\r\n\x1a\n") != 0)
    fail("{}: not an HDF5 file (no HDF5 signature)", display);
  std::shared_ptr<H5File> f(new H5File());
  f->display_ = display;
  f->image_ = std::move(bytes);
  Hid fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  if (!fapl.ok() || H5Pset_fapl_core(fapl.id, 1 << 16, 0) < 0 ||
      H5Pset_file_image(fapl.id, f->image_.data(), f->image_.size()) < 0)
    h5_fail(display + ": cannot set up an in-memory HDF5 file");
  f->id_ = H5Fopen("keras_weights_image.h5", H5F_ACC_RDONLY, fapl.id);
  if (f->id_ < 0) h5_fail(display + ": the HDF5 data cannot be opened (truncated or damaged)");
  return f;
}

H5File::~H5File() {
  if (id_ >= 0) H5Fclose(id_);
}

bool H5File::exists(const std::string& path) const {
  std::string cur;
  for (const std::string& part : split_path(path)) {
    cur += "/" + part;
    if (H5Lexists(id_, cur.c_str(), H5P_DEFAULT) <= 0) return false;
    if (H5Oexists_by_name(id_, cur.c_str(), H5P_DEFAULT) <= 0) return false;
  }
  return true;
}

bool H5File::is_group(const std::string& path) const {
  if (!exists(path)) return false;
  H5O_info_t info;
  if (H5Oget_info_by_name(id_, path.empty() ? "/" : path.c_str(), &info, H5P_DEFAULT) < 0) return false;
  return info.type == H5O_TYPE_GROUP;
}

bool H5File::is_dataset(const std::string& path) const {
  if (!exists(path)) return false;
  H5O_info_t info;
  if (H5Oget_info_by_name(id_, path.c_str(), &info, H5P_DEFAULT) < 0) return false;
  return info.type == H5O_TYPE_DATASET;
}

std::vector<std::string> H5File::children(const std::string& group) const {
  const std::string g = group.empty() ? "/" : group;
  Hid gid(H5Gopen2(id_, g.c_str(), H5P_DEFAULT), H5Gclose);
  if (!gid.ok()) h5_fail(fmt::format("{}: '{}' is not a readable HDF5 group", display_, g));
  H5G_info_t info;
  if (H5Gget_info(gid.id, &info) < 0) h5_fail(fmt::format("{}: cannot list the HDF5 group '{}'", display_, g));
  if (info.nlinks > 100000) fail("{}: the HDF5 group '{}' has {} members, too many", display_, g, info.nlinks);
  std::vector<std::string> out;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    ssize_t len = H5Lget_name_by_idx(gid.id, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (len < 0) h5_fail(fmt::format("{}: cannot read the member names of HDF5 group '{}'", display_, g));
    if (len > 4096) fail("{}: HDF5 group '{}' has a member name of {} bytes, too long", display_, g, len);
    std::string name(static_cast<size_t>(len) + 1, '\0');
    if (H5Lget_name_by_idx(gid.id, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(), H5P_DEFAULT) != len)
      h5_fail(fmt::format("{}: cannot read the member names of HDF5 group '{}'", display_, g));
    name.resize(static_cast<size_t>(len));
    out.push_back(name);
  }
  return out;
}

bool H5File::has_attr(const std::string& obj, const std::string& name) const {
  const std::string o = obj.empty() ? "/" : obj;
  if (o != "/" && !exists(o)) return false;
  return H5Aexists_by_name(id_, o.c_str(), name.c_str(), H5P_DEFAULT) > 0;
}

std::string H5File::string_attr(const std::string& obj, const std::string& name) const {
  std::vector<std::string> v = string_list_attr(obj, name);
  if (v.size() != 1) fail("{}: attribute '{}' of '{}' is not a single string", display_, name, obj.empty() ? "/" : obj);
  return v[0];
}

std::vector<std::string> H5File::string_list_attr(const std::string& obj, const std::string& name) const {
  const std::string o = obj.empty() ? "/" : obj;
  const std::string what = fmt::format("{}: attribute '{}' of '{}'", display_, name, o);
  if (!has_attr(o, name)) fail("{}: missing", what);
  Hid attr(H5Aopen_by_name(id_, o.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  if (!attr.ok()) h5_fail(what + ": cannot open");
  Hid ftype(H5Aget_type(attr.id), H5Tclose);
  Hid space(H5Aget_space(attr.id), H5Sclose);
  if (!ftype.ok() || !space.ok()) h5_fail(what + ": cannot read its type");
  const hssize_t n = H5Sget_simple_extent_npoints(space.id);
  if (n < 0 || n > 1000000) fail("{}: invalid size", what);
  if (H5Tget_class(ftype.id) != H5T_STRING) {
    if (n == 0) return {};
    fail("{}: expected strings", what);
  }
  return read_strings(attr.id, ftype.id, n, what);
}

ir::Tensor H5File::read(const std::string& path) const {
  const std::string what = fmt::format("{}: dataset '{}'", display_, path);
  if (!is_dataset(path)) fail("{}: missing", what);
  Hid ds(H5Dopen2(id_, path.c_str(), H5P_DEFAULT), H5Dclose);
  if (!ds.ok()) h5_fail(what + ": cannot open");
  Hid ftype(H5Dget_type(ds.id), H5Tclose);
  Hid space(H5Dget_space(ds.id), H5Sclose);
  if (!ftype.ok() || !space.ok()) h5_fail(what + ": cannot read its type");
  const H5T_class_t cls = H5Tget_class(ftype.id);
  if (cls != H5T_FLOAT && cls != H5T_INTEGER) fail("{}: not a numeric dataset", what);
  // Data kept outside the file (external raw files, virtual datasets) would let a model file
  // read any file of the machine into its weights: refused.
  Hid dcpl(H5Dget_create_plist(ds.id), H5Pclose);
  if (!dcpl.ok()) h5_fail(what + ": cannot read its storage properties");
  if (H5Pget_layout(dcpl.id) == H5D_VIRTUAL || H5Pget_external_count(dcpl.id) != 0)
    fail("{}: its data is stored outside the file (external or virtual dataset), which is not read", what);
  const int rank = H5Sget_simple_extent_ndims(space.id);
  if (rank < 0 || rank > 8) fail("{}: invalid rank", what);
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  if (rank > 0 && H5Sget_simple_extent_dims(space.id, dims.data(), nullptr) < 0) h5_fail(what + ": cannot read its shape");
  const int64_t n = checked_elements(dims);
  if (n < 0) fail("{}: more than {} elements", what, kMaxTensorElements);
  ir::Tensor t;
  for (hsize_t d : dims) t.shape.push_back(static_cast<int64_t>(d));
  t.data.assign(static_cast<size_t>(n), 0.0);
  if (n > 0 && H5Dread(ds.id, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, t.data.data()) < 0)
    h5_fail(what + ": the data cannot be read (truncated or damaged file)");
  return t;
}

bool looks_like_hdf5(const std::string& path) {
  // The superblock is at 0, 512, 1024, ... (after an optional user block).
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  for (std::streamoff off = 0; off <= 8192; off = off == 0 ? 512 : off * 2) {
    char buf[8];
    f.clear();
    f.seekg(off);
    if (!f.read(buf, 8)) return false;
    if (std::memcmp(buf, "\x89HDF\r\n\x1a\n", 8) == 0) return true;
  }
  return false;
}

bool looks_like_zip(const std::string& path) { return file_head(path, 4) == std::string("PK\x03\x04", 4); }

namespace {

// Reads `member` of an open archive, in pieces: the size the archive declares is checked
// against the limit but not trusted for the allocation (a damaged archive may claim any size).
std::optional<std::string> zip_member(zip_t* z, const std::string& display, const std::string& member) {
  struct Closer {
    zip_t* z;
    ~Closer() { zip_discard(z); }
  } closer{z};
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat(z, member.c_str(), 0, &st) != 0) return std::nullopt;
  if (!(st.valid & ZIP_STAT_SIZE) || st.size > static_cast<zip_uint64_t>(kMaxFileBytes))
    fail("{}: archive member '{}' is too large (more than {} bytes) or has no size", display, member, kMaxFileBytes);
  zip_file_t* zf = zip_fopen(z, member.c_str(), 0);
  if (!zf)
    fail("{}: archive member '{}' cannot be opened ({})", display, member, zip_error_strerror(zip_get_error(z)));
  std::string out;
  std::string error;
  char buf[65536];
  // Up to the declared size, then once more: libzip checks the CRC when the end is reached.
  while (out.size() <= st.size) {
    const zip_int64_t got = zip_fread(zf, buf, std::min<zip_uint64_t>(sizeof buf, st.size - out.size() + 1));
    if (got < 0) error = zip_error_strerror(zip_file_get_error(zf));
    if (got <= 0) break;
    out.append(buf, static_cast<size_t>(got));
  }
  zip_fclose(zf);
  if (out.size() != st.size)
    fail("{}: archive member '{}' cannot be read (truncated or damaged archive{}{})", display, member,
         error.empty() ? "" : ": ", error);
  // libzip checks the CRC only when a read reaches the end of the member: check it here too.
  if (st.valid & ZIP_STAT_CRC) {
    uLong crc = crc32(0L, Z_NULL, 0);
    for (size_t at = 0; at < out.size(); at += 1u << 30)
      crc = crc32(crc, reinterpret_cast<const Bytef*>(out.data() + at), static_cast<uInt>(std::min<size_t>(out.size() - at, 1u << 30)));
    if (crc != st.crc)
      fail("{}: archive member '{}' cannot be read (damaged archive: CRC {:08x}, the archive says {:08x})", display,
           member, crc, st.crc);
  }
  return out;
}

}  // namespace

std::optional<std::string> read_zip_member(const std::string& zip_path, const std::string& member) {
  int err = 0;
  zip_t* z = zip_open(zip_path.c_str(), ZIP_RDONLY, &err);
  if (!z) fail("{}: not a readable zip archive (truncated or damaged .keras file)", zip_path);
  return zip_member(z, zip_path, member);
}

std::optional<std::string> read_zip_member_bytes(const std::string& bytes, const std::string& display,
                                                 const std::string& member) {
  zip_error_t ze;
  zip_error_init(&ze);
  zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &ze);
  zip_t* z = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : nullptr;
  zip_error_fini(&ze);
  if (!z) {
    if (src) zip_source_free(src);
    fail("{}: not a readable zip archive (truncated or damaged .keras file)", display);
  }
  return zip_member(z, display, member);
}

}  // namespace tachyon::frontends::keras_import
