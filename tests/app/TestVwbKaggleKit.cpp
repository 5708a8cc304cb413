// The Kaggle kit (issue 22) end to end on this machine: `vwb kaggle-kit` writes a kit from a run,
// the kit's own vwbkit.py drives libvwbkit.so (the engine's C entry points, built here from the
// engine's libraries, as the kit builds them from its copy of the sources) over the test images,
// and its submission.zip equals `vwb predict` + `vwb postprocess` + `vwb export`'s voxel for
// voxel. Bad input is refused and nothing is half-written; the notebook drops TTA variants when
// its budget runs short, saying so. packaging/kaggle-check runs the same kit's notebook in an
// offline minimal chroot with Debian 13's PyTorch, building libvwbkit.so from the kit's sources.
#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>

#include "TestSupport.h"

using vwbtest::run;
using vwbtest::vwbExe;
using vwbtest::why;

namespace {

QByteArray readAll(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeText(const QString& path, const QByteArray& text) {
  QFile f(path);
  return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(text) == text.size();
}

QString kitLib() { return QStringLiteral(VWB_BINARY_DIR) + "/engine/kit/libvwbkit.so"; }

// The kit's vwbkit.py over `data`'s test images into `zip`, with the library built here.
vwbtest::ProcessResult runKit(const QString& kit, const QString& data, const QString& zip,
                              const QStringList& env = {}) {
  QProcess p;
  QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
  e.insert("VWB_KIT_THREADS", "1");
  e.insert("VWB_KIT_NO_TORCH", "1");  // the library links LibTorch itself; Python's torch is not needed
  for (const QString& kv : env) e.insert(kv.section('=', 0, 0), kv.section('=', 1));
  p.setProcessEnvironment(e);
  p.start(QStringLiteral(VWB_PYTHON),
          {kit + "/vwbkit.py", "--kit", kit, "--lib", kitLib(), "--data", data, "--out", zip});
  vwbtest::ProcessResult r;
  if (!p.waitForStarted()) return r;
  p.waitForFinished(vwbtest::kLastResortMs);
  r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
  r.out = QString::fromUtf8(p.readAllStandardOutput());
  r.err = QString::fromUtf8(p.readAllStandardError());
  return r;
}

// Per entry of two submission zips: "<name> <differing voxels> <foreground share>", or an error.
QString compareZips(const QString& a, const QString& b) {
  auto r = vwbtest::python(
      "import io, sys, zipfile, tifffile\n"
      "a, b = zipfile.ZipFile(sys.argv[1]), zipfile.ZipFile(sys.argv[2])\n"
      "assert sorted(a.namelist()) == sorted(b.namelist()), (a.namelist(), b.namelist())\n"
      "for n in sorted(a.namelist()):\n"
      "    x, y = tifffile.imread(io.BytesIO(a.read(n))), tifffile.imread(io.BytesIO(b.read(n)))\n"
      "    assert x.shape == y.shape and x.dtype == y.dtype, (n, x.shape, y.shape)\n"
      "    print(n, int((x != y).sum()), round(float(x.mean()), 4))\n",
      {a, b});
  return r.exitCode == 0 ? r.out.trimmed() : "error: " + why(r);
}

}  // namespace

class TestVwbKaggleKit : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_ = vwbtest::scratchDir();
  QString data_, run_;

 private Q_SLOTS:
  void initTestCase() {
    data_ = tmp_.filePath("data");
    auto s = run(vwbExe(), {"synth", "--out", data_, "--train", "3", "--test", "2", "--size", "32", "--seed", "5"});
    QVERIFY2(s.exitCode == 0, qPrintable(why(s)));
    run_ = tmp_.filePath("run");
    auto t = run(vwbExe(), {"train", "--data", data_, "--out", run_, "--patch", "16", "--levels", "2", "--base-channels",
                            "4", "--batch", "1", "--threads", "1", "--workers", "1", "--val-fraction", "0", "--seed",
                            "2", "--epochs", "1", "--steps-per-epoch", "3"});
    QVERIFY2(t.exitCode == 0, qPrintable(why(t)));
  }

  // The workbench's submission and the kit's, from the same run and images: the same masks.
  void kitSubmissionEqualsVwbs() {
    const QString pred = run_ + "/predictions";
    auto p = run(vwbExe(), {"predict", "--checkpoint", run_ + "/checkpoints/best.pt", "--images", data_ + "/test_images",
                            "--out", pred, "--tta", "flips", "--overlap", "0.25", "--threads", "1"});
    QVERIFY2(p.exitCode == 0, qPrintable(why(p)));
    // The threshold at the probabilities' median: masks neither empty nor full, so that equal
    // masks say something.
    auto m = vwbtest::python("import glob, numpy, tifffile, sys\n"
                             "v = numpy.concatenate([tifffile.imread(f).ravel() for f in glob.glob(sys.argv[1] + '/*.tif')])\n"
                             "print(numpy.median(v) / 255 + 1e-6)",
                             {pred + "/prob"});
    QVERIFY2(m.exitCode == 0, qPrintable(why(m)));
    // The run's post-processing record, in the engine's format (a tuned preset), applied to
    // the run's predictions by vwb postprocess.
    const QString preset = tmp_.filePath("post.json");
    QVERIFY(writeText(preset, "{\"format\": \"vwb-postprocess/1\", \"threshold\": " + m.out.trimmed().toUtf8() +
                                  ", \"min_size\": 4, \"border\": 1}"));
    auto pp = run(vwbExe(), {"postprocess", "--prob", pred + "/prob", "--out", pred, "--preset", preset});
    QVERIFY2(pp.exitCode == 0, qPrintable(why(pp)));
    const QString reference = tmp_.filePath("reference.zip");
    auto e = run(vwbExe(), {"export", "--pred", pred, "--images", data_ + "/test_images", "--csv", data_ + "/test.csv",
                            "--out", reference});
    QVERIFY2(e.exitCode == 0, qPrintable(why(e)));

    // No --tta, --overlap or --preset: the kit takes what made the run's predictions.
    const QString kit = tmp_.filePath("kit");
    auto k = run(vwbExe(), {"kaggle-kit", "--run", run_, "--out", kit, "--hidden-volumes", "120"});
    QVERIFY2(k.exitCode == 0, qPrintable(why(k)));
    QVERIFY2(k.err.contains("estimate 2xT4: 120 volumes"), qPrintable(k.err));
    const QJsonObject j = QJsonDocument::fromJson(readAll(kit + "/kit.json")).object();
    QCOMPARE(j["format"].toString(), QString("vwb-kaggle-kit/1"));
    QCOMPARE(j["inference"].toObject()["tta"].toString(), QString("flips"));
    QCOMPARE(j["inference"].toObject()["overlap"].toDouble(), 0.25);
    QCOMPARE(j["postprocess"].toObject()["border"].toInt(), 1);
    QCOMPARE(j["postprocess"].toObject()["min_size"].toInt(), 4);
    QVERIFY(QFile::exists(kit + "/models/model-1.pt"));
    QVERIFY(QFile::exists(kit + "/vesuvius-kit.ipynb"));
    // The kit's C++ is the repository's own engine, copied byte for byte.
    for (const char* f : {"engine/infer/Predictor.cpp", "engine/kit/KitCApi.cpp", "engine/infer/PostProcess.cpp"})
      QVERIFY2(readAll(kit + "/src/" + f) == readAll(QStringLiteral(VWB_SOURCE_DIR) + "/" + f), f);
    // The notebook is a notebook: markdown saying what each step does, code calling vwbkit.
    const QJsonArray cells = QJsonDocument::fromJson(readAll(kit + "/vesuvius-kit.ipynb")).object()["cells"].toArray();
    int markdown = 0, code = 0;
    for (const auto& c : cells) (c.toObject()["cell_type"].toString() == "markdown" ? markdown : code)++;
    QVERIFY2(markdown >= 4 && code >= 3, qPrintable(QString("%1 markdown, %2 code cells").arg(markdown).arg(code)));

    const QString zip = tmp_.filePath("kit-submission.zip");
    auto r = runKit(kit, data_, zip);
    QVERIFY2(r.exitCode == 0, qPrintable(why(r)));
    QVERIFY2(r.out.contains("[2/2]") && r.out.contains("every test id once"), qPrintable(r.out));
    const QString diff = compareZips(reference, zip);
    QVERIFY2(!diff.startsWith("error"), qPrintable(diff));
    const QStringList lines = diff.split('\n');
    QCOMPARE(lines.size(), 2);
    for (const QString& line : lines) {
      const QStringList f = line.split(' ');
      QCOMPARE(f.value(1), QString("0"));  // voxels that differ
      const double share = f.value(2).toDouble();
      QVERIFY2(share > 0.05 && share < 0.95, qPrintable(line));
    }

    // A budget the volumes cannot meet: after the first volume the notebook drops to cheaper
    // TTA and says so; the submission is still complete and checked.
    const QString late = tmp_.filePath("late.zip");
    auto l = runKit(kit, data_, late, {"VWB_KIT_BUDGET_S=0.001"});
    QVERIFY2(l.exitCode == 0, qPrintable(why(l)));
    QVERIFY2(l.out.contains("dropping TTA variants: flips -> none"), qPrintable(l.out));
    const QJsonObject made = QJsonDocument::fromJson(readAll(tmp_.filePath("late.vwbkit.json"))).object();
    QStringList ttas;
    for (const auto& v : made["tta_per_volume"].toObject()) ttas << v.toString();
    ttas.sort();
    QCOMPARE(ttas, QStringList({"flips", "none"}));
  }

  void refusesBadInput() {
    // A run without a checkpoint.
    const QString empty = tmp_.filePath("empty-run");
    QVERIFY(QDir().mkpath(empty));
    auto a = run(vwbExe(), {"kaggle-kit", "--run", empty, "--out", tmp_.filePath("k1")});
    QCOMPARE(a.exitCode, 1);
    QVERIFY2(a.err.contains("has no checkpoint"), qPrintable(a.err));
    QVERIFY(!QFileInfo::exists(tmp_.filePath("k1")));

    // An --out that holds something else: refused, left exactly as it was.
    const QString other = tmp_.filePath("not-a-kit");
    QVERIFY(QDir().mkpath(other));
    QVERIFY(writeText(other + "/notes.txt", "mine"));
    auto b = run(vwbExe(), {"kaggle-kit", "--run", run_, "--out", other});
    QCOMPARE(b.exitCode, 1);
    QVERIFY2(b.err.contains("is not a Kaggle kit"), qPrintable(b.err));
    QCOMPARE(QDir(other).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden), QStringList{"notes.txt"});
    QCOMPARE(readAll(other + "/notes.txt"), QByteArray("mine"));

    // Weights that do not match the checkpoints; a preset out of range, naming the file.
    auto c = run(vwbExe(), {"kaggle-kit", "--run", run_, "--weights", "1", "2", "--out", tmp_.filePath("k2")});
    QCOMPARE(c.exitCode, 1);
    QVERIFY2(c.err.contains("2 weights for 1 checkpoints"), qPrintable(c.err));
    const QString bad = tmp_.filePath("bad.json");
    QVERIFY(writeText(bad, "{\"format\": \"vwb-postprocess/1\", \"threshold\": 2}"));
    auto d = run(vwbExe(), {"kaggle-kit", "--run", run_, "--preset", bad, "--out", tmp_.filePath("k2")});
    QCOMPARE(d.exitCode, 1);
    QVERIFY2(d.err.contains(bad) && d.err.contains("threshold"), qPrintable(d.err));
    QVERIFY(!QFileInfo::exists(tmp_.filePath("k2")));

    // The run's record in a format the engine's codec does not know: refused, naming the file
    // and the way out.
    const QString record = run_ + "/predictions/postprocess.json";
    QVERIFY(QDir().mkpath(run_ + "/predictions"));
    QVERIFY(writeText(record, "{\"format\": \"vwb-postprocess/9\", \"threshold\": 0.4}"));
    auto g = run(vwbExe(), {"kaggle-kit", "--run", run_, "--out", tmp_.filePath("k2")});
    QCOMPARE(g.exitCode, 1);
    QVERIFY2(g.err.contains(record) && g.err.contains("--preset"), qPrintable(g.err));
    QVERIFY(!QFileInfo::exists(tmp_.filePath("k2")));
    // A record the GUI wrote before the schema was shared (untagged, its own key names) is read
    // by the same codec: the kit carries its setting.
    QVERIFY(writeText(record, "{\"threshold\": 0.35, \"border_voxels\": 3}"));
    auto older = run(vwbExe(), {"kaggle-kit", "--run", run_, "--out", tmp_.filePath("k2")});
    QFile::remove(record);
    QVERIFY2(older.exitCode == 0, qPrintable(older.err));
    {
      QFile f(tmp_.filePath("k2/kit.json"));
      QVERIFY(f.open(QIODevice::ReadOnly));
      const QJsonObject post = QJsonDocument::fromJson(f.readAll()).object().value("postprocess").toObject();
      QCOMPARE(post.value("threshold").toDouble(), 0.35);
      QCOMPARE(post.value("border").toInt(), 3);
    }
    QVERIFY(QDir(tmp_.filePath("k2")).removeRecursively());

    // An earlier kit is replaced whole; no staging folder is left beside it.
    const QString kit = tmp_.filePath("k3");
    auto e = run(vwbExe(), {"kaggle-kit", "--run", run_, "--tta", "full", "--out", kit});
    QVERIFY2(e.exitCode == 0, qPrintable(why(e)));
    QVERIFY(writeText(kit + "/stale.txt", "old"));
    auto f = run(vwbExe(), {"kaggle-kit", "--run", run_, "--tta", "none", "--out", kit});
    QVERIFY2(f.exitCode == 0, qPrintable(why(f)));
    QVERIFY(!QFileInfo::exists(kit + "/stale.txt"));
    QCOMPARE(QJsonDocument::fromJson(readAll(kit + "/kit.json")).object()["inference"].toObject()["tta"].toString(),
             QString("none"));
    QCOMPARE(QDir(tmp_.path()).entryList({".k3.kit-*"}, QDir::Dirs | QDir::Hidden), QStringList());
  }

  // The time estimate follows the TTA: full TTA costs 16 forward passes per window, none 1.
  // The kit's training notebook path, as vesuvius-train.ipynb calls it (vwbkit.py over the
  // library built here): train.json from the run, the volumes read with tifffile into memory-
  // mapped .npy files, DDP over two CPU ranks; a session stopped after step 2, its output
  // attached read-only to the next session, which copies it, resumes and ends bit-identical to
  // an uninterrupted run (weights digest and every step's loss).
  void kitTrainsAndResumesAcrossSessions() {
    const QString kit = tmp_.filePath("kit-train");
    auto k = run(vwbExe(), {"kaggle-kit", "--run", run_, "--out", kit});
    QVERIFY2(k.exitCode == 0, qPrintable(why(k)));
    QVERIFY2(k.err.contains("training notebook: settings from " + run_ + "/config.json"), qPrintable(k.err));
    const QJsonObject t = QJsonDocument::fromJson(readAll(kit + "/train.json")).object();
    const QJsonObject c = QJsonDocument::fromJson(readAll(run_ + "/config.json")).object();
    for (const char* same : {"model", "patch", "batch_per_device", "epochs", "steps_per_epoch", "lr", "seed", "augment"})
      QVERIFY2(t[same] == c[same], same);
    QCOMPARE(t["run_dir"].toString(), QString());
    QCOMPARE(t["data_dir"].toString(), QString());
    QCOMPARE(t["strategy"].toString(), QString("auto"));
    QCOMPARE(t["val_patches"].toInt(), -1);
    const QJsonArray cells = QJsonDocument::fromJson(readAll(kit + "/vesuvius-train.ipynb")).object()["cells"].toArray();
    int markdown = 0, code = 0;
    for (const auto& cell : cells) (cell.toObject()["cell_type"].toString() == "markdown" ? markdown : code)++;
    QVERIFY2(markdown >= 6 && code >= 5, qPrintable(QString("%1 markdown, %2 code cells").arg(markdown).arg(code)));

    const QString script =
        "import json, os, sys, stat\n"
        "kit_dir, lib, data, root, session = sys.argv[1:6]\n"
        "sys.path.insert(0, kit_dir)\n"
        "import vwbkit\n"
        "kit = vwbkit.Kit(kit_dir)\n"
        "work, inputs = os.path.join(root, session), os.path.join(root, session + '-inputs')\n"
        "os.makedirs(work); os.makedirs(inputs)\n"
        "if session == 'v2':\n"
        "    os.symlink(os.path.join(root, 'v1'), os.path.join(inputs, 'previous-version'))\n"
        "run = vwbkit.prepare_run(kit, lib, work=work, inputs=inputs)\n"
        "volumes = vwbkit.read_training_volumes(data, scratch=os.path.join(root, session + '-tmp'))\n"
        "end = vwbkit.train(kit, lib, run, volumes)\n"
        "vwbkit.summarize_run(lib, run)\n"
        "L = vwbkit._train_api(vwbkit.load(lib))\n"
        "info = vwbkit.checkpoint_info(L, os.path.join(run['dir'], 'checkpoints', 'last.pt'))\n"
        "losses = {}\n"
        "for line in open(os.path.join(run['dir'], 'metrics.jsonl')):\n"
        "    j = json.loads(line)\n"
        "    if j.get('type') == 'step': losses[j['step']] = j['loss']\n"
        "print('RESULT', json.dumps({'end': end, 'info': info, 'losses': losses, 'resume': run['resume']}))\n";
    const QString root = tmp_.filePath("sessions");
    QVERIFY(QDir().mkpath(root));
    auto session = [&](const QString& name, const QStringList& env) {
      QProcess p;
      QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
      e.insert("VWB_KIT_NO_TORCH", "1");
      e.insert("VWB_KIT_DEVICES", "cpu:2");
      e.insert("VWB_KIT_LINE_EVERY_S", "0");
      for (const QString& kv : env) e.insert(kv.section('=', 0, 0), kv.section('=', 1));
      p.setProcessEnvironment(e);
      p.start(QStringLiteral(VWB_PYTHON), {"-c", script, kit, kitLib(), data_, root, name});
      vwbtest::ProcessResult r;
      if (p.waitForStarted()) p.waitForFinished(vwbtest::kLastResortMs);
      r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
      r.out = QString::fromUtf8(p.readAllStandardOutput());
      r.err = QString::fromUtf8(p.readAllStandardError());
      return r;
    };
    auto result = [](const vwbtest::ProcessResult& r) {
      const int at = r.out.lastIndexOf("RESULT ");
      return at < 0 ? QJsonObject() : QJsonDocument::fromJson(r.out.mid(at + 7).toUtf8()).object();
    };
    auto straight = session("straight", {});
    QVERIFY2(straight.exitCode == 0, qPrintable(why(straight)));
    QVERIFY2(straight.out.contains("strategy ddp on cpu:0, cpu:1"), qPrintable(straight.out));
    QVERIFY2(straight.out.contains("a new run in"), qPrintable(straight.out));
    auto v1 = session("v1", {"VWB_KIT_STOP_AFTER_STEP=2"});
    QVERIFY2(v1.exitCode == 0, qPrintable(why(v1)));
    QCOMPARE(result(v1)["end"].toObject()["outcome"].toString(), QString("stopped"));
    // The previous version's output is read-only, as Kaggle mounts it.
    auto ro = vwbtest::python("import os, stat, sys\n"
                              "for r, ds, fs in os.walk(sys.argv[1]):\n"
                              "    for n in fs: os.chmod(os.path.join(r, n), 0o444)\n"
                              "    os.chmod(r, 0o555)\n",
                              {root + "/v1"});
    QVERIFY2(ro.exitCode == 0, qPrintable(why(ro)));
    auto v2 = session("v2", {});
    QVERIFY2(v2.exitCode == 0, qPrintable(why(v2)));
    QVERIFY2(v2.out.contains("resuming the run at step 2"), qPrintable(v2.out));
    QVERIFY2(v2.out.contains("resuming at step 3"), qPrintable(v2.out));
    const QJsonObject a = result(straight), b = result(v2);
    QCOMPARE(b["resume"].toBool(), true);
    QCOMPARE(b["end"].toObject()["outcome"].toString(), QString("finished"));
    QCOMPARE(b["info"].toObject()["step"].toInt(), a["info"].toObject()["step"].toInt());
    QVERIFY(a["info"].toObject()["step"].toInt() >= 3);
    QCOMPARE(b["info"].toObject()["weights_crc32"].toString(), a["info"].toObject()["weights_crc32"].toString());
    QVERIFY(!a["losses"].toObject().isEmpty());
    QCOMPARE(b["losses"].toObject(), a["losses"].toObject());
    // Nothing of the read-only input was changed, and its run folder is still the stopped one.
    QVERIFY(QFile::exists(root + "/v1/vwb-run/checkpoints/last.pt"));
    vwbtest::python("import os, sys\nfor r, ds, fs in os.walk(sys.argv[1]): os.chmod(r, 0o755)\n", {root + "/v1"});
  }

  void estimateFollowsTta() {
    auto full = run(vwbExe(), {"kaggle-kit", "--run", run_, "--tta", "full", "--hidden-volumes", "1000", "--out",
                               tmp_.filePath("k4")});
    auto none = run(vwbExe(), {"kaggle-kit", "--run", run_, "--tta", "none", "--hidden-volumes", "1000", "--out",
                               tmp_.filePath("k5")});
    QVERIFY2(full.exitCode == 0 && none.exitCode == 0, qPrintable(why(full) + why(none)));
    auto tflop = [](const QString& kit) {
      return QJsonDocument::fromJson(readAll(kit + "/kit.json"))
          .object()["estimates"].toObject()["2xT4"].toObject()["tflop_per_volume"].toDouble();
    };
    const double f = tflop(tmp_.filePath("k4")), n = tflop(tmp_.filePath("k5"));
    QVERIFY2(n > 0 && std::abs(f / n - 16) < 1e-9, qPrintable(QString("%1 / %2").arg(f).arg(n)));
  }
};

QTEST_GUILESS_MAIN(TestVwbKaggleKit)
#include "TestVwbKaggleKit.moc"
