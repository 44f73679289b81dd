#pragma once
/// \file
/// A Lorsa set: a folder tree that holds several Lorsa folders, as published sets do (OpenMOSS
/// Llama-Scope-2: `lorsa/8x/k64/layer{L}_lorsa_8x_k64/{config.json, sae_weights.safetensors}`,
/// one Lorsa per layer for each expansion and top-k). Only the configs are read to list a set;
/// the caller loads the one Lorsa it picks.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace lorsa {

/// One Lorsa folder found in a set.
struct LorsaSetEntry {
    std::filesystem::path dir;
    int64_t layer = -1;         ///< from the config's hook points (-1 when the config is unreadable)
    std::string variant;        ///< "<expansion>x/k<top_k>", e.g. "8x/k64"; "<expansion>x/<act_fn>" without top-k
    int64_t nOvHeads = 0;
    int64_t topK = 0;           ///< 0 without a top-k activation
    std::string problem;        ///< why its config cannot be used; empty when it can
};

/// Which Lorsa of a set to open: a layer and, when a layer has several, a variant.
struct LorsaChoice {
    std::optional<int64_t> layer;
    std::string variant;        ///< empty: the layer's only variant
};

/// True when \p dir is one Lorsa folder (it has a config.json) rather than a set.
bool isLorsaFolder(const std::filesystem::path& dir);

/// Every Lorsa folder under \p root (\p root itself when it is one), sorted by variant and
/// layer. Folders whose config.json is not a Lorsa (transcoders, SAEs, models) are skipped;
/// Lorsa configs that cannot be read are listed with their problem. Throws Error(InvalidFile)
/// when \p root is not a folder, Error(InvalidConfig) when two Lorsas claim the same layer and
/// variant (naming both).
std::vector<LorsaSetEntry> listLorsaSet(const std::filesystem::path& root);

/// The variants and layers of \p entries as one line: "8x/k64: layers 0-27; 32x/k128: layers 3, 5".
std::string describeLorsaSet(const std::vector<LorsaSetEntry>& entries);

/// The folder of the Lorsa \p choice names in \p root. A single Lorsa folder is returned as it
/// is (a layer that differs from its own is an Error(Mismatch)). In a set the layer is needed
/// unless the set holds one Lorsa, and the variant when the layer has several. Errors say what
/// the set holds.
std::filesystem::path chooseLorsa(const std::filesystem::path& root, const LorsaChoice& choice);

} // namespace lorsa
