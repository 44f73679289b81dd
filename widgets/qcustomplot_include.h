#pragma once
// The one way into QCustomPlot. The project defines QT_NO_KEYWORDS (LibTorch uses `slots` as an
// identifier) but qcustomplot.h is written with Qt's signals/slots/emit keywords, so they are
// switched on just for this header and off again. The same goes for `foreach` (QT_NO_FOREACH):
// its two uses in the header's templates become range-for loops over the member container. Include only from widgets/*.cpp files and from
// private headers of widgets/ that only those include.

#define signals Q_SIGNALS
#define slots Q_SLOTS
#define emit Q_EMIT
#define foreach(declaration, container) for (declaration : container)
#include <qcustomplot.h>
#undef signals
#undef slots
#undef emit
#undef foreach
