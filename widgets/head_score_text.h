#pragma once
// How the views name a head's standard scores (model/engine/head_scores.h) in tooltips.

#include "model/engine/analysis.h"

#include <QCoreApplication>
#include <QString>

namespace lorsa {

/// "QK head 3: induction 0.962, previous-token 0.015, duplicate-token 0.001, first-token 0.355"
inline QString headScoreText(const QString& head, const HeadScore& score)
{
    return QCoreApplication::translate("HeadScore", "%1: induction %2, previous-token %3, duplicate-token %4, first-token %5")
        .arg(head)
        .arg(score.induction, 0, 'f', 3)
        .arg(score.previousToken, 0, 'f', 3)
        .arg(score.duplicateToken, 0, 'f', 3)
        .arg(score.firstToken, 0, 'f', 3);
}

} // namespace lorsa
