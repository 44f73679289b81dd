#include "app/explorer/build_atlas_dialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>

namespace lorsa {

BuildAtlasDialog::BuildAtlasDialog(const QString& defaultOut, int maxContext, QWidget* parent)
    : QDialog(parent)
    , m_corpus(new QListWidget(this))
    , m_out(new QLineEdit(defaultOut, this))
    , m_context(new QSpinBox(this))
    , m_top(new QSpinBox(this))
    , m_maxTokens(new QSpinBox(this))
    , m_resume(new QCheckBox(tr("Continue an interrupted build in this file"), this))
    , m_problem(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Build a head atlas"));
    m_corpus->setObjectName(QStringLiteral("atlasCorpus"));
    m_corpus->setMinimumHeight(90);
    m_corpus->setToolTip(tr("A .jsonl file holds one document per line (its \"text\" field); any other file is UTF-8 text "
                            "whose documents are separated by blank lines."));
    auto* addCorpus = new QPushButton(tr("Add files…"), this);
    auto* removeCorpus = new QPushButton(tr("Remove"), this);
    auto* corpusButtons = new QVBoxLayout;
    corpusButtons->addWidget(addCorpus);
    corpusButtons->addWidget(removeCorpus);
    corpusButtons->addStretch();
    auto* corpusRow = new QHBoxLayout;
    corpusRow->addWidget(m_corpus, 1);
    corpusRow->addLayout(corpusButtons);

    m_out->setObjectName(QStringLiteral("atlasOut"));
    auto* chooseOut = new QPushButton(tr("Choose…"), this);
    auto* outRow = new QHBoxLayout;
    outRow->addWidget(m_out, 1);
    outRow->addWidget(chooseOut);

    m_context->setRange(2, std::max(2, maxContext));
    m_context->setValue(std::min(128, std::max(2, maxContext)));
    m_context->setToolTip(tr("Tokens per context, BOS included (lorsa index --context)"));
    m_top->setRange(1, 1000);
    m_top->setValue(32);
    m_top->setToolTip(tr("Top contexts kept per head (--top)"));
    m_maxTokens->setRange(0, 1'000'000);
    m_maxTokens->setSuffix(tr(" thousand"));
    m_maxTokens->setSpecialValueText(tr("the whole corpus"));
    m_maxTokens->setToolTip(tr("Stop after this many corpus tokens (--max-tokens)"));
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #b00020"));

    auto* form = new QFormLayout;
    form->addRow(tr("Corpus"), corpusRow);
    form->addRow(tr("Atlas file"), outRow);
    form->addRow(tr("Context"), m_context);
    form->addRow(tr("Top contexts"), m_top);
    form->addRow(tr("Index at most"), m_maxTokens);
    form->addRow(QString(), m_resume);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(new QLabel(tr("Indexing runs on the model's worker: the live views wait until it finishes or you cancel "
                                    "it (a cancelled build can be continued)."),
                                 this));
    layout->addWidget(m_problem);
    layout->addWidget(m_buttons);

    connect(addCorpus, &QPushButton::clicked, this, [this] {
        addCorpusFiles(QFileDialog::getOpenFileNames(this, tr("Corpus files"), QString(),
                                                     tr("Text or JSON lines (*.txt *.jsonl *.md);;All files (*)")));
    });
    connect(removeCorpus, &QPushButton::clicked, this, [this] {
        qDeleteAll(m_corpus->selectedItems());
        validate();
    });
    connect(chooseOut, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Atlas file"), m_out->text(), tr("Atlas (*.sqlite)"),
                                                          nullptr, QFileDialog::DontConfirmOverwrite);
        if (!path.isEmpty())
            setOut(path);
    });
    connect(m_out, &QLineEdit::textChanged, this, &BuildAtlasDialog::validate);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    validate();
}

void BuildAtlasDialog::addCorpusFiles(const QStringList& files)
{
    for (const QString& file : files)
        if (m_corpus->findItems(file, Qt::MatchExactly).isEmpty())
            m_corpus->addItem(file);
    validate();
}

void BuildAtlasDialog::setOut(const QString& path)
{
    m_out->setText(path);
}

void BuildAtlasDialog::validate()
{
    QString problem;
    const QFileInfo out(m_out->text());
    if (m_corpus->count() == 0)
        problem = tr("Add at least one corpus file.");
    else if (m_out->text().trimmed().isEmpty())
        problem = tr("Choose where the atlas is written.");
    else if (!QFileInfo(out.absolutePath()).isDir())
        problem = tr("The folder %1 does not exist.").arg(out.absolutePath());
    else if (!QFileInfo(out.absolutePath()).isWritable())
        problem = tr("The folder %1 cannot be written.").arg(out.absolutePath());
    m_resume->setEnabled(out.exists());
    if (!out.exists())
        m_resume->setChecked(false);
    m_problem->setText(problem);
    m_problem->setVisible(!problem.isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(problem.isEmpty());
}

AtlasBuildRequest BuildAtlasDialog::request() const
{
    AtlasBuildRequest request;
    request.out = m_out->text().trimmed().toStdString();
    for (int i = 0; i < m_corpus->count(); ++i)
        request.corpus.emplace_back(m_corpus->item(i)->text().toStdString());
    request.context = m_context->value();
    request.top = m_top->value();
    request.maxTokens = static_cast<int64_t>(m_maxTokens->value()) * 1000;
    request.resume = m_resume->isChecked();
    return request;
}

} // namespace lorsa
