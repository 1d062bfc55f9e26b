// The fuzz targets of the Keras frontend (keras_fuzz.cc), run through run_entry of
// fuzz_common.h like the other readers:
//
//  keras_json  the input is a model JSON; weights the model lacks are made up with the shape
//              each layer needs (Model::make_up_missing_weights), so that the graph builder,
//              the pass pipeline and the emulator's set-up all run on it.
//  keras_h5    the input describes a file, which is assembled with HDF5 (and libzip) and
//              loaded: HDF5 parsing is the library's business, the target aims at our mapping
//              of structurally valid but hostile files. The description is the model JSON, then
//              optionally a line "%%" and one object per line:
//                group PATH                     a group (parents are created as needed)
//                data PATH TYPE DIM... [= V]    a dataset; TYPE f32 f32be f64 i8 i64 u8 str; no
//                                               DIM: a scalar; data (V everywhere, else small
//                                               varied values) written up to 2^16 elements
//                attr PATH NAME strings A B...  fixed-length string list attribute on PATH ("/")
//                attr PATH NAME vstrings A B... variable-length strings
//                attr PATH NAME numbers N       N float64 values (N > 2^16: N bytes)
//                softlink PATH TARGET, hardlink PATH TARGET
//                config vstring|fixed|numbers|none   how model_config is stored (vstring)
//                latest                         the newer HDF5 file format of 1.8 (dense
//                                               attributes, so large ones)
//                keras3 [noweights] [deflate]   a .keras archive instead: config.json = the
//                                               JSON, model.weights.h5 = the objects
//                member NAME TEXT...            an extra (or replacing) archive member
//              Without "keras3": a Keras 2 full-model .h5 (root attribute model_config).
//  keras_zip   the input is a .keras archive (zip) as it comes.
#pragma once

#include <string>

namespace tachyon::fuzz {

bool is_keras_target(const std::string& target);
// Throws what the Keras reader throws.
void keras_entry(const std::string& target, const std::string& bytes);
// The HDF5 file or .keras archive a keras_h5 description stands for (empty when none).
std::string keras_h5_file(const std::string& description);

}  // namespace tachyon::fuzz
