// Tree ensembles (boosted decision trees, random forests).
//
// Every tree is stored in pre-order, root first; an internal node n goes left when
// x[feature[n]] <= threshold[n] (thresholds are on the input type's grid, chosen by
// Tachyon so that every representable input decides like the float model), its children
// are child[n] (left) and child[n] + 1 (right), relative to the tree's first node; a leaf
// has feature -1 and its value in leaf[n] (score_t). Class c's score is base[c] plus the
// leaves of its trees, summed in accum_t (score_t widened so it can neither overflow nor
// round), then converted to res_T.
#ifndef TACHYON_HLS_TREE_H
#define TACHYON_HLS_TREE_H

#include "tachyon/common.h"

namespace tachyon_hls {

struct tree_config {
  static const unsigned n_features = 1;
  static const unsigned n_outputs = 1;
  static const unsigned n_trees = 1;
  static const unsigned n_nodes = 1;  // all trees
  static const unsigned max_depth = 1;
  static const unsigned reuse_factor = 1;
  typedef ap_fixed<16, 6> score_t;
  typedef ap_fixed<20, 10> accum_t;
};

template <class data_T, class res_T, typename CONFIG_T>
void tree_ensemble(const data_T data[CONFIG_T::n_features], res_T res[CONFIG_T::n_outputs],
                   const short feature[CONFIG_T::n_nodes], const data_T threshold[CONFIG_T::n_nodes],
                   const unsigned child[CONFIG_T::n_nodes], const typename CONFIG_T::score_t leaf[CONFIG_T::n_nodes],
                   const unsigned tree_start[CONFIG_T::n_trees], const unsigned tree_class[CONFIG_T::n_trees],
                   const typename CONFIG_T::score_t base[CONFIG_T::n_outputs]) {
  #pragma HLS INLINE off
  #pragma HLS PIPELINE II = CONFIG_T::reuse_factor
  typename CONFIG_T::accum_t acc[CONFIG_T::n_outputs];
  #pragma HLS ARRAY_PARTITION variable = acc complete
  for (unsigned c = 0; c < CONFIG_T::n_outputs; c++) acc[c] = base[c];
  for (unsigned t = 0; t < CONFIG_T::n_trees; t++) {
    const unsigned s = tree_start[t];
    unsigned i = 0;
    for (unsigned d = 0; d < CONFIG_T::max_depth; d++) {
      if (feature[s + i] < 0) break;
      i = data[feature[s + i]] <= threshold[s + i] ? child[s + i] : child[s + i] + 1;
    }
    acc[tree_class[t]] += leaf[s + i];
  }
  for (unsigned c = 0; c < CONFIG_T::n_outputs; c++) res[c] = (res_T)acc[c];
}

}  // namespace tachyon_hls

#endif  // TACHYON_HLS_TREE_H
