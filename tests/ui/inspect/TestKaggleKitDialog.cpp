// The Export page's "Export for a Kaggle notebook…" on the real engine, with real events: the
// dialog shows the run's model and the time estimate, asks before writing a kit that would not
// fit Kaggle's 9 hours (No writes nothing), and writes the kit when told to.
#include <QApplication>
#include <QComboBox>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTimer>
#include <QtTest>

#include "TestSupport.h"
#include "ui/common/Engine.h"
#include "ui/common/WorkbenchContext.h"
#include "ui/inspect/ExportPanel.h"
#include "ui/inspect/KaggleKitDialog.h"

using namespace vwb;
using namespace vwb::inspect;
using vwbtest::run;
using vwbtest::vwbExe;
using vwbtest::why;

namespace {

// Types `value` into a spin box as a person would: select all, type, Enter.
void typeInto(QSpinBox* box, int value) {
  box->setFocus();
  QTest::keyClick(box, Qt::Key_A, Qt::ControlModifier);
  QTest::keyClicks(box, QString::number(value));
  QTest::keyClick(box, Qt::Key_Return);
}

// Clicks `button` of the next modal message box, once it is up.
void answerNextMessageBox(QMessageBox::StandardButton button, bool* answered) {
  auto* timer = new QTimer;
  timer->setInterval(20);
  QObject::connect(timer, &QTimer::timeout, [timer, button, answered] {
    auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
    if (!box) return;
    timer->stop();
    timer->deleteLater();
    *answered = true;
    QTest::mouseClick(box->button(button), Qt::LeftButton);
  });
  timer->start();
}

}  // namespace

class TestKaggleKitDialog : public QObject {
  Q_OBJECT
  QTemporaryDir dir_ = vwbtest::scratchDir();
  ui::EnginePtr engine_ = ui::makeRealEngine();
  std::unique_ptr<ui::WorkbenchContext> context_;
  QString run_;

 private Q_SLOTS:
  void initTestCase() {
    const QString data = dir_.filePath("data");
    auto s = run(vwbExe(), {"synth", "--out", data, "--train", "2", "--test", "1", "--size", "32", "--seed", "3"});
    QVERIFY2(s.exitCode == 0, qPrintable(why(s)));
    run_ = dir_.filePath("run");
    auto t = run(vwbExe(), {"train", "--data", data, "--out", run_, "--patch", "16", "--levels", "2", "--base-channels",
                            "4", "--batch", "1", "--threads", "1", "--workers", "1", "--val-fraction", "0",
                            "--epochs", "1", "--steps-per-epoch", "2"});
    QVERIFY2(t.exitCode == 0, qPrintable(why(t)));
    context_ = std::make_unique<ui::WorkbenchContext>(engine_);
    context_->setRunDir(run_);
  }

  void asksBeforeAKitThatDoesNotFitThenWrites() {
    ExportPanel panel(*context_);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QTest::mouseClick(panel.kaggleButton(), Qt::LeftButton);
    auto* dialog = qobject_cast<KaggleKitDialog*>(panel.kaggleDialog());
    QVERIFY(dialog);
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    QVERIFY2(dialog->planLabel()->text().contains("best.pt") &&
                 dialog->planLabel()->text().contains("Estimate 2xT4: 120 volumes"),
             qPrintable(dialog->planLabel()->text()));
    QVERIFY(dialog->fits());
    const QString kit = dir_.filePath("kit");
    dialog->outEdit()->selectAll();
    QTest::keyClicks(dialog->outEdit(), kit);

    // Full TTA over 100000 volumes cannot fit 9 hours: said before writing, and asked.
    dialog->ttaBox()->setFocus();
    QTest::keyClick(dialog->ttaBox(), Qt::Key_End);
    QCOMPARE(dialog->ttaBox()->currentText(), QString("full"));
    typeInto(dialog->hiddenVolumesBox(), 100000);
    QCOMPARE(dialog->hiddenVolumesBox()->value(), 100000);
    QVERIFY2(dialog->isVisible() && dialog->resultLabel()->text().isEmpty(),
             "Enter in a field closed the dialog or wrote a kit");
    QTRY_VERIFY2(!dialog->fits(), qPrintable(dialog->planLabel()->text()));
    QVERIFY2(dialog->warningLabel()->text().contains("would not fit"), qPrintable(dialog->warningLabel()->text()));
    bool answered = false;
    answerNextMessageBox(QMessageBox::No, &answered);
    QTest::mouseClick(dialog->writeButton(), Qt::LeftButton);
    QVERIFY(answered);
    QCOMPARE(dialog->resultLabel()->text(), QString("Not written."));
    QVERIFY(!QFileInfo::exists(kit));

    // Back to 120 volumes: it fits, and Write writes without asking.
    typeInto(dialog->hiddenVolumesBox(), 120);
    QTRY_VERIFY(dialog->fits());
    QSignalSpy written(dialog, &KaggleKitDialog::written);
    QTest::mouseClick(dialog->writeButton(), Qt::LeftButton);
    QVERIFY2(written.count() == 1, qPrintable(dialog->resultLabel()->text()));
    QFile f(kit + "/kit.json");
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject j = QJsonDocument::fromJson(f.readAll()).object();
    QCOMPARE(j["format"].toString(), QString("vwb-kaggle-kit/1"));
    QCOMPARE(j["hidden_volumes"].toInt(), 120);
    QCOMPARE(j["inference"].toObject()["tta"].toString(), QString("full"));
    QVERIFY(QFileInfo::exists(kit + "/vesuvius-kit.ipynb"));
    QVERIFY(dialog->resultLabel()->text().startsWith("Wrote "));
    if (!qEnvironmentVariableIsEmpty("VWB_SCREENSHOT_KIT")) dialog->grab().save(qEnvironmentVariable("VWB_SCREENSHOT_KIT"));
  }
};

QTEST_MAIN(TestKaggleKitDialog)
#include "TestKaggleKitDialog.moc"
