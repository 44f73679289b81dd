#pragma once
// Numbers about one query's row of a z-pattern (HeadDetail::zPattern, A[q,k]·v[k]): the keys
// ranked by how much they contribute, and the row's largest magnitude for the map's colour scale.
// Free functions so that the tests check them against sums of their own.

#include "model/engine/analysis.h"

#include <vector>

namespace lorsa {

/// One key's part in the selected query's z.
struct KeyContribution {
    int key = 0;          ///< key position
    double value = 0;     ///< A[q,k]·v[k]
    double share = 0;     ///< |value| / Σ_k |A[q,k]·v[k]|: positive and negative parts both count
};

/// The keys k <= \p query of \p z's row \p query, by decreasing |contribution|, at most \p count
/// of them (non-finite values left out). Empty for a query outside the matrix.
std::vector<KeyContribution> rankContributions(const FloatMatrix& z, int query, int count);

/// The largest finite |z[query, k]| for k <= \p query (at least 1e-6, so that a colour scale of
/// ±it is never empty); 0 for a query outside the matrix.
double rowAbsMax(const FloatMatrix& z, int query);

} // namespace lorsa
