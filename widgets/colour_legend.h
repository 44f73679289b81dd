#pragma once
// A horizontal colour bar with its range and a caption, for views that are not QCustomPlots.

#include "widgets/colour_scale.h"
#include "widgets/theme.h"

#include <QWidget>

namespace lorsa {

/// Paints a legend for \p scale into \p rect (bar on top, numbers and caption below).
void paintColourLegend(QPainter& painter, const QRectF& rect, const ColourScale& scale, const QString& caption, const Theme& theme);

class ColourLegend : public QWidget {
    Q_OBJECT
public:
    explicit ColourLegend(QWidget* parent = nullptr);
    void setScale(const ColourScale& scale, const QString& caption);
    const ColourScale& scale() const { return m_scale; }
    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    ColourScale m_scale = ColourScale::sequential(0, 1);
    QString m_caption;
};

} // namespace lorsa
