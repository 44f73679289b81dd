// lorsa heads: the standard head scores (induction, previous-token, duplicate-token,
// first-token) of every MHSA head and every Lorsa QK head.

#include "app/cli/commands.h"

#include "model/engine/head_scores.h"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace lorsa::cli {

void addHeadsCommand(CLI::App& app, Streams streams)
{
    struct Flags {
        EngineFlags engine;
        int64_t repeatLength = kHeadScoreRepeatLength;
        bool json = false;
    };
    const std::string description =
        "Score every attention head (and Lorsa QK head) as induction, previous-token, duplicate-token and first-token head.\n"
        "Probe: " + std::to_string(kHeadScoreSequences) + " sequences [BOS, r_1..r_n, r_1..r_n], n = min(--repeat-length " +
        std::to_string(kHeadScoreRepeatLength) + ", (context - 1) / 2), r_i distinct random ordinary tokens "
        "(std::mt19937_64, seed " + std::to_string(kHeadScoreSeed) + ").\n"
        "induction = mean attention from each position of the second copy to the token after that token's first occurrence;\n"
        "previous_token = mean A[t, t-1] over t >= 1; duplicate_token = mean attention to earlier occurrences of the same token\n"
        "(over positions that have one); first_token = mean A[t, 0] over t >= 1.";
    auto* command = app.add_subcommand("heads", description);
    auto flags = std::make_shared<Flags>();
    flags->engine.addTo(*command);
    command->add_option("--repeat-length", flags->repeatLength, "n, the probe's repeat length: larger scores heads at longer range")
        ->capture_default_str()
        ->check(CLI::Range(int64_t(2), int64_t(1) << 20));
    command->add_flag("--json", flags->json, R"(print a JSON list of {"kind", "layer", "head", "induction", "previous_token", "duplicate_token", "first_token"})");
    command->callback([flags, streams] {
        const Engine engine(flags->engine.toOptions());
        const auto scores = computeHeadScores(engine, std::nullopt, {}, flags->repeatLength);
        if (flags->json) {
            auto list = nlohmann::ordered_json::array();
            for (const auto& s : scores)
                list.push_back({{"kind", s.kind}, {"layer", s.layer}, {"head", s.head}, {"induction", s.induction},
                                {"previous_token", s.previousToken}, {"duplicate_token", s.duplicateToken}, {"first_token", s.firstToken}});
            streams.out << list.dump(2) << "\n";
            return;
        }
        streams.out << "kind      layer  head  induction  previous  duplicate  first\n";
        for (const auto& s : scores) {
            char line[128];
            std::snprintf(line, sizeof line, "%-8s  %5lld  %4lld  %9.3f  %8.3f  %9.3f  %5.3f\n", s.kind.c_str(), static_cast<long long>(s.layer),
                          static_cast<long long>(s.head), s.induction, s.previousToken, s.duplicateToken, s.firstToken);
            streams.out << line;
        }
    });
}

} // namespace lorsa::cli
