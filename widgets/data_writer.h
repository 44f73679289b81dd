#pragma once
// Serialises a DataTable; the conventions are documented for users in docs/EXPORTS.md. CSV
// follows RFC 4180 ("\n" rows, NaN as an empty field) and keeps text exactly as decoded: a field
// with a comma, quote, newline, carriage return, tab, '#' or a leading/trailing space is quoted
// (quotes doubled), never rewritten. The meta data (model, checkpoint, head ids) comes first as
// "# key: value" lines (pandas skips them with comment="#"); a value holding a control character
// or starting with a quote is written as a JSON string literal. JSON is {"meta": {...},
// "columns": [...], "rows": [[...], ...]} with exact text, NaN and infinities as null.

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
