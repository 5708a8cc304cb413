// vwb score against the official scorer itself (shared/tools/official-scorer), run live on fresh
// random cases. Skipped, saying why, where the scorer is not found or cannot be built here.
// The scorer's Betti-matching module is built once into OFFICIAL_SCORER_BUILD (default: the
// build tree's official-scorer-build/, since shared/ may be read-only).
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QtTest>

#include <cmath>

#include "TestSupport.h"

namespace {

QString findScorer() {
  QStringList candidates{qEnvironmentVariable("VWB_OFFICIAL_SCORER")};
  for (const char* up : {"/../shared", "/../../shared", "/shared"})
    candidates << QStringLiteral(VWB_SOURCE_DIR) + up + "/tools/official-scorer";
  for (const QString& c : candidates)
    if (!c.isEmpty() && QFileInfo(c + "/official_score.py").isFile()) return QDir(c).absolutePath();
  return {};
}

QJsonObject volumesById(const QByteArray& json) {
  QJsonObject byId;
  for (const QJsonValue& v : QJsonDocument::fromJson(json).object()["volumes"].toArray())
    byId[v.toObject()["id"].toString()] = v;
  return byId;
}

}  // namespace

class TestMetricsOracleLive : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void randomCasesEqualTheOfficialScorer() {
    const QString scorer = findScorer();
    if (scorer.isEmpty()) QSKIP("official scorer not found (set VWB_OFFICIAL_SCORER or keep shared/ beside the repo)");
    const QString build = qEnvironmentVariable("OFFICIAL_SCORER_BUILD", QStringLiteral(VWB_BINARY_DIR) + "/official-scorer-build");
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("OFFICIAL_SCORER_BUILD", build);
    auto runWithEnv = [&](const QString& program, const QStringList& args) {
      QProcess p;
      p.setProcessEnvironment(env);
      p.start(program, args);
      p.waitForFinished(600000);
      return std::make_tuple(p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
                             p.readAllStandardError());
    };
    if (QDir(build).entryList({"betti_matching*.so"}).isEmpty()) {
      const auto deps = vwbtest::python("import numpy, scipy, skimage, tifffile, pybind11");
      if (deps.exitCode != 0)
        QSKIP("the official scorer needs python3-scipy python3-skimage python3-pybind11 pybind11-dev to build");
      const auto [rc, out, err] = runWithEnv(scorer + "/build.sh", {});
      if (rc != 0) QSKIP(qPrintable("the official scorer did not build here: " + QString::fromUtf8(err.right(400))));
    }
    QTemporaryDir dir = vwbtest::scratchDir();
    const auto made = vwbtest::run(QStringLiteral(VWB_PYTHON),
                                   {QStringLiteral(VWB_SOURCE_DIR) + "/tests/engine/metrics/fixtures/make_cases.py",
                                    dir.path(), "--random", "12", "2027"});
    QVERIFY2(made.exitCode == 0, qPrintable(made.err));
    const QString pred = dir.path() + "/pred", labels = dir.path() + "/labels";
    const auto [rc, officialOut, officialErr] =
        runWithEnv(QStringLiteral(VWB_PYTHON), {scorer + "/official_score.py", "--pred", pred, "--labels", labels,
                                                "--json", dir.path() + "/official.json"});
    QVERIFY2(rc == 0, officialErr.constData());
    QFile officialFile(dir.path() + "/official.json");
    QVERIFY(officialFile.open(QIODevice::ReadOnly));
    const QJsonObject official = volumesById(officialFile.readAll());
    const auto ours = vwbtest::run(vwbtest::vwbExe(), {"score", "--pred", pred, "--labels", labels, "--json"});
    QVERIFY2(ours.exitCode == 0, qPrintable(ours.err));
    const QJsonObject mine = volumesById(ours.out.toUtf8());
    QCOMPARE(mine.size(), 12);
    QCOMPARE(official.size(), 12);
    for (const QString& id : official.keys()) {
      const QJsonObject o = official[id].toObject(), m = mine[id].toObject();
      for (const char* term : {"score", "topo_score", "surface_dice", "voi_score", "voi_split", "voi_merge"})
        QVERIFY2(std::abs(o[term].toDouble() - m[term].toDouble()) < 1e-6,  // the bar; agreement is ~1e-15
                 qPrintable(id + " " + term + ": " + QString::number(m[term].toDouble(), 'g', 17) + " vs official " +
                            QString::number(o[term].toDouble(), 'g', 17)));
      const QJsonObject ob = o["betti"].toObject(), mb = m["betti"].toObject();
      for (int k = 0; k < 3; ++k)
        for (const char* key : {"matched", "pred", "gt"})
          QVERIFY2(ob[QString::number(k)].toObject()[key].toInt() == mb[key].toArray()[k].toInt(),
                   qPrintable(id + " dim " + QString::number(k) + " " + key));
    }
  }
};

QTEST_APPLESS_MAIN(TestMetricsOracleLive)
#include "TestMetricsOracleLive.moc"
