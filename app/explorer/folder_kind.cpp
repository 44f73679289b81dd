#include "app/explorer/folder_kind.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

namespace lorsa {
namespace {

// A config.json is a few kilobytes; anything far larger is not one.
constexpr qint64 kMaxConfigBytes = 16 * 1024 * 1024;

FolderClassification unknown(const QString& reason)
{
    return {FolderKind::Unknown, reason};
}

bool isLorsaConfig(const QJsonObject& config)
{
    return config.value(QStringLiteral("sae_type")).toString() == QStringLiteral("lorsa")
        || (config.contains(QStringLiteral("n_ov_heads")) && config.contains(QStringLiteral("d_qk_head")));
}

QJsonObject readConfig(const QString& path)
{
    QFile file(path);
    if (file.size() > kMaxConfigBytes || !file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

// A Lorsa set (Llama-Scope-2's lorsa/8x/k64/layer3_.../): some config.json a few folders down is
// a Lorsa's. The walk is bounded: this runs on the GUI thread when a folder is dropped.
bool holdsLorsas(const QString& dir)
{
    constexpr int kMaxConfigs = 64;
    int seen = 0;
    QDirIterator it(dir, {QStringLiteral("config.json")}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext() && seen++ < kMaxConfigs)
        if (isLorsaConfig(readConfig(it.next())))
            return true;
    return false;
}

} // namespace

FolderClassification classifyFolder(const QString& dir)
{
    if (!QFileInfo(dir).isDir())
        return unknown(dir + QStringLiteral(": not a folder"));
    const QString path = QDir(dir).filePath(QStringLiteral("config.json"));
    QFile file(path);
    if (!file.exists())
        return holdsLorsas(dir) ? FolderClassification{FolderKind::Lorsa, {}}
                                : unknown(path + QStringLiteral(": missing (neither a model, a Lorsa nor a set of Lorsas)"));
    if (file.size() > kMaxConfigBytes)
        return unknown(path + QStringLiteral(": too large for a config file"));
    if (!file.open(QIODevice::ReadOnly))
        return unknown(path + QStringLiteral(": cannot be read: ") + file.errorString());
    QJsonParseError error;
    const auto document = QJsonDocument::fromJson(file.readAll(), &error);
    if (error.error != QJsonParseError::NoError)
        return unknown(path + QStringLiteral(": not valid JSON (") + error.errorString() + QStringLiteral(")"));
    if (!document.isObject())
        return unknown(path + QStringLiteral(": not a JSON object"));
    const QJsonObject config = document.object();
    if (isLorsaConfig(config))
        return {FolderKind::Lorsa, {}};
    if (config.contains(QStringLiteral("model_type")) || config.contains(QStringLiteral("architectures")))
        return {FolderKind::Model, {}};
    return unknown(path + QStringLiteral(": neither a Lorsa config (sae_type \"lorsa\") nor a model config (model_type)"));
}

} // namespace lorsa
