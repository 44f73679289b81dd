#pragma once
// A head's top contexts as token strips, best first, one of them current: shaded by the head's
// activation on one scale for all, the peak outlined, the current context's z band drawn under
// its keys. Click makes a context current, double-click (or Enter) activates it (the head page
// sends it to the live prompt). Hovering a token tells its activation and contribution.

#include "model/atlas/atlas_types.h"

#include <QWidget>

#include <memory>
#include <vector>

namespace lorsa {

class ContextStrip;

class AtlasContextList : public QWidget {
    Q_OBJECT
public:
    explicit AtlasContextList(QWidget* parent = nullptr);
    ~AtlasContextList() override;

    /// Shows \p contexts on one activation scale up to \p maxActivation; the first becomes current.
    void setContexts(std::vector<AtlasContext> contexts, double maxActivation);
    const std::vector<AtlasContext>& contexts() const { return m_contexts; }
    /// -1 without contexts.
    int current() const { return m_current; }
    void setCurrent(int index);
    /// The context at \p point (widget coordinates) and the token under it (-1 between tokens).
    std::pair<int, int> hit(const QPointF& point) const;

    QSize sizeHint() const override;

Q_SIGNALS:
    void currentChanged(int index);
    void activated(int index);

protected:
    bool event(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

private:
    struct Placed {
        double top = 0;                        // of the caption
        double stripTop = 0;
        double bottom = 0;
        std::unique_ptr<ContextStrip> strip;   // laid out at the current width
    };
    void layOut(int width);

    std::vector<AtlasContext> m_contexts;
    std::vector<Placed> m_placed;
    double m_maxActivation = 1;
    int m_current = -1;
    int m_laidOutWidth = -1;
    double m_height = 0;
};

} // namespace lorsa
