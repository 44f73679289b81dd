#include "model/training/lm_trainer.h"

#include "model/core/atomic_file.h"
#include "model/core/error.h"
#include "model/tokenizer/tokenizer.h"
#include "model/training/corpus_reader.h"
#include "model/training/lr_schedule.h"

#include <c10/core/GradMode.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <fstream>

namespace lorsa {

at::Tensor packCorpusRows(const Tokenizer& tokenizer, const std::vector<std::string>& documents, int64_t rowLength,
                          int64_t separator)
{
    if (rowLength < 2)
        throw Error(ErrorKind::InvalidInput, "rows must hold at least 2 tokens");
    std::vector<int64_t> stream;
    for (const auto& document : documents) {
        stream.push_back(separator);
        const auto ids = tokenizer.encode(document, false).ids;
        stream.insert(stream.end(), ids.begin(), ids.end());
    }
    const auto rows = static_cast<int64_t>(stream.size()) / rowLength;
    if (rows == 0)
        throw Error(ErrorKind::InvalidInput, "the corpus has " + std::to_string(stream.size()) +
                                                 " tokens, fewer than one row of " + std::to_string(rowLength));
    stream.resize(static_cast<size_t>(rows * rowLength));
    return at::tensor(stream, at::kLong).view({rows, rowLength});
}

double meanHeldoutLoss(const LanguageModel& model, const at::Tensor& rows)
{
    c10::NoGradGuard noGrad;
    const int64_t batch = 16;
    double total = 0.0;
    int64_t count = 0;
    for (int64_t start = 0; start < rows.size(0); start += batch) {
        const auto part = rows.narrow(0, start, std::min(batch, rows.size(0) - start));
        const auto n = part.size(0) * (part.size(1) - 1);
        total += model.loss(part).item<double>() * double(n);
        count += n;
    }
    return count > 0 ? total / double(count) : std::nan("");
}

double unigramBaselineLoss(const at::Tensor& trainRows, const at::Tensor& heldoutRows, int64_t vocabSize)
{
    auto counts = at::bincount(trainRows.reshape({-1}), {}, vocabSize).to(at::kDouble) + 1.0;  // [V]
    const auto logProbs = (counts / counts.sum()).log();
    const auto targets = heldoutRows.narrow(1, 1, heldoutRows.size(1) - 1).reshape({-1});
    return -logProbs.index_select(0, targets).mean().item<double>();
}

LmTrainer::LmTrainer(const LanguageModelShape& shape, at::Tensor rows, int64_t totalSteps, const LmTrainingOptions& options)
    : m_model(shape, options.seed, options.device),
      m_rows(std::move(rows)),
      m_options(options),
      m_totalSteps(totalSteps),
      m_rowsPerBatch(options.batchTokens / shape.nCtx),
      m_generator(at::detail::createCPUGenerator(options.seed + 1))
{
    if (m_rows.dim() != 2 || m_rows.size(1) != shape.nCtx || m_rows.size(0) == 0)
        throw Error(ErrorKind::InvalidInput, "training rows must be [N, n_ctx=" + std::to_string(shape.nCtx) + "] with N > 0");
    if (m_rowsPerBatch < 1)
        throw Error(ErrorKind::InvalidInput, "--batch-tokens " + std::to_string(options.batchTokens) +
                                                 " is less than one row of n_ctx=" + std::to_string(shape.nCtx) + " tokens");
    if (totalSteps < 1)
        throw Error(ErrorKind::InvalidInput, "training needs at least one step");
    if (!(options.lr > 0) || !std::isfinite(options.lr))
        throw Error(ErrorKind::InvalidInput, "the learning rate must be a positive number");
    if (options.syntheticFraction < 0 || options.syntheticFraction > 1)
        throw Error(ErrorKind::InvalidInput, "the synthetic fraction must be in [0, 1]");
    if (!options.continueFrom.empty())
        m_model.continueFrom(options.continueFrom);
    m_optimizer = std::make_unique<AdamW>(m_model.parameters(), options.adam);
}

at::Tensor LmTrainer::syntheticRow()
{
    // A random sequence (no <|endoftext|>) repeated to fill the row: only in-context copying
    // predicts its second and later copies, which is what an induction head does.
    const int64_t n = m_model.shape().nCtx;
    const int64_t vocab = m_model.shape().vocabSize;
    const int64_t maxLength = std::max<int64_t>(2, n / 2);
    const int64_t length = at::randint(2, maxLength + 1, {1}, m_generator).item<int64_t>();
    auto sequence = at::randint(0, vocab, {length}, m_generator);
    sequence.masked_fill_(sequence == m_model.shape().endOfTextId, 0);
    return sequence.repeat({(n + length - 1) / length}).narrow(0, 0, n);
}

at::Tensor LmTrainer::nextBatch()
{
    std::vector<at::Tensor> rows;
    const int64_t total = m_rows.size(0);
    for (int64_t i = 0; i < m_rowsPerBatch; ++i) {
        if (m_options.syntheticFraction > 0 && at::rand({1}, m_generator).item<double>() < m_options.syntheticFraction) {
            rows.push_back(syntheticRow());
            continue;
        }
        if (!m_order.defined() || m_cursor >= total) {
            m_order = at::randperm(total, m_generator);
            m_cursor = 0;
        }
        rows.push_back(m_rows[m_order[m_cursor++].item<int64_t>()]);
    }
    return at::stack(rows).to(m_options.device);
}

LmStepResult LmTrainer::step()
{
    const auto batch = nextBatch();
    const double lr = warmupCosineLearningRate(m_step, m_totalSteps, m_options.warmup, m_options.lr, m_options.minLrFraction);
    m_optimizer->zeroGrad();
    const auto loss = m_model.loss(batch);
    loss.backward();
    const auto parameters = m_model.parameters();
    const double norm = clipGradientNorm(parameters, m_options.gradClip);
    const double value = loss.item<double>();
    if (!std::isfinite(value) || !std::isfinite(norm))
        throw Error(ErrorKind::InvalidInput, "training diverged at step " + std::to_string(m_step + 1) +
                                                 " (loss or gradient not finite): lower the learning rate");
    m_optimizer->step(lr);
    ++m_step;
    m_tokens += batch.numel();
    return {m_step, m_tokens, value, lr, norm};
}

namespace {

void copyFileAtomically(const std::filesystem::path& from, const std::filesystem::path& to)
{
    std::ifstream in(from, std::ios::binary);
    if (!in)
        throw Error(ErrorKind::InvalidFile, from.string() + ": cannot read it to copy into the model folder");
    const std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    writeFileAtomically(to, content);
}

at::Tensor everyNthRow(const at::Tensor& rows, int64_t n, bool keep)
{
    const auto index = at::arange(rows.size(0), at::kLong);
    const auto mask = keep ? (index.remainder(n) == n - 1) : (index.remainder(n) != n - 1);
    return rows.index({mask});
}

} // namespace

LmReport trainLanguageModel(const std::filesystem::path& tokenizerJson, const std::vector<std::filesystem::path>& corpus,
                            const std::vector<std::filesystem::path>& heldoutFiles, const std::filesystem::path& outDir,
                            const LmTrainingOptions& options, const std::function<void(const LmProgress&)>& progress)
{
    const auto tokenizer = Tokenizer::fromFile(tokenizerJson);
    const auto endOfText = tokenizer.tokenToId("<|endoftext|>");
    if (!endOfText)
        throw Error(ErrorKind::InvalidFile, tokenizerJson.string() + ": has no <|endoftext|> token to separate documents");
    LanguageModelShape shape = options.shape;
    shape.vocabSize = tokenizer.vocabSize();
    shape.endOfTextId = *endOfText;

    auto rows = packCorpusRows(tokenizer, readCorpusDocuments(corpus), shape.nCtx, *endOfText);
    at::Tensor heldout;
    if (heldoutFiles.empty()) {
        if (rows.size(0) < 2)
            throw Error(ErrorKind::InvalidInput, "the corpus is too small to hold out rows; give --heldout FILE");
        heldout = everyNthRow(rows, std::min<int64_t>(20, rows.size(0)), true);
        rows = everyNthRow(rows, std::min<int64_t>(20, rows.size(0)), false);
    } else {
        heldout = packCorpusRows(tokenizer, readCorpusDocuments(heldoutFiles), shape.nCtx, *endOfText);
    }
    heldout = heldout.narrow(0, 0, std::min(heldout.size(0), options.maxHeldoutRows));

    const int64_t rowsPerBatch = options.batchTokens / shape.nCtx;
    int64_t steps = options.steps;
    if (steps <= 0 && rowsPerBatch > 0)
        steps = (options.tokens + rowsPerBatch * shape.nCtx - 1) / (rowsPerBatch * shape.nCtx);
    if (steps <= 0)
        throw Error(ErrorKind::InvalidInput, "give a positive number of --steps or --tokens");

    LmTrainer trainer(shape, rows, steps, options);
    std::filesystem::create_directories(outDir);
    const auto logPath = outDir / "training_log.csv";
    std::ofstream log(logPath);
    if (!log)
        throw Error(ErrorKind::InvalidFile, logPath.string() + ": cannot write the training log");
    log << "step,tokens,loss,lr\n";

    const auto start = std::chrono::steady_clock::now();
    LmStepResult last;
    for (int64_t i = 0; i < steps; ++i) {
        last = trainer.step();
        log << last.step << ',' << last.tokens << ',' << last.loss << ',' << last.lr << '\n';
        if (options.checkpointEvery > 0 && last.step % options.checkpointEvery == 0 && last.step < steps) {
            // A loadable folder mid-run, to inspect heads while training goes on.
            trainer.model().save(outDir);
            copyFileAtomically(tokenizerJson, outDir / "tokenizer.json");
            log.flush();
        }
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (progress) {
            const double rate = elapsed > 0 ? double(last.tokens) / elapsed : 0.0;
            const double eta = last.step > 0 ? elapsed / double(last.step) * double(steps - last.step) : 0.0;
            progress({last, steps, rate, eta});
        }
    }
    log.flush();
    LmReport report;
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    report.steps = last.step;
    report.tokens = last.tokens;
    report.finalTrainLoss = last.loss;
    report.tokensPerSecond = report.seconds > 0 ? double(report.tokens) / report.seconds : 0.0;
    report.trainCorpusTokens = rows.numel();
    report.parameters = trainer.model().parameterCount();
    report.heldoutTokens = heldout.size(0) * (heldout.size(1) - 1);
    report.heldoutLoss = meanHeldoutLoss(trainer.model(), heldout);
    report.unigramLoss = unigramBaselineLoss(rows, heldout, shape.vocabSize);

    trainer.model().save(outDir);
    copyFileAtomically(tokenizerJson, outDir / "tokenizer.json");
    nlohmann::ordered_json json = {{"heldout_loss", report.heldoutLoss},
                                   {"unigram_loss", report.unigramLoss},
                                   {"heldout_tokens", report.heldoutTokens},
                                   {"final_train_loss", report.finalTrainLoss},
                                   {"steps", report.steps},
                                   {"tokens", report.tokens},
                                   {"train_corpus_tokens", report.trainCorpusTokens},
                                   {"parameters", report.parameters},
                                   {"seconds", report.seconds},
                                   {"tokens_per_second", report.tokensPerSecond},
                                   {"synthetic_fraction", options.syntheticFraction},
                                   {"seed", options.seed}};
    if (!options.continueFrom.empty())
        json["continued_from"] = options.continueFrom.string();
    writeFileAtomically(outDir / "training_report.json", json.dump(2) + "\n");
    return report;
}

} // namespace lorsa
