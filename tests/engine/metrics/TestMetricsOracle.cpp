// Every term of the score against the official scorer's values on the fixture cases
// (fixtures/make_cases.py writes them deterministically; the numbers below were produced by
// shared/tools/official-scorer/official_score.py on exactly those files). Counts must be equal,
// every term within 1e-6 (only summation order differs: the terms agree to ~1e-15).
#include <QtTest>

#include <array>
#include <cmath>
#include <string>

#include "TestSupport.h"
#include "engine/io/TiffVolume.h"
#include "engine/metrics/Score.h"

using namespace vwb;

namespace {

struct Expected {
  const char* id;
  double score, topo, surfaceDice, voiScore, voiSplit, voiMerge;
  std::array<int64_t, 3> matched, pred, gt;
};

// official_score.py --pred DIR/pred --labels DIR/labels --json, after make_cases.py DIR.
const Expected kOracle[] = {
    {"bridge", 0.9127415380637323, 1.0, 0.9972333249555894, 0.7534567837979307, 0.0, 1.0907204478684012,
     {0, 0, 0}, {0, 0, 0}, {0, 0, 0}},
    {"cavities", 0.6855028272455556, 0.0, 0.9840724386786414, 0.9745070677372314, 0.029235582037787033, 0.057963827478253946,
     {0, 0, 0}, {0, 0, 1}, {0, 0, 1}},
    {"cut", 0.8957614824759639, 1.0, 1.0, 0.702175664217039, 1.3304835169703113, 0.08333333333333316,
     {0, 0, 0}, {0, 0, 0}, {0, 0, 0}},
    {"drop5", 0.6746234505182251, 0.013333333333333334, 1.0, 0.9160670014806429, 0.2613365113107704, 0.044074186027945925,
     {0, 0, 0}, {0, 37, 0}, {0, 0, 0}},
    {"dust", 0.6587858877295572, 0.005649717514124294, 0.9819610981835705, 0.8954416803173432, 0.2764831328519908, 0.11274124650904702,
     {0, 0, 0}, {88, 0, 0}, {0, 0, 0}},
    {"empty_both", 1.0000000000000002, 1.0, 1.0, 1.0, 0.0, 0.0,
     {0, 0, 0}, {0, 0, 0}, {0, 0, 0}},
    {"empty_pred", 0.5692307692307681, 1.0, 0.0, 0.7692307692307656, 0.0, 1.0000000000000204,
     {0, 0, 0}, {0, 0, 0}, {0, 0, 0}},
    {"flat", 0.6060999988552654, 0.08, 1.0, 0.6631428538721867, 0.8610010375706405, 0.8322346614991041,
     {2, 0, 0}, {24, 0, 0}, {26, 0, 0}},
    {"holes", 0.6728404454011012, 0.058823529411764705, 1.0, 0.8719811045073477, 0.40778224877361846, 0.08159722222222206,
     {0, 0, 0}, {0, 8, 0}, {0, 0, 0}},
    {"ignore", 0.9343092867587222, 1.0, 1.0, 0.8123122478820627, 0.38508950346637955, 0.38508950346637955,
     {0, 0, 0}, {0, 0, 0}, {0, 0, 0}},
    {"indep0", 0.6000496217882598, 0.0, 1.0, 0.7144274908235992, 0.6743614090571373, 0.6580458347122286,
     {0, 0, 0}, {47, 34, 0}, {39, 45, 0}},
    {"indep1", 0.603580102312393, 0.009381663113006398, 1.0, 0.7164731525099742, 0.6610183111468797, 0.6580673912587837,
     {0, 1, 0}, {39, 55, 0}, {62, 50, 0}},
    {"indep2", 0.6194412180346088, 0.0666014300838613, 1.0, 0.7127451114555726, 0.6831759594107425, 0.6602444018915546,
     {1, 6, 0}, {44, 49, 0}, {38, 60, 0}},
    {"indep3", 0.6152694717706846, 0.04765966866854832, 1.0, 0.7170616319146288, 0.6612180550565064, 0.6540494918901278,
     {1, 3, 0}, {51, 35, 0}, {48, 44, 0}},
    {"noise0", 0.7135166157966002, 0.39230079112633554, 1.0, 0.7023610813105701, 0.4065827099007424, 1.005980934875108,
     {272, 1, 0}, {439, 6, 0}, {537, 3, 0}},
    {"noise1", 0.7066857922117238, 0.3289300905904763, 1.0, 0.7371621858130879, 0.4808688303988895, 0.7076430929621035,
     {137, 9, 0}, {262, 52, 0}, {357, 33, 0}},
    {"noise2", 0.7266331538004545, 0.36962968939088336, 1.0, 0.7592692770948268, 0.5373911513021109, 0.519461492713177,
     {25, 118, 0}, {90, 223, 0}, {95, 277, 0}},
    {"noise3", 0.7505903612131959, 0.42356089880405845, 1.0, 0.7814916902056523, 0.569296674486918, 0.3627171162882022,
     {8, 240, 0}, {41, 400, 0}, {16, 441, 0}},
    {"noise4", 0.7022510606481742, 0.23873493975903615, 1.0, 0.8018016534870378, 0.6023106421896679, 0.22166016426850027,
     {1, 174, 0}, {7, 432, 0}, {1, 315, 3}},
    {"odd_noise", 0.7759424595440192, 0.49985142601889704, 1.0, 0.7885343763952857, 0.41742009673773767, 0.47649833360138727,
     {59, 32, 0}, {105, 80, 0}, {107, 65, 0}},
    {"shift1", 0.8687500000000001, 1.0, 1.0, 0.6249999999999998, 1.0000000000000009, 1.0000000000000009,
     {0, 0, 0}, {0, 0, 0}, {0, 0, 0}},
    {"shift3", 0.8722026573435533, 1.0, 1.0, 0.6348647352672945, 0.9585644638117916, 0.9585644638117916,
     {0, 0, 0}, {0, 0, 0}, {0, 0, 0}},
    {"thin_noise", 0.6304134545195779, 0.0981630309988519, 1.0, 0.7170415577712064, 0.654759169364718, 0.6606385188265527,
     {3, 2, 0}, {68, 13, 0}, {68, 13, 0}},
    {"torus_vs_cut_torus", 0.9063279632514165, 1.0, 1.0, 0.7323656092897612, 1.2181274275917415, 1.5304041002814468e-16,
     {0, 0, 0}, {0, 0, 0}, {0, 0, 0}},
    {"torus_vs_shell", 0.8032882291252862, 1.0, 0.6360479008028014, 0.8019184681265875, 0.23740417764630642, 0.585961038588054,
     {0, 0, 0}, {0, 0, 0}, {0, 0, 0}},
};

}  // namespace

class TestMetricsOracle : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void everyTermEqualsTheOfficialScorer() {
    QTemporaryDir dir = vwbtest::scratchDir();
    const auto made = vwbtest::run(QStringLiteral(VWB_PYTHON),
                                   {QStringLiteral(VWB_SOURCE_DIR) + "/tests/engine/metrics/fixtures/make_cases.py", dir.path()});
    QVERIFY2(made.exitCode == 0, qPrintable(made.err));
    const std::string root = dir.path().toStdString();
    for (const Expected& e : kOracle) {
      const VolumeScore s = scoreVolume(readVolumeU8(root + "/pred/" + e.id + ".tif"),
                                        readVolumeU8(root + "/labels/" + e.id + ".tif"));
      const QByteArray what = QByteArray(e.id);
      for (int k = 0; k < 3; ++k) {
        QVERIFY2(s.matched[k] == e.matched[k], what + " matched dim " + QByteArray::number(k));
        QVERIFY2(s.predPairs[k] == e.pred[k], what + " pred dim " + QByteArray::number(k));
        QVERIFY2(s.gtPairs[k] == e.gt[k], what + " gt dim " + QByteArray::number(k));
      }
      // 1e-6: the bar; the implementations agree to rounding (~1e-15).
      const std::pair<double, double> terms[] = {{s.score, e.score},         {s.topoScore, e.topo},
                                                 {s.surfaceDice, e.surfaceDice}, {s.voiScore, e.voiScore},
                                                 {s.voiSplit, e.voiSplit},   {s.voiMerge, e.voiMerge}};
      for (const auto& [ours, official] : terms)
        QVERIFY2(std::abs(ours - official) < 1e-6,
                 what + ": " + QByteArray::number(ours, 'g', 17) + " vs official " + QByteArray::number(official, 'g', 17));
    }
  }
};

QTEST_APPLESS_MAIN(TestMetricsOracle)
#include "TestMetricsOracle.moc"
