#include "widgets/data_writer.h"

#include "model/core/error.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <algorithm>
#include <cmath>

namespace lorsa {
namespace {

QString csvField(const QVariant& value)
{
    if (value.typeId() == QMetaType::Double || value.typeId() == QMetaType::Float) {
        const double d = value.toDouble();
        return std::isfinite(d) ? QString::number(d, 'g', 9) : QString();
    }
    QString text = value.toString();
    // Quoted, the text stays exactly as decoded (newlines and tabs included) for every CSV reader;
    // '#' too, because pandas' comment="#" (which skips the meta lines) ends an unquoted field.
    static const QString kQuoted = QStringLiteral(",\"\n\r\t#");
    const bool quote = std::any_of(text.begin(), text.end(), [](QChar c) { return kQuoted.contains(c); })
                       || text.startsWith(QLatin1Char(' ')) || text.endsWith(QLatin1Char(' '));
    if (quote) {
        text.replace(QStringLiteral("\""), QStringLiteral("\"\""));
        text = QLatin1Char('"') + text + QLatin1Char('"');
    }
    return text;
}

// One line per entry: a text with a line break or another control character (a prompt over
// several lines) is written as a JSON string literal, which json.loads turns back into it exactly.
QString metaText(const QString& text)
{
    const bool control = std::any_of(text.begin(), text.end(), [](QChar c) { return c.unicode() < 0x20 || c.unicode() == 0x7f; });
    if (!control && !text.startsWith(QLatin1Char('"')))
        return text;
    const QByteArray literal = QJsonDocument(QJsonArray{text}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(literal.mid(1, literal.size() - 2));
}

QJsonValue jsonValue(const QVariant& value)
{
    if (value.typeId() == QMetaType::Double || value.typeId() == QMetaType::Float) {
        const double d = value.toDouble();
        return std::isfinite(d) ? QJsonValue(d) : QJsonValue(QJsonValue::Null);
    }
    if (value.typeId() == QMetaType::Int || value.typeId() == QMetaType::LongLong)
        return QJsonValue(value.toLongLong());
    if (value.typeId() == QMetaType::Bool)
        return QJsonValue(value.toBool());
    return QJsonValue(value.toString());
}

} // namespace

QByteArray toCsv(const DataTable& table)
{
    QByteArray out;
    for (auto it = table.meta.begin(); it != table.meta.end(); ++it) {
        const QJsonValue value = it.value();
        const QString text = value.isString() ? value.toString()
                             : value.isDouble() ? QString::number(value.toDouble(), 'g', 17)
                                                : QString::fromUtf8(QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact)).mid(1).chopped(1);
        out += "# " + it.key().toUtf8() + ": " + metaText(text).toUtf8() + '\n';
    }
    QStringList fields;
    for (const QString& column : table.columns)
        fields << csvField(column);
    out += fields.join(QLatin1Char(',')).toUtf8() + '\n';
    for (const QVariantList& row : table.rows) {
        fields.clear();
        for (const QVariant& value : row)
            fields << csvField(value);
        out += fields.join(QLatin1Char(',')).toUtf8() + '\n';
    }
    return out;
}

QByteArray toJson(const DataTable& table)
{
    QJsonArray rows;
    for (const QVariantList& row : table.rows) {
        QJsonArray values;
        for (const QVariant& value : row)
            values.append(jsonValue(value));
        rows.append(values);
    }
    QJsonObject root;
    root[QStringLiteral("meta")] = table.meta;
    root[QStringLiteral("columns")] = QJsonArray::fromStringList(table.columns);
    root[QStringLiteral("rows")] = rows;
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

QJsonObject provenance(const PromptAnalysis* analysis, const QString& view)
{
    QJsonObject meta;
    meta[QStringLiteral("view")] = view;
    if (analysis) {
        const auto& session = *analysis->session;
        meta[QStringLiteral("model")] = QString::fromStdString(session.modelName);
        meta[QStringLiteral("model_path")] = QString::fromStdString(session.modelPath);
        meta[QStringLiteral("model_config_hash")] = QString::fromStdString(session.modelConfigHash);
        meta[QStringLiteral("lorsa")] = QString::fromStdString(session.lorsaName);
        meta[QStringLiteral("lorsa_path")] = QString::fromStdString(session.lorsaPath);
        meta[QStringLiteral("lorsa_config_hash")] = QString::fromStdString(session.lorsaConfigHash);
        meta[QStringLiteral("layer")] = session.layer;
        meta[QStringLiteral("prompt")] = QString::fromStdString(analysis->promptText);
        meta[QStringLiteral("tokens")] = static_cast<qint64>(analysis->tokens.size());
    }
    return meta;
}

void writeAtomically(const QString& path, const QByteArray& bytes)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        throw Error(ErrorKind::InvalidFile, (path + QStringLiteral(": cannot write: ") + file.errorString()).toStdString());
}

} // namespace lorsa
