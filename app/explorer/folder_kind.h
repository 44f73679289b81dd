#pragma once
// Tells a Hugging Face model folder from a Lorsa checkpoint folder by its config.json, for drag
// and drop and for the open dialogs.

#include <QString>

namespace lorsa {

enum class FolderKind { Model, Lorsa, Unknown };

struct FolderClassification {
    FolderKind kind = FolderKind::Unknown;
    QString reason;  ///< for Unknown: why, naming the file ("…/config.json: not valid JSON")
};

/// A Lorsa has `sae_type: "lorsa"` (Language-Model-SAEs) or `n_ov_heads` + `d_qk_head` (the
/// original release); a model has `model_type` or `architectures`.
FolderClassification classifyFolder(const QString& dir);

} // namespace lorsa
