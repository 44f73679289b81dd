#pragma once
// File → Build atlas…: the corpus files, the atlas file to write and lorsa index's settings, for
// the loaded model and Lorsa. Resume is offered when the chosen file holds an unfinished atlas.

#include "app/explorer/atlas_build_request.h"

#include <QDialog>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QSpinBox;

namespace lorsa {

class BuildAtlasDialog : public QDialog {
    Q_OBJECT
public:
    /// \p defaultOut: where the atlas goes unless the user says otherwise; \p maxContext: the
    /// longest context the model and Lorsa accept.
    BuildAtlasDialog(const QString& defaultOut, int maxContext, QWidget* parent = nullptr);

    AtlasBuildRequest request() const;
    void addCorpusFiles(const QStringList& files);
    void setOut(const QString& path);

private:
    void validate();

    QListWidget* m_corpus;
    QLineEdit* m_out;
    QSpinBox* m_context;
    QSpinBox* m_top;
    QSpinBox* m_maxTokens;   // thousands; 0: all
    QCheckBox* m_resume;
    QLabel* m_problem;
    QDialogButtonBox* m_buttons;
};

} // namespace lorsa
