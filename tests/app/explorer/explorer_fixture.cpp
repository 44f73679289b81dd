#include "tests/app/explorer/explorer_fixture.h"

#include "tests/support/fixture_lorsa.h"
#include "tests/support/fixture_models.h"

namespace lorsa::test {

ExplorerFixture::ExplorerFixture(bool large)
    : model(dir / "gpt2")
    , lorsa(dir / "lorsa")
    , wrongLorsa(dir / "wrong-lorsa")
{
    Gpt2FixtureOptions modelOptions;
    LorsaFixtureOptions lorsaOptions;
    if (large) {
        modelOptions.dModel = 256;
        modelOptions.nLayers = 6;
        modelOptions.nHeads = 8;
        modelOptions.nCtx = 2048;
        lorsaOptions.nCtx = 2048;
        lorsaOptions.nQkHeads = 8;
        lorsaOptions.nOvHeads = 512;
        lorsaOptions.dQkHead = 16;
        lorsaOptions.rotaryDim = 16;
        lorsaOptions.topK = 16;
    } else {
        lorsaOptions.nOvHeads = 32;
    }
    writeTinyGpt2(model, modelOptions);
    lorsaOptions.dModel = modelOptions.dModel;
    lorsaOptions.layer = 1;
    writeTinyLorsa(lorsa, lorsaOptions);
    nOvHeads = static_cast<int>(lorsaOptions.nOvHeads);
    LorsaFixtureOptions wrong;
    wrong.dModel = 16;
    wrong.layer = 1;
    writeTinyLorsa(wrongLorsa, wrong);
}

} // namespace lorsa::test
