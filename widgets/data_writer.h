#pragma once
// Serialises a DataTable. CSV follows RFC 4180 (quotes, doubled quotes, CRLF-free "\n" rows,
// NaN as an empty field) after "# key: value" comment lines holding the meta data (model,
// checkpoint, head ids; pandas reads it with comment="#"); JSON is {"meta": {...}, "columns": [...], "rows": [[...], ...]} with NaN
// and infinities as null (JSON has no NaN).

#include "model/engine/analysis.h"
#include "widgets/figure_source.h"

#include <QByteArray>

namespace lorsa {

QByteArray toCsv(const DataTable& table);
QByteArray toJson(const DataTable& table);
/// Model, Lorsa checkpoint and layer of \p analysis (may be null) plus the view's name.
QJsonObject provenance(const PromptAnalysis* analysis, const QString& view);
/// Writes \p bytes to \p path atomically; throws Error(InvalidFile) naming the path on failure.
void writeAtomically(const QString& path, const QByteArray& bytes);

} // namespace lorsa
